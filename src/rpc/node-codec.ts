/**
 * NodeRef <-> wire Node. Decoding treats the bytes as hostile: the peer id
 * must parse, the virtual-node index and address list are bounded, and the
 * ring position is computed here, never taken from the sender.
 */
import { peerIdFromMultihash, peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import * as Digest from 'multiformats/hashes/digest'
import { toString as uint8ArrayToString } from 'uint8arrays/to-string'
import { nodeId } from '../ring/id.ts'
import { InvalidMessageError } from './errors.ts'
import type { Node } from './pb/ring.ts'
import type { NodeRef } from '../ring/types.ts'

export interface NodeLimits {
  /** highest virtual-node index accepted from the network */
  maxVnode: number
  /** addresses kept per node */
  maxAddrs: number
  /** bytes per address */
  maxAddrBytes: number
}

export const DEFAULT_NODE_LIMITS: NodeLimits = { maxVnode: 1023, maxAddrs: 16, maxAddrBytes: 256 }

/** A bounded memo: clears itself when full rather than growing without end */
class Memo<V> {
  private readonly map = new Map<string, V>()
  private readonly max: number
  constructor (max: number) { this.max = max }
  get (key: string, make: () => V): V {
    let value = this.map.get(key)
    if (value === undefined) {
      value = make()
      if (this.map.size >= this.max) this.map.clear()
      this.map.set(key, value)
    }
    return value
  }
}

const latin1 = (bytes: Uint8Array): string => uint8ArrayToString(bytes, 'latin1')

export class NodeCodec {
  private readonly limits: NodeLimits
  private readonly peerBytes = new Memo<Uint8Array<ArrayBuffer>>(4096)
  private readonly peerStrings = new Memo<string>(4096)
  private readonly addrBytes = new Memo<Uint8Array<ArrayBuffer>>(4096)
  private readonly addrStrings = new Memo<string>(4096)
  private readonly ids = new Memo<bigint>(16384)

  constructor (limits: Partial<NodeLimits> = {}) {
    this.limits = { ...DEFAULT_NODE_LIMITS, ...limits }
  }

  encode (node: NodeRef): Node {
    return {
      peerId: this.peerBytes.get(node.peer, () => peerIdFromString(node.peer).toMultihash().bytes as Uint8Array<ArrayBuffer>),
      vnode: node.vnode,
      addrs: node.addrs.slice(0, this.limits.maxAddrs).map(a => this.addrBytes.get(a, () => multiaddr(a).bytes as Uint8Array<ArrayBuffer>))
    }
  }

  decode (node: Node | undefined): NodeRef {
    if (node === undefined) throw new InvalidMessageError('missing node')
    const key = latin1(node.peerId)
    const peer = this.peerStrings.get(key, () => {
      try {
        return peerIdFromMultihash(Digest.decode(node.peerId)).toString()
      } catch (err) {
        throw new InvalidMessageError(`invalid peer id: ${(err as Error).message}`)
      }
    })
    if (!Number.isInteger(node.vnode) || node.vnode > this.limits.maxVnode) {
      throw new InvalidMessageError(`virtual node index ${node.vnode} exceeds ${this.limits.maxVnode}`)
    }
    const addrs: string[] = []
    for (const bytes of node.addrs.slice(0, this.limits.maxAddrs)) {
      if (bytes.byteLength > this.limits.maxAddrBytes) continue
      try {
        addrs.push(this.addrStrings.get(latin1(bytes), () => multiaddr(bytes).toString()))
      } catch {
        // an address we cannot parse cannot be dialled: drop it, keep the node
      }
    }
    const id = this.ids.get(`${key}/${node.vnode}`, () => nodeId(node.peerId, node.vnode))
    return { id, peer, vnode: node.vnode, addrs }
  }
}
