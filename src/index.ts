/**
 * @packageDocumentation
 *
 * A Chord ring as a libp2p service.
 *
 * ```ts
 * const node = await createLibp2p({
 *   transports: [tcp()], connectionEncrypters: [noise()],
 *   streamMuxers: [mplex({ disconnectThreshold: Infinity })],
 *   services: { chord: chord({ bootstrap: ['/ip4/127.0.0.1/tcp/4001'] }) }
 * })
 * const { owner, hops } = await node.services.chord.findSuccessor('some key')
 * ```
 */
import { ChordService } from './chord.ts'
import type { NodeState } from './ring/chord-node.ts'
import type { LookupResult } from './ring/ring-peer.ts'
import type { NodeRef } from './ring/types.ts'
import type { ComponentLogger, PeerId, TypedEventTarget } from '@libp2p/interface'
import type { AddressManager, ConnectionManager, Registrar } from '@libp2p/interface-internal'
import type { Id } from './ring/id.ts'

export { PROTOCOL } from './chord.ts'
export { ID_BITS, keyId, nodeId, between, betweenRightIncl, distance, idToHex, idFromHex } from './ring/id.ts'
export { LookupFailedError, NotJoinedError } from './ring/ring-peer.ts'
export { RingPeer } from './ring/ring-peer.ts'
export type { Id, NodeRef, NodeState, LookupResult }
export type { ChordRpc, ChordHandler, Clock, StepResult } from './ring/types.ts'

export interface ChordInit {
  /** protocol id of the ring (default '/chord/1.0.0') */
  protocol?: string
  /** multiaddrs of ring members to join through; empty (or only our own addresses): create a ring */
  bootstrap?: string[]
  /** ring positions this peer holds (default 1) */
  virtualNodes?: number
  /** r, length of the successor list (default 8) */
  successorListLength?: number
  /** ms between stabilize rounds (default 1000) */
  stabilizeInterval?: number
  /** ms between finger-table refreshes (default 5000) */
  fixFingersInterval?: number
  /** ms between predecessor checks (default 2000) */
  checkPredecessorInterval?: number
  /** ms to wait for an answer to one request (default 5000) */
  requestTimeout?: number
  /** ms to dial a peer and open the protocol stream (default 5000) */
  dialTimeout?: number
  /** largest frame sent or accepted, bytes (default 4 MiB) */
  maxFrameSize?: number
  /** /chord streams accepted per connection (default 8; one is normally used) */
  maxInboundStreams?: number
  /** /chord streams opened per connection (default 8) */
  maxOutboundStreams?: number
  /** requests from one stream served at once; beyond, refused with ERR_TOO_MANY_REQUESTS (default 256) */
  maxInFlightPerStream?: number
  /** requests waiting on one peer before new ones are refused locally (default 1024) */
  maxPendingPerPeer?: number
  /** ring members accepted in one message (default 64) */
  maxNodesPerMessage?: number
  /** addresses kept per member from one message (default 16) */
  maxAddrsPerNode?: number
  /** first wait before retrying a failed join, ms (default 250; doubles up to joinRetryMaxDelay) */
  joinRetryMinDelay?: number
  joinRetryMaxDelay?: number
  /** tell the neighbours when the node stops (default true); false makes stop() look like a crash */
  leaveOnStop?: boolean
}

export interface ChordComponents {
  peerId: PeerId
  logger: ComponentLogger
  registrar: Registrar
  connectionManager: ConnectionManager
  addressManager: AddressManager
}

export interface RingChange {
  /** which of this peer's positions changed */
  vnode: number
  previous: NodeRef | undefined
  current: NodeRef | undefined
}

export interface ChordEvents {
  'successor:change': CustomEvent<RingChange>
  'predecessor:change': CustomEvent<RingChange>
  'ring:joined': CustomEvent<{ via: string | undefined }>
}

export interface RingState {
  peer: string
  joined: boolean
  /** one entry per virtual node */
  positions: NodeState[]
}

export interface Chord extends TypedEventTarget<ChordEvents> {
  /** position of the peer's first virtual node */
  readonly id: Id
  /** every position is a ring member */
  readonly joined: boolean
  join(addrs?: string[], options?: { signal?: AbortSignal }): Promise<void>
  leave(): Promise<void>
  findSuccessor(key: Uint8Array | string, options?: { signal?: AbortSignal }): Promise<LookupResult>
  findSuccessorOfId(id: Id, options?: { signal?: AbortSignal }): Promise<LookupResult>
  getRingState(): RingState
}

/** The service factory, for `services: { chord: chord({...}) }` */
export function chord (init: ChordInit = {}): (components: ChordComponents) => Chord {
  return (components) => new ChordService(components, init)
}
