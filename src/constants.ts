/**
 * Every default of the service in one place. Options are resolved once, when
 * the service is built; the ring, the store and the RPC layer receive them
 * resolved and keep no fallbacks of their own.
 */
import { DEFAULT_LIMITS } from './store/record.ts'
import type { ChordInit } from './index.ts'

export const PROTOCOL = '/chord/1.0.0'

export const DEFAULTS = {
  protocol: PROTOCOL,
  virtualNodes: 1,
  positionChoices: 1024,
  locationCacheSize: 1024,
  stabilizeInterval: 1000,
  fixFingersInterval: 5000,
  checkPredecessorInterval: 2000,
  requestTimeout: 5000,
  dialTimeout: 5000,
  connectionIdleTimeout: 60_000,
  maxFrameSize: 4 * 1024 * 1024,
  maxInboundStreams: 8,
  maxOutboundStreams: 8,
  maxInFlightPerStream: 256,
  maxPendingPerPeer: 1024,
  maxNodesPerMessage: 64,
  maxAddrsPerNode: 16,
  joinRetryMinDelay: 250,
  joinRetryMaxDelay: 30_000,
  autoJoin: true,
  clientMode: false,
  leaveOnStop: true,
  replicas: 3,
  consistency: 'QUORUM',
  maxKeyBytes: DEFAULT_LIMITS.maxKeyBytes,
  maxValueBytes: DEFAULT_LIMITS.maxValueBytes,
  syncInterval: 5000,
  sweepInterval: 30_000,
  gcInterval: 60_000,
  tombstoneGrace: 24 * 60 * 60 * 1000,
  leaveTimeout: 30_000,
  bucketBits: 12,
  maxItemsPerMessage: 1024,
  wallClock: Date.now
} satisfies Required<Omit<ChordInit, 'bootstrap' | 'successorListLength' | 'datastore'>>

/** The service's options with every default filled in */
export type ResolvedOptions = Required<Omit<ChordInit, 'bootstrap' | 'datastore'>> & Pick<ChordInit, 'datastore'>

/** Defaults for store settings that are not service options */
export const STORE_DEFAULTS = {
  /** version entries per VERSIONS page */
  versionsPage: 4096,
  /** batches in flight at once per transfer */
  pipelineDepth: 3,
  /** bytes of values one FETCH or RANGE_RECORDS answer holds at most (past its first record) */
  maxFetchBytes: 2 * 1024 * 1024,
  /** a sweep another peer asks for runs at most this often, ms */
  sweepSoonMinGap: 1000,
  /** records and bytes per transfer batch, at most */
  maxBatchRecords: 1024,
  maxBatchBytes: 1024 * 1024,
  /** attempts to restamp a write past newer versions a replica kept */
  maxRestamps: 3,
  /** longest wait between handoff rounds of a graceful leave, ms */
  maxLeaveRetryDelay: 1000
} as const

/** Fill in the defaults of `init`; undefined fields count as unset */
export function resolveOptions (init: ChordInit): ResolvedOptions {
  const merged = { ...DEFAULTS, ...definedOnly(init) }
  // the successor list must reach r distinct peers even with virtual nodes
  const successorListLength = init.successorListLength ??
    Math.min(merged.maxNodesPerMessage, Math.max(8, 2 * merged.replicas * merged.virtualNodes))
  if (successorListLength > merged.maxNodesPerMessage) {
    throw new RangeError(`successorListLength ${successorListLength} exceeds maxNodesPerMessage ${merged.maxNodesPerMessage}`)
  }
  return { ...merged, successorListLength }
}

function definedOnly<T extends object> (init: T): Partial<T> {
  return Object.fromEntries(Object.entries(init).filter(([, v]) => v !== undefined)) as Partial<T>
}
