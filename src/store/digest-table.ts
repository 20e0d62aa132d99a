/**
 * The in-memory summary of what the local store holds: per bucket, the XOR
 * of the digests of its records and their count, and the totals of keys,
 * tombstones and bytes. Updated on every change, so neighbours can compare
 * ranges for anti-entropy without reading the disk.
 */
import { recordDigest } from './record.ts'
import type { BucketLayout } from './buckets.ts'
import type { StoreRecord } from './record.ts'
import type { Id } from '../ring/id.ts'

export const DIGEST_BYTES = 32

export interface BucketDigest {
  bucket: number
  digest: Uint8Array
  /** the bucket reaches outside the range, so `digest` covers records outside it too */
  partial: boolean
}

/** What the records held add up to */
export interface RecordTotals {
  /** live records (expired ones included until gc) */
  keys: number
  tombstones: number
  /** key plus value bytes of every record held */
  bytes: number
}

export class DigestTable {
  private readonly layout: BucketLayout
  private readonly digests: Uint8Array
  /** records per bucket */
  readonly counts: Uint32Array
  private readonly totals: RecordTotals = { keys: 0, tombstones: 0, bytes: 0 }
  /** records held with an expiry time: with none, and no tombstone, gc has nothing to look for */
  expiring = 0

  constructor (layout: BucketLayout) {
    this.layout = layout
    this.digests = new Uint8Array(layout.count * DIGEST_BYTES)
    this.counts = new Uint32Array(layout.count)
  }

  clear (): void {
    this.digests.fill(0)
    this.counts.fill(0)
    Object.assign(this.totals, { keys: 0, tombstones: 0, bytes: 0 })
    this.expiring = 0
  }

  /** Add (sign 1) or remove (sign -1) a record in the digests and stats */
  account (id: Id, record: StoreRecord, sign: 1 | -1): void {
    const bucket = this.layout.bucketOf(id)
    xorInto(this.digests, bucket * DIGEST_BYTES, recordDigest(record))
    this.counts[bucket] += sign
    if (record.expiresAt != null) this.expiring += sign
    if (record.deleted) {
      this.totals.tombstones += sign
    } else {
      this.totals.keys += sign
    }
    this.totals.bytes += sign * (record.key.byteLength + record.value.byteLength)
  }

  /** The digests of the buckets (from, to] touches, whole buckets each */
  bucketDigests (from: Id, to: Id): BucketDigest[] {
    const out = new Map<number, BucketDigest>()
    for (const segment of this.layout.segments(from, to)) {
      const seen = out.get(segment.bucket)
      if (seen != null) {
        // the range wraps round inside this bucket
        seen.partial = true
        continue
      }
      const start = segment.bucket * DIGEST_BYTES
      out.set(segment.bucket, {
        bucket: segment.bucket,
        digest: this.digests.slice(start, start + DIGEST_BYTES),
        partial: !this.layout.isWhole(segment)
      })
    }
    return [...out.values()]
  }

  stats (): RecordTotals {
    return { ...this.totals }
  }
}

export function xorInto (target: Uint8Array, offset: number, digest: Uint8Array): void {
  for (let i = 0; i < digest.length; i++) target[offset + i] ^= digest[i]
}
