/**
 * The ring's messages on /chord/1.0.0: a ChordRpc that sends them through
 * the RpcClient, and the server-side methods that hand them to the local
 * ChordHandler.
 */
import { idFromBytes, idToBytes } from '../ring/id.ts'
import { InvalidMessageError, decodeWith } from './errors.ts'
import { Empty, FindSuccessorRequest, FindSuccessorResponse, LeaveRequest, NotifyRequest, PredecessorResponse, SuccessorListResponse, VnodeRequest } from './pb/ring.ts'
import type { NodeCodec } from './node-codec.ts'
import type { RpcClient } from './rpc-client.ts'
import type { RpcServer } from './rpc-server.ts'
import type { Id } from '../ring/id.ts'
import type { ChordHandler, ChordRpc, NodeRef, RequestOptions, StepResult } from '../ring/types.ts'

/** Method numbers of the ring; 1–15 are reserved for the ring */
export const RingMethod = {
  FIND_SUCCESSOR: 1,
  GET_PREDECESSOR: 2,
  GET_SUCCESSOR_LIST: 3,
  NOTIFY: 4,
  PING: 5,
  LEAVE: 6,
  /** the target's positions, for a peer known by address only (request Empty, answer SuccessorListResponse) */
  POSITIONS: 7
} as const

export interface RingProtocolLimits {
  /** nodes accepted in one list (lookup step, successor list) */
  maxNodesPerMessage: number
  maxAddrsPerNode: number
}

function decodeLimits (limits: RingProtocolLimits): { nodes: number, nodes$: { addrs: number }, successors: number, successors$: { addrs: number } } {
  const node = { addrs: limits.maxAddrsPerNode }
  return { nodes: limits.maxNodesPerMessage, nodes$: node, successors: limits.maxNodesPerMessage, successors$: node }
}

export class RingRpcClient implements ChordRpc {
  private readonly client: RpcClient
  private readonly codec: NodeCodec
  private readonly limits: ReturnType<typeof decodeLimits>
  private readonly nodeLimit: { addrs: number }

  constructor (client: RpcClient, codec: NodeCodec, limits: RingProtocolLimits) {
    this.client = client
    this.codec = codec
    this.limits = decodeLimits(limits)
    this.nodeLimit = { addrs: limits.maxAddrsPerNode }
  }

  private async call (to: NodeRef, method: number, body: Uint8Array<ArrayBuffer>, options?: RequestOptions): Promise<Uint8Array> {
    return this.client.call(to.peer, to.addrs, method, body, options)
  }

  async findSuccessorStep (to: NodeRef, key: Id, options?: RequestOptions): Promise<StepResult> {
    const body = await this.call(to, RingMethod.FIND_SUCCESSOR, FindSuccessorRequest.encode({ vnode: to.vnode, key: idToBytes(key) }), options)
    const response = decodeWith(() => FindSuccessorResponse.decode(body, { limits: this.limits }))
    return { done: response.done, nodes: response.nodes.map(n => this.codec.decode(n)) }
  }

  async getPredecessor (to: NodeRef, options?: RequestOptions): Promise<NodeRef | undefined> {
    const body = await this.call(to, RingMethod.GET_PREDECESSOR, VnodeRequest.encode({ vnode: to.vnode }), options)
    const response = decodeWith(() => PredecessorResponse.decode(body, { limits: { predecessor$: this.nodeLimit } }))
    return response.predecessor === undefined ? undefined : this.codec.decode(response.predecessor)
  }

  async getSuccessorList (to: NodeRef, options?: RequestOptions): Promise<NodeRef[]> {
    const body = await this.call(to, RingMethod.GET_SUCCESSOR_LIST, VnodeRequest.encode({ vnode: to.vnode }), options)
    const response = decodeWith(() => SuccessorListResponse.decode(body, { limits: this.limits }))
    return response.successors.map(n => this.codec.decode(n))
  }

  async notify (to: NodeRef, from: NodeRef, options?: RequestOptions): Promise<void> {
    await this.call(to, RingMethod.NOTIFY, NotifyRequest.encode({ vnode: to.vnode, from: this.codec.encode(from) }), options)
  }

