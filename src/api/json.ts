/**
 * The JSON shapes of the API: ring identifiers travel as 64 hex digits
 * (JSON has no 256-bit numbers), everything else as the service reports it.
 */
import { idToHex } from '../index.ts'
import type { KeyLocation, NodeRef, RingState, StoreStats, Version } from '../index.ts'

export interface NodeJson {
  peer: string
  vnode: number
  /** ring position, 64 hex digits */
  id: string
  addrs: string[]
}

export interface PositionJson {
  vnode: number
  id: string
  predecessor: NodeJson | null
  successors: NodeJson[]
  fingers: Array<{ index: number, node: NodeJson }>
}

export interface RingJson {
  peer: string
  joined: boolean
  /** what this peer holds */
  store: StoreStats
  positions: PositionJson[]
}

export interface LookupJson {
  /** the key's ring position */
  id: string
  owner: NodeJson
  hops: number
  replicas: Array<NodeJson & { version?: Version, deleted?: boolean, error?: string }>
}

export function nodeJson (node: NodeRef): NodeJson {
  return { peer: node.peer, vnode: node.vnode, id: idToHex(node.id), addrs: [...node.addrs] }
}

export function ringJson (state: RingState, store: StoreStats): RingJson {
  return {
    peer: state.peer,
    joined: state.joined,
    store,
    positions: state.positions.map(p => ({
      vnode: p.self.vnode,
      id: idToHex(p.self.id),
      predecessor: p.predecessor === undefined ? null : nodeJson(p.predecessor),
      successors: p.successors.map(nodeJson),
      fingers: p.fingers.map(f => ({ index: f.index, node: nodeJson(f.node) }))
    }))
  }
}

export function lookupJson (location: KeyLocation): LookupJson {
  return {
    id: idToHex(location.key),
    owner: nodeJson(location.owner),
    hops: location.hops,
    replicas: location.replicas.map(r => ({ ...nodeJson(r.node), version: r.version, deleted: r.deleted, error: r.error }))
  }
}
