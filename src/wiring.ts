/**
 * The parts the Chord service is built from, each from the resolved options:
 * the RPC client and server, the local store, and the settings handed to the
 * store and to its protocol.
 */
import { STORE_DEFAULTS } from './constants.ts'
import { RpcClient } from './rpc/rpc-client.ts'
import { RpcServer } from './rpc/rpc-server.ts'
import { LocalStore } from './store/local-store.ts'
import type { ResolvedOptions } from './constants.ts'
import type { ChordComponents } from './index.ts'
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
