/**
 * Range scans of the local store's datastore in ring order: a ring interval
 * is a run of bucket prefixes, read a block of buckets at a time.
 */
import { hasRangeReads } from './datastore-reads.ts'
import type { BucketLayout, Segment } from './buckets.ts'
import type { RangeOptions } from './local-store.ts'
import type { Id } from '../ring/id.ts'
import type { Datastore } from 'interface-datastore'

/** records read from the datastore at once by a range scan, at most */
export const BLOCK_RECORDS = 4096

/** What a scan reads from: the local store's datastore and layout */
export interface ScanSource {
  datastore: Datastore
  /** the datastore prefix the records live under */
  prefix: string
  layout: BucketLayout
  /** records per bucket: empty buckets are skipped */
  counts: Uint32Array
  pathOf(id: Id): string
  /** throws once the store is closed */
  assertOpen(): void
}

/**
 * The stored entries in (from, to], in ring order, keys only or with
 * values. Each run of consecutive buckets is read with a few prefix
 * queries, one per aligned block of buckets (the hex digits of a bucket
 * name are prefixes of its paths): a datastore that answers a prefix by
 * scanning every key (the in-memory one) pays one scan per block, not per
 * bucket, and one that seeks (LevelDB) reads only the block, values with
 * the keys, in one pass. A block holds at most `pageHint` records (the
 * caller means to stop early) or BLOCK_RECORDS, so memory stays bounded.
 * Empty buckets cost nothing.
 */
export async function * scanRange (source: ScanSource, from: Id, to: Id, bucket: number | undefined, values: boolean, options?: RangeOptions): AsyncGenerator<{ path: string, value?: Uint8Array }> {
  const cap = Math.max(1, Math.min(options?.pageHint ?? BLOCK_RECORDS, BLOCK_RECORDS))
  // runs of segments in ascending bucket order (a range wraps round at most once, and may revisit its first bucket)
  const runs: Segment[][] = []
  for (const segment of source.layout.segments(from, to)) {
    if (bucket != null && segment.bucket !== bucket) continue
    const run = runs.at(-1)
    if (run !== undefined && run[run.length - 1].bucket + 1 === segment.bucket) {
      run.push(segment)
    } else {
      runs.push([segment])
    }
  }
  const datastore = source.datastore
  for (const run of runs) {
    const loPath = source.pathOf(run[0].lo)
    const hiPath = source.pathOf(run[run.length - 1].hi)
    if (hasRangeReads(datastore)) {
      // LevelDB: the run is one key range, read in order, `cap` entries per step
      for await (const entries of datastore.entriesIn(loPath, hiPath, values, cap, options)) {
        for (const [path, value] of entries) {
          source.assertOpen()
          yield { path, value }
        }
      }
      continue
    }
    for (const prefix of blocks(source.layout, source.counts, run[0].bucket, run[run.length - 1].bucket, cap)) {
      const entries: Array<{ path: string, value?: Uint8Array }> = []
      const query = { prefix: `${source.prefix}/${prefix}` }
      if (values) {
        for await (const { key, value } of source.datastore.query(query, options)) {
          const path = key.toString()
          if (path >= loPath && path <= hiPath) entries.push({ path, value })
        }
      } else {
        for await (const key of source.datastore.queryKeys(query, options)) {
          const path = key.toString()
          if (path >= loPath && path <= hiPath) entries.push({ path })
        }
      }
      // a datastore need not list in order; fixed-width hex paths sort like ids
      let sorted = true
      for (let i = 1; i < entries.length && sorted; i++) sorted = entries[i - 1].path < entries[i].path
      if (!sorted) entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
      for (const entry of entries) {
        source.assertOpen()
        yield entry
      }
    }
  }
}

/**
 * Hex prefixes covering the buckets first..last (first ≤ last), in order:
 * each an aligned block of 16^k buckets holding at most `cap` records (or
 * a single bucket), skipping empty ones.
 */
function * blocks (layout: BucketLayout, counts: Uint32Array, first: number, last: number, cap: number): Generator<string> {
  const width = layout.toHex(0).length
  let b = first
  while (b <= last) {
    let size = 1
    let held = counts[b]
    for (let k = 1; k <= width; k++) {
      const bigger = 16 ** k
      if (b % bigger !== 0 || b + bigger - 1 > last) break
      let sum = 0
      for (let i = b; i < b + bigger && i < layout.count; i++) sum += counts[i]
      if (sum > cap) break
      size = bigger
      held = sum
    }
    const k = Math.round(Math.log(size) / Math.log(16))
    if (held > 0) yield layout.toHex(b).slice(0, width - k)
    b += size
  }
}
