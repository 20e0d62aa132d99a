/**
 * What the store's parts share: the ring as the store sees it, the network,
 * the local records, the clocks, the resolved options, and the one piece of
 * state they all look at (whether the peer is leaving).
 */
import { replicaSet } from './replicas.ts'
import type { LocalStore } from './local-store.ts'
import type { HybridClock, Timestamp } from './hlc.ts'
import type { RangeSyncInit } from './range-sync.ts'
import type { RecordLimits } from './record.ts'
import type { Consistency, RingView, StoreRpc } from './types.ts'
import type { NodeRef } from '../ring/types.ts'
import type { Clock } from '../util/clock.ts'
import type { Log } from '../util/log.ts'

/** The store's settings, every one resolved (defaults in src/constants.ts) */
export interface StoreOptions {
  /** replication factor r */
  replicas: number
  /** default consistency level of reads and writes */
  consistency: Consistency
  /** ms between replica syncs of this peer's own ranges */
  syncInterval: number
  /** ms between sweeps for keys this peer no longer replicates (ring changes trigger one too) */
  sweepInterval: number
  /** ms between collections of old tombstones and expired keys */
  gcInterval: number
  /** how long a graceful leave may spend handing data over, ms */
  leaveTimeout: number
  /** records and bytes of keys and values per transfer message */
  batchRecords: number
  batchBytes: number
  /** version entries per VERSIONS page */
  versionsPage: number
  /** batches in flight at once per transfer */
  pipelineDepth: number
  /**
   * ms a sweep another peer asked for waits, so that the successor lists
   * around a join have settled and lookups name the new replica sets
   */
  sweepSoonDelay: number
  /** a sweep another peer asks for runs at most once per this many ms */
  sweepSoonMinGap: number
  /** ms after a change of this peer's ranges during which its FETCH misses are not final */
  settleTime: number
  /** bytes of values one FETCH or RANGE_RECORDS answer holds at most, past its first record */
  maxFetchBytes: number
  /** times a write is restamped past newer versions replicas kept */
  maxRestamps: number
  /** longest wait between handoff rounds of a graceful leave, ms */
  maxLeaveRetryDelay: number
}

export type OwnerCheckOutcome = 'confirmed' | 'not_owner' | 'failed'

export interface StoreContext {
  /** this peer's address */
  readonly self: string
  readonly ring: RingView
  readonly rpc: StoreRpc
  readonly local: LocalStore
  readonly hlc: HybridClock
  /** the clock's next reading for a new version, below its durable mark (clock-mark.ts) */
  stamp(): Promise<Timestamp>
  readonly limits: RecordLimits
  readonly options: StoreOptions
  readonly clock: Clock
  readonly log: Log
  /** what a range transfer needs (range-sync.ts) */
  readonly sync: RangeSyncInit
  /** set by a graceful leave: the peer takes no new data */
  leaving: boolean
  /**
   * until when a FETCH miss here is not final: this peer's ranges changed
   * (a join, a merge of rings) and keys may still be on their way to it
   */
  unsettledUntil: number
  /** an absent read asked `peers` members past the replica set, because replicas were unsettled */
  onReadBeyond?(peers: number): void
  /** a read or write went straight to a guessed owner: how its check ended */
  onOwnerCheck?(outcome: OwnerCheckOutcome): void
}

/** The replica set of a position's own range (predecessor, self] */
export function positionReplicas (ctx: StoreContext, position: { self: NodeRef, successors: NodeRef[] }): NodeRef[] {
  return replicaSet([position.self, ...position.successors], ctx.options.replicas)
}

/** ...without this peer */
export function otherReplicas (ctx: StoreContext, position: { self: NodeRef, successors: NodeRef[] }): NodeRef[] {
  return positionReplicas(ctx, position).filter(n => n.peer !== ctx.self)
}
