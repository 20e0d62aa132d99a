/**
 * The parts the Chord service is built from, each from the resolved options:
 * the RPC client and server, the local store, and the settings handed to the
 * store and to its protocol.
 */
import { STORE_DEFAULTS } from './constants.ts'
import { describeNode } from './ring/node-ref.ts'
import { RingPeer } from './ring/ring-peer.ts'
import { ClientRing } from './ring/client-ring.ts'
import { ChordLoopback } from './rpc/loopback.ts'
import { clientProtocol } from './rpc/client-methods.ts'
import { RpcClient } from './rpc/rpc-client.ts'
import { RpcServer } from './rpc/rpc-server.ts'
import { LocalStore } from './store/local-store.ts'
import type { ResolvedOptions } from './constants.ts'
import type { ChordComponents, ChordEvents, RingChange } from './index.ts'
import type { ChordRpc, RequestOptions } from './ring/types.ts'
import type { RingProtocolLimits } from './rpc/ring-protocol.ts'
import type { ReplicatedStore } from './store/replicated-store.ts'
import type { ChordMetrics } from './metrics.ts'
import type { StoreProtocolLimits } from './rpc/store-protocol.ts'
import type { RecordLimits } from './store/record.ts'
import type { StoreOptions } from './store/replicated-store.ts'
import type { Logger } from '@libp2p/interface'

export function buildClient (components: ChordComponents, options: ResolvedOptions, log: Logger, metrics: ChordMetrics): RpcClient {
  return new RpcClient({
    protocol: options.protocol,
    connectionManager: components.connectionManager,
    maxFrameSize: options.maxFrameSize,
    maxPendingPerPeer: options.maxPendingPerPeer,
    requestTimeout: options.requestTimeout,
    dialTimeout: options.dialTimeout,
    idleTimeout: options.connectionIdleTimeout,
    log,
    onCall: (method, seconds, ok) => { metrics.rpc(method, seconds, ok) }
  })
}

export function buildServer (options: ResolvedOptions, log: Logger, metrics: ChordMetrics): RpcServer {
  return new RpcServer({
    maxFrameSize: options.maxFrameSize,
    maxInFlightPerStream: options.maxInFlightPerStream,
    log,
    onServe: () => { metrics.servedRequest() }
  })
}

export function buildLocalStore (components: ChordComponents, options: ResolvedOptions): LocalStore {
  return new LocalStore(options.datastore ?? components.datastore, {
    prefix: '/chord/kv',
    bucketBits: options.bucketBits,
    limits: recordLimits(options),
    tombstoneGrace: options.tombstoneGrace
  })
}

export function recordLimits (options: ResolvedOptions): RecordLimits {
  return { maxKeyBytes: options.maxKeyBytes, maxValueBytes: options.maxValueBytes }
}

export function storeLimits (options: ResolvedOptions): StoreProtocolLimits {
  return {
    ...recordLimits(options),
    maxItemsPerMessage: options.maxItemsPerMessage,
    maxBuckets: 2 ** options.bucketBits,
    maxSuccessors: options.maxNodesPerMessage,
    maxAddrsPerNode: options.maxAddrsPerNode
  }
}

export function storeOptions (options: ResolvedOptions): StoreOptions {
  return {
    ...STORE_DEFAULTS,
    replicas: options.replicas,
    consistency: options.consistency,
    syncInterval: options.syncInterval,
    sweepInterval: options.sweepInterval,
    gcInterval: options.gcInterval,
    leaveTimeout: options.leaveTimeout,
    batchRecords: Math.min(STORE_DEFAULTS.maxBatchRecords, options.maxItemsPerMessage),
    // a batch of records must fit in one frame, with room for the envelope
    batchBytes: Math.min(STORE_DEFAULTS.maxBatchBytes, options.maxFrameSize / 2),
    // successor lists settle about one position per stabilization round
    sweepSoonDelay: (options.replicas + 1) * options.stabilizeInterval,
    // the ring settles, then two sync rounds: by then a handoff has usually arrived
    settleTime: (options.replicas + 1) * options.stabilizeInterval + 2 * options.syncInterval
  }
}

