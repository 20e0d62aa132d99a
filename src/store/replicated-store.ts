/**
 * The replicated key–value store on top of the ring, in three parts that
 * share one StoreContext:
 *
 * - the Coordinator (coordinator.ts, direct.ts) runs put/get/delete for any
 *   key: a key lives on its first r distinct peers from successor(key) on;
 * - the Replica (replica.ts) answers other peers' requests and owns the
 *   owner rule;
 * - Maintenance (maintenance.ts) syncs, sweeps, collects and hands data over
 *   on a graceful leave, on timers and on ring events.
 *
 * This class builds them and is the store's one face to the service.
 */
import { realClock } from '../util/clock.ts'
import { ClockMark } from './clock-mark.ts'
import { silentLog } from '../util/log.ts'
import { Coordinator } from './coordinator.ts'
import { Maintenance } from './maintenance.ts'
import { pushRecords } from './range-sync.ts'
import { Replica } from './replica.ts'
import type { OwnerCheckOutcome, StoreContext, StoreOptions } from './context.ts'
import type { KeyLocation, ReadOptions, WriteOptions } from './coordinator.ts'
import type { HybridClock } from './hlc.ts'
import type { LocalStore, StoreStats } from './local-store.ts'
import type { HandoffResult } from './maintenance.ts'
import type { SyncResult } from './range-sync.ts'
import type { RecordLimits, StoreRecord, Version } from './record.ts'
import type { RingView, StoreRpc, TransferProgress } from './types.ts'
import type { NodeRef, RequestOptions } from '../ring/types.ts'
import type { Clock } from '../util/clock.ts'
import type { Log } from '../util/log.ts'

export type { OwnerCheckOutcome, StoreOptions } from './context.ts'
export type { KeyLocation, ReadOptions, WriteOptions } from './coordinator.ts'
export type { HandoffResult } from './maintenance.ts'

export interface ReplicatedStoreInit {
  ring: RingView
  /** requests to other peers; ones to this peer must reach its replica too (a loopback) */
  rpc: StoreRpc
  local: LocalStore
  hlc: HybridClock
  limits: RecordLimits
  /** every setting resolved (src/constants.ts holds the defaults) */
  options: StoreOptions
  clock?: Clock
  log?: Log
  onProgress?(progress: TransferProgress): void
  /** a read or write went straight to a guessed owner: how its check ended */
  onOwnerCheck?(outcome: OwnerCheckOutcome): void
  /** an absent read asked members past the replica set (replicas were unsettled) */
  onReadBeyond?(peers: number): void
}

export class ReplicatedStore {
  readonly context: StoreContext
  readonly coordinator: Coordinator
  /** the handler of other peers' requests (and of this peer's own, through the loopback) */
  readonly replica: Replica
  readonly maintenance: Maintenance

  constructor (init: ReplicatedStoreInit) {
    const { options } = init
    if (!Number.isInteger(options.replicas) || options.replicas < 1) throw new RangeError(`replicas must be a positive integer, got ${options.replicas}`)
    const mark = new ClockMark({ hlc: init.hlc, store: init.local })
    const context: StoreContext = {
      self: init.ring.peer,
      ring: init.ring,
      rpc: init.rpc,
      local: init.local,
      hlc: init.hlc,
      stamp: async () => mark.stamp(),
      limits: init.limits,
      options,
      clock: init.clock ?? realClock,
      log: init.log ?? silentLog,
      sync: {
        local: init.local,
        rpc: init.rpc,
        batchRecords: options.batchRecords,
        batchBytes: options.batchBytes,
        versionsPage: options.versionsPage,
        pipelineDepth: options.pipelineDepth,
        acceptMany: async (records, from) => this.replica.acceptMany(records, from),
        onProgress: init.onProgress
      },
      leaving: false,
      unsettledUntil: -Infinity,
      onOwnerCheck: init.onOwnerCheck,
      onReadBeyond: init.onReadBeyond
    }
    this.context = context
    this.coordinator = new Coordinator(context)
    this.maintenance = new Maintenance(context)
    this.replica = new Replica(context, () => { this.maintenance.sweepSoon() })
  }

  start (): void {
    this.maintenance.start()
  }

  stop (): void {
    this.maintenance.stop()
  }

  // --- ring events ---

  /** a successor changed */
  ringChanged (): void {
    this.maintenance.ringChanged()
  }

  predecessorChanged (): void {
    this.maintenance.predecessorChanged()
  }

  /** some entry of a successor list changed */
  successorsChanged (): void {
    this.maintenance.successorsChanged()
  }

  // --- the coordinator ---

  async put (key: Uint8Array, value: Uint8Array, options?: WriteOptions): Promise<Version> {
    return this.coordinator.put(key, value, options)
  }

  async putMany (entries: Iterable<{ key: Uint8Array, value: Uint8Array }>, options?: WriteOptions): Promise<Version[]> {
    return this.coordinator.putMany(entries, options)
  }

  async get (key: Uint8Array, options?: ReadOptions): Promise<Uint8Array | undefined> {
    return this.coordinator.get(key, options)
  }

  async has (key: Uint8Array, options?: ReadOptions): Promise<boolean> {
    return this.coordinator.has(key, options)
  }

  async delete (key: Uint8Array, options?: WriteOptions): Promise<Version> {
    return this.coordinator.delete(key, options)
  }

  async lookup (key: Uint8Array, options?: RequestOptions): Promise<KeyLocation> {
    return this.coordinator.lookup(key, options)
  }

  // --- this peer ---

  stats (): StoreStats {
    return this.context.local.stats()
  }

  /** Graceful leave (after the ring was told): refuse new data, hand every key over */
  async leave (): Promise<HandoffResult> {
    return this.maintenance.leave()
  }

  /** Push records straight to a peer (used by tests and tools) */
  async pushTo (peer: NodeRef, records: StoreRecord[]): Promise<SyncResult> {
    const result: SyncResult = { pushed: 0, pulled: 0, bytes: 0 }
    await pushRecords(this.context.sync, peer, records, 'handoff', result)
    return result
  }
}
