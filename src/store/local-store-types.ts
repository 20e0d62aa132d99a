/** The options and answers of LocalStore (src/store/local-store.ts) */
import type { RecordTotals } from './digest-table.ts'
import type { RecordLimits, Version } from './record.ts'
import type { StorageHealth } from './storage-health.ts'
import type { AbortOptions } from '@libp2p/interface'

export interface LocalStoreInit {
  /** datastore key prefix for records (default `/chord/kv`) */
  prefix?: string
  /** the ring is split into 2^bucketBits digest buckets (default 12) */
  bucketBits?: number
  /** size limits enforced by `apply` (default 1 KiB keys, 1 MiB values) */
  limits?: Partial<RecordLimits>
  /** how long a tombstone is kept before gc may drop it, in ms (default 24 h) */
  tombstoneGrace?: number
}

/** 'stale': the store already held this version or a newer one, and kept it */
export type ApplyResult = 'stored' | 'stale'

/** What anti-entropy compares: which write of a key a peer holds, without the value */
export interface VersionSummary {
  key: Uint8Array
  version: Version
  deleted: boolean
}

export interface GcResult {
  tombstones: number
  expired: number
}

export interface RangeOptions extends AbortOptions {
  /**
   * the caller means to read about this many records: the range is then
   * listed a part at a time, each part just big enough for this many, so a
   * page of a large range costs a listing of a page, not of the range
   */
  pageHint?: number
}

export interface DeleteOptions {
  /**
   * delete only if the held version is not newer than this one, so dropping a
   * copy after a handoff ack cannot drop a write that arrived since
   */
  upTo?: Version
}

/** What a peer holds, and whether it can store more */
export interface StoreStats extends RecordTotals, StorageHealth {}
