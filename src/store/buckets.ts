/**
 * Splits the ring into 2^bits equal buckets by the top bits of an identifier.
 * Buckets are the unit of storage scans and of range digests: a ring interval
 * is a run of consecutive buckets, whole in the middle and partial at the ends.
 */
import { distance, ID_BITS, RING_SIZE } from '../ring/id.ts'
import type { Id } from '../ring/id.ts'

/** Part of an interval inside one bucket: the ids lo..hi, lo ≤ hi, both inclusive */
export interface Segment {
  bucket: number
  lo: Id
  hi: Id
}

/** 2^16 buckets already cost 2 MiB of digests; more buys nothing */
export const MAX_BUCKET_BITS = 16

export class BucketLayout {
  readonly bits: number
  readonly count: number
  private readonly shift: bigint
  private readonly size: Id
  private readonly hexWidth: number

  constructor (bits: number) {
    if (!Number.isInteger(bits) || bits < 1 || bits > MAX_BUCKET_BITS) {
      throw new RangeError(`bucket bits must be an integer in [1, ${MAX_BUCKET_BITS}], got ${bits}`)
    }
    this.bits = bits
    this.count = 2 ** bits
    this.shift = BigInt(ID_BITS - bits)
    this.size = 1n << this.shift
    this.hexWidth = Math.ceil(bits / 4)
  }

  bucketOf (id: Id): number {
    return Number(id >> this.shift)
  }

  firstId (bucket: number): Id {
    return BigInt(bucket) << this.shift
  }

  lastId (bucket: number): Id {
    return this.firstId(bucket) + this.size - 1n
  }

  /** Fixed-width hex, so bucket names sort like their numbers */
  toHex (bucket: number): string {
    return bucket.toString(16).padStart(this.hexWidth, '0')
  }

  /** The segment spans its whole bucket */
  isWhole (segment: Segment): boolean {
    return segment.lo === this.firstId(segment.bucket) && segment.hi === this.lastId(segment.bucket)
  }

  /**
   * The half-open ring interval (from, to] cut at bucket boundaries, in ring
   * order; from === to is the whole ring, starting after `from`. An interval
   * that wraps round inside one bucket visits that bucket twice, first and last.
   */
  * segments (from: Id, to: Id): Generator<Segment> {
    let cur = (from + 1n) % RING_SIZE
    while (true) {
      const bucket = this.bucketOf(cur)
      const hi = this.lastId(bucket)
      // distance(cur, to) ids remain after cur; the last one is `to` itself
      if (distance(cur, to) <= hi - cur) {
        yield { bucket, lo: cur, hi: to }
        return
      }
      yield { bucket, lo: cur, hi }
      cur = (hi + 1n) % RING_SIZE
    }
  }
}