export function ringLimits (options: ResolvedOptions): RingProtocolLimits {
  return { maxNodesPerMessage: options.maxNodesPerMessage, maxAddrsPerNode: options.maxAddrsPerNode }
}

export interface RingHooks {
  log: Logger
  metrics: ChordMetrics
  /** the store, told of ring changes (built after the ring) */
  store(): ReplicatedStore
  emit(type: keyof ChordEvents & `${string}:change`, detail: RingChange): void
  /** the peer took ring position `vnode` (it joined, or moved off a crowded point) */
  positionChanged(vnode: number): void
}

/** The ring logic of a member, its events turned into the service's */
export function buildRingPeer (components: ChordComponents, options: ResolvedOptions, rpc: ChordRpc, hooks: RingHooks): RingPeer {
  const { log, metrics } = hooks
  const peer = components.peerId.toString()
  const ring: RingPeer = new RingPeer({
    peer,
    peerBytes: components.peerId.toMultihash().bytes,
    addrs: () => components.addressManager.getAddresses().map(a => a.toString()),
    rpc: new ChordLoopback(peer, rpc, () => ring),
    virtualNodes: options.virtualNodes,
    positionChoices: options.positionChoices,
    replicas: options.replicas,
    successorListLength: options.successorListLength,
    locationCacheSize: options.locationCacheSize,
    stabilizeInterval: options.stabilizeInterval,
    fixFingersInterval: options.fixFingersInterval,
    checkPredecessorInterval: options.checkPredecessorInterval,
    // ring unification after partitions: lost members are probed on the stabilization's time scale
    probeInterval: 2 * options.stabilizeInterval,
    maxProbeInterval: 10 * options.stabilizeInterval,
    onProbe: (outcome) => { metrics.probe(outcome) },
    log,
    onSuccessorChange: (vnode, previous, current) => {
      log('position %d: successor %s -> %s', vnode, describeNode(previous), describeNode(current))
      hooks.store().ringChanged()
      metrics.ringChange('successor')
      hooks.emit('successor:change', { vnode, previous, current })
    },
    onPredecessorChange: (vnode, previous, current) => {
      log('position %d: predecessor %s -> %s', vnode, describeNode(previous), describeNode(current))
      hooks.store().predecessorChanged()
      metrics.ringChange('predecessor')
      hooks.emit('predecessor:change', { vnode, previous, current })
    },
    onSuccessorListChange: () => { hooks.store().successorsChanged() },
    onPositionChange: (vnode) => { hooks.positionChanged(vnode) },
    onLookup: (hops) => { metrics.lookup(hops) }
  })
  return ring
}

/** The ring as a client sees it (client mode); `whenNoMembers` waits for the bootstrap dials under way */
export function buildClientRing (components: ChordComponents, options: ResolvedOptions, rpc: ChordRpc, log: Logger, metrics: ChordMetrics, whenNoMembers: (options: RequestOptions) => Promise<void>): ClientRing {
  return new ClientRing({
    peer: components.peerId.toString(),
    rpc,
    locationCacheSize: options.locationCacheSize,
    log,
    whenNoMembers,
    onLookup: (hops) => { metrics.lookup(hops) }
  })
}

/** Members answer members on the ring's protocol, and clients on `<protocol>/client` with `clientServer`, a subset */
export async function handleProtocols (components: ChordComponents, options: ResolvedOptions, server: RpcServer, clientServer: RpcServer): Promise<void> {
  const limits = { maxInboundStreams: options.maxInboundStreams, maxOutboundStreams: options.maxOutboundStreams }
  await components.registrar.handle(options.protocol, (stream, connection) => { server.handleStream(stream, connection) }, limits)
  await components.registrar.handle(clientProtocol(options.protocol), (stream, connection) => { clientServer.handleStream(stream, connection) }, limits)
}

export async function unhandleProtocols (components: ChordComponents, options: ResolvedOptions): Promise<void> {
  await components.registrar.unhandle(options.protocol)
  await components.registrar.unhandle(clientProtocol(options.protocol))
}
