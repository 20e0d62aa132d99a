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
import { ChordService } from './service.ts'
import type { NodeState } from './ring/ring-node.ts'
import type { LookupResult } from './ring/lookup.ts'
import type { NodeRef } from './ring/types.ts'
import type { ComponentLogger, Libp2pEvents, Metrics, PeerId, TypedEventTarget } from '@libp2p/interface'
import type { AddressManager, ConnectionManager, Registrar } from '@libp2p/interface-internal'
import type { Id } from './ring/id.ts'
import type { StoreStats } from './store/local-store.ts'
import type { StoreRecord, Version } from './store/record.ts'
import type { HandoffResult, KeyLocation, ReadOptions, WriteOptions } from './store/replicated-store.ts'
import type { Consistency, RangePage, TransferProgress } from './store/types.ts'
import type { Datastore } from 'interface-datastore'

export { PROTOCOL } from './service.ts'
export { ID_BITS, RING_SIZE, keyId, nodeId, between, betweenRightIncl, distance, idToHex, idFromHex } from './ring/id.ts'
export { describeNode } from './ring/node-ref.ts'
export { compareVersions } from './store/record.ts'
export { LookupFailedError, NotJoinedError, NoMembersError } from './ring/errors.ts'
export { RingPeer } from './ring/ring-peer.ts'
/** wrap a ChordRpc so a RingPeer's requests to its own positions are answered in process (RingPeer needs an rpc that reaches itself) */
export { ChordLoopback } from './rpc/loopback.ts'
export type { Id, NodeRef, NodeState, LookupResult }
export type { ChordRpc, ChordHandler, StepResult } from './ring/types.ts'
export type { Clock } from './util/clock.ts'
export type { Consistency, TransferProgress, StoreStats, StoreRecord, Version, KeyLocation, ReadOptions, WriteOptions, HandoffResult, RangePage }
export { QuorumError, LeavingError } from './store/errors.ts'
export { RecordTooLargeError, InvalidRecordError, ClockDriftError } from './store/errors.ts'

export interface ChordInit {
  /** protocol id of the ring (default '/chord/1.0.0') */
  protocol?: string
  /** multiaddrs of ring members to join through; empty (or only our own addresses): create a ring */
  bootstrap?: string[]
  /** ms after which an unused request stream to a peer is closed, with its connection if nothing else uses it (default 60000; 0: never) */
  connectionIdleTimeout?: number
  /** ring positions this peer holds (default 1) */
  virtualNodes?: number
  /**
   * with one position: the hashed positions (hash(peer id, i), i < this) a
   * joining peer chooses from to even out the keys held per peer; 1 keeps the
   * single hashed position of plain Chord (default 1024, at most 1024)
   */
  positionChoices?: number
  /** r, length of the successor list (default 8) */
  successorListLength?: number
  /** ring members remembered to start lookups next to the key (default 1024; 0: plain Chord routing) */
  locationCacheSize?: number
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
  /** join (or create) the ring through `bootstrap` when the node starts (default true); false: the app calls join() */
  autoJoin?: boolean
  /** tell the neighbours and hand data over when the node stops (default true); false makes stop() look like a crash */
  leaveOnStop?: boolean
  /**
   * Use the ring without joining it (default false): put, get, delete,
   * lookup and content routing go through the members this peer knows
   * (`bootstrap`, peers it connects to that run the ring, members named in
   * answers), but it takes no ring position and holds no records. For app
   * peers behind NAT, in browsers, or short-lived. `setMode()` switches at
   * run time.
   */
  clientMode?: boolean
  /** replication factor r: distinct peers holding each key (default 3) */
  replicas?: number
  /** default consistency of reads and writes (default QUORUM) */
  consistency?: Consistency
  /** largest key, bytes (default 1024) */
  maxKeyBytes?: number
  /** largest value, bytes (default 1 MiB) */
  maxValueBytes?: number
  /** ms between replica syncs of this peer's own ranges (default 5000) */
  syncInterval?: number
  /** ms between sweeps for keys this peer no longer replicates (default 30000; ring changes trigger one) */
  sweepInterval?: number
  /** ms between collections of old tombstones and expired keys (default 60000) */
  gcInterval?: number
  /** ms a tombstone is kept before it may be collected (default 24 h) */
  tombstoneGrace?: number
  /** ms a graceful leave may spend handing data over (default 30000) */
  leaveTimeout?: number
  /** the ring is split into 2^bucketBits ranges for digest comparison (default 12) */
  bucketBits?: number
  /** records or keys accepted in one message (default 1024) */
  maxItemsPerMessage?: number
  /** the wall clock that versions are stamped from, ms since the epoch (default Date.now; tests step it) */
  wallClock?: () => number
  /**
   * where the records live (default: the node's datastore). createChordNode's
   * dataDir puts them in LevelDB here and leaves libp2p's peer store in
   * memory, so a full disk cannot stop the node from dialling its neighbours
   */
  datastore?: Datastore
}