  async ping (to: NodeRef, options?: RequestOptions): Promise<void> {
    await this.call(to, RingMethod.PING, VnodeRequest.encode({ vnode: to.vnode }), options)
  }

  async positions (to: NodeRef, options?: RequestOptions): Promise<NodeRef[]> {
    const body = await this.call(to, RingMethod.POSITIONS, Empty.encode({}), options)
    const response = decodeWith(() => SuccessorListResponse.decode(body, { limits: this.limits }))
    const positions = response.successors.map(n => this.codec.decode(n))
    if (positions.some(n => n.peer !== to.peer)) throw new InvalidMessageError('a peer named positions of another peer as its own')
    return positions
  }

  async leave (to: NodeRef, leaving: NodeRef, predecessor: NodeRef | undefined, successors: readonly NodeRef[], options?: RequestOptions): Promise<void> {
    await this.call(to, RingMethod.LEAVE, LeaveRequest.encode({
      vnode: to.vnode,
      leaving: this.codec.encode(leaving),
      predecessor: predecessor === undefined ? undefined : this.codec.encode(predecessor),
      successors: successors.map(n => this.codec.encode(n))
    }), options)
  }
}

/** Answer the ring's methods from `handler`; every field is checked first */
export function registerRingMethods (server: RpcServer, handler: ChordHandler, codec: NodeCodec, limits: RingProtocolLimits): void {
  const nodeLimit = { addrs: limits.maxAddrsPerNode }
  const empty = Empty.encode({})
  const encodeNodes = (nodes: readonly NodeRef[]): ReturnType<NodeCodec['encode']>[] => nodes.map(n => codec.encode(n))
  const vnodeOf = (body: Uint8Array): number => decodeWith(() => VnodeRequest.decode(body)).vnode

  server.register(RingMethod.FIND_SUCCESSOR, (body) => {
    const request = decodeWith(() => FindSuccessorRequest.decode(body))
    const key = decodeWith(() => idFromBytes(request.key))
    const step = handler.findSuccessorStep(request.vnode, key)
    return FindSuccessorResponse.encode({ done: step.done, nodes: encodeNodes(step.nodes) })
  })
  server.register(RingMethod.GET_PREDECESSOR, (body) => {
    const predecessor = handler.getPredecessor(vnodeOf(body))
    return PredecessorResponse.encode({ predecessor: predecessor === undefined ? undefined : codec.encode(predecessor) })
  })
  server.register(RingMethod.GET_SUCCESSOR_LIST, (body) => {
    return SuccessorListResponse.encode({ successors: encodeNodes(handler.getSuccessorList(vnodeOf(body))) })
  })
  server.register(RingMethod.NOTIFY, async (body, from) => {
    const request = decodeWith(() => NotifyRequest.decode(body, { limits: { from$: nodeLimit } }))
    const node = codec.decode(request.from)
    if (node.peer !== from.toString()) throw new InvalidMessageError('a peer may only notify on its own behalf')
    await handler.notify(request.vnode, node)
    return empty
  })
  server.register(RingMethod.PING, (body) => {
    handler.ping(vnodeOf(body))
    return empty
  })
  server.register(RingMethod.POSITIONS, () => {
    return SuccessorListResponse.encode({ successors: encodeNodes(handler.getPositions()) })
  })
  server.register(RingMethod.LEAVE, (body, from) => {
    const request = decodeWith(() => LeaveRequest.decode(body, {
      limits: { leaving$: nodeLimit, predecessor$: nodeLimit, successors: limits.maxNodesPerMessage, successors$: nodeLimit }
    }))
    const leaving = codec.decode(request.leaving)
    if (leaving.peer !== from.toString()) throw new InvalidMessageError('a peer may only announce its own leave')
    handler.onLeave(request.vnode, leaving,
      request.predecessor === undefined ? undefined : codec.decode(request.predecessor),
      request.successors.map(n => codec.decode(n)))
    return empty
  })
}