export interface ChordComponents {
  peerId: PeerId
  /** records live under /chord/kv in the node's datastore */
  datastore: Datastore
  logger: ComponentLogger
  registrar: Registrar
  connectionManager: ConnectionManager
  addressManager: AddressManager
  /** libp2p's metrics, when the node has them (e.g. @libp2p/prometheus-metrics) */
  metrics?: Metrics
  /** libp2p's events: peers found by discovery are probed, to merge rings formed apart */
  events?: TypedEventTarget<Libp2pEvents>
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
  'ring:left': CustomEvent<HandoffResult>
  /** records moved to or from another peer: replica sync, handoff, leave */
  'transfer:progress': CustomEvent<TransferProgress>
}

export interface RingState {
  peer: string
  joined: boolean
  /** one entry per virtual node */
  positions: NodeState[]
}

/** Where the keys at a ring position live */
export interface Placement {
  /** the position asked about */
  id: Id
  /** successor(id): the member whose range holds it */
  owner: NodeRef
  /** the first r distinct peers from the owner on, in ring order, the owner first */
  replicas: NodeRef[]
  /** hops the lookup took */
  hops: number
}

/** The sizes a peer accepts (the service's options) */
export interface ChordLimits {
  maxKeyBytes: number
  maxValueBytes: number
  /** records or keys in one message */
  maxItemsPerMessage: number
}

export interface ExportRangeOptions {
  /** records in the page at most (default 256; capped at maxItemsPerMessage) */
  maxRecords?: number
  /** bytes of keys and values past the page's first record (default 1 MiB; the peer may answer less) */
  maxBytes?: number
  signal?: AbortSignal
}

export interface Chord extends TypedEventTarget<ChordEvents> {
  /** position of the peer's first virtual node */
  readonly id: Id
  /** every position is a ring member */
  readonly joined: boolean
  /** whether stop() leaves gracefully (initially the leaveOnStop option); false: stop like a crash */
  leaveOnStop: boolean
  join(addrs?: string[], options?: { signal?: AbortSignal }): Promise<void>
  leave(): Promise<void>
  /** 'client' (clientMode: uses the ring, holds no position and no records) or 'server' (a ring member) */
  getMode(): 'client' | 'server'
  /** switch at run time, like kad-dht's setMode: to 'client' leaves the ring gracefully first; to 'server' joins it */
  setMode(mode: 'client' | 'server'): Promise<void>
  findSuccessor(key: Uint8Array | string, options?: { signal?: AbortSignal }): Promise<LookupResult>
  findSuccessorOfId(id: Id, options?: { signal?: AbortSignal }): Promise<LookupResult>
  getRingState(): RingState
  put(key: Uint8Array | string, value: Uint8Array | string, options?: WriteOptions): Promise<Version>
  putMany(entries: Iterable<{ key: Uint8Array | string, value: Uint8Array | string }>, options?: WriteOptions): Promise<Version[]>
  /** the value, or undefined when the key is absent, deleted or expired */
  get(key: Uint8Array | string, options?: ReadOptions): Promise<Uint8Array | undefined>
  has(key: Uint8Array | string, options?: ReadOptions): Promise<boolean>
  delete(key: Uint8Array | string, options?: WriteOptions): Promise<Version>
  /** the key's owner and replica set, and what each replica holds */
  lookup(key: Uint8Array | string, options?: { signal?: AbortSignal }): Promise<KeyLocation>
  storeStats(): StoreStats
  /** the record this peer itself holds for `key`, tombstones included, without asking the ring */
  getLocalRecord(key: Uint8Array | string): Promise<StoreRecord | undefined>
  /** the records this peer itself holds whose key ids lie in (from, to], in ring order, tombstones included; from === to is the whole ring */
  localRecords(from: Id, to: Id, options?: { signal?: AbortSignal }): AsyncGenerator<StoreRecord>
  /** r, the replication factor: distinct peers holding each key */
  readonly replicationFactor: number
  readonly limits: ChordLimits
  /** the owner and replica set of ring position `id` (of a key: `keyId(key)`) */
  placement(id: Id, options?: { signal?: AbortSignal }): Promise<Placement>
  /** one page of the records `node` holds in (from, until], in ring order, tombstones included; from === until is the whole ring */
  exportRange(node: NodeRef, from: Id, until: Id, options?: ExportRangeOptions): Promise<RangePage>
}

/** The service factory, for `services: { chord: chord({...}) }` */
export function chord (init: ChordInit = {}): (components: ChordComponents) => Chord {
  return (components) => new ChordService(components, init)
}
