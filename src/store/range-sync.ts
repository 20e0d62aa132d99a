/**
 * Anti-entropy for one ring range between this peer and another: compare one
 * digest of the range; if it differs, compare per-bucket digests. Buckets one
 * side holds nothing of move whole: ours are streamed to the peer, theirs
 * are read with RANGE_RECORDS pages. In the buckets both sides hold records
 * of, compare key versions and move only the records one side lacks or
 * holds an older version of. Every transfer goes in bounded batches, a few
 * in flight at once, so reading, the network and writing overlap.
 */
import { pipe } from 'it-pipe'
import { equals as uint8ArrayEquals } from 'uint8arrays/equals'
import { toString as uint8ArrayToString } from 'uint8arrays/to-string'
import { distance, keyId, RING_SIZE } from '../ring/id.ts'
import type { BucketLayout } from './buckets.ts'
import { newer } from './record.ts'
import type { LocalStore } from './local-store.ts'
import type { StoreRecord } from './record.ts'
import type { RangePage, StoreRpc, TransferProgress, VersionEntry } from './types.ts'
import type { Id } from '../ring/id.ts'
import type { NodeRef } from '../ring/types.ts'

export interface RangeSyncInit {
  local: LocalStore
  rpc: StoreRpc
  /** records per STORE/FETCH/RANGE_RECORDS message */
  batchRecords: number
  /** bytes of keys and values per STORE/RANGE_RECORDS message */
  batchBytes: number
  /** version entries per VERSIONS page */
  versionsPage: number
  /** batches in flight at once per transfer (default 3) */
  pipelineDepth?: number
  /**
   * apply records received from `from` (updates the clock, checks drift):
   * per record true if stored, false if the same or a newer version was held
   */
  acceptMany(records: StoreRecord[], from: string): Promise<boolean[]>
  onProgress?(progress: TransferProgress): void
}

export interface SyncResult {
  pushed: number
  pulled: number
  bytes: number
}

/** XOR of digests: the digest of a set of records */
export function xorDigests (digests: Iterable<Uint8Array>): Uint8Array {
  const out = new Uint8Array(32)
  for (const digest of digests) {
    for (let i = 0; i < out.length; i++) out[i] ^= digest[i]
  }
  return out
}

const ZERO = new Uint8Array(32)
const hex = (bytes: Uint8Array): string => uint8ArrayToString(bytes, 'base16')
const DEFAULT_DEPTH = 3
/** buckets per RANGE_RECORDS part: parts of a large range are read side by side */
const PULL_PART_BUCKETS = 256
/** buckets compared version by version at once */
const COMPARE_CONCURRENCY = 4

/**
 * Make `peer` hold at least our version of everything we hold in (from,
 * until]; with mode 'both', also take from it what it holds newer.
 */
export async function syncRange (init: RangeSyncInit, peer: NodeRef, from: Id, until: Id, mode: 'push' | 'both', reason: TransferProgress['reason'], signal?: AbortSignal): Promise<SyncResult> {
  const { local, rpc } = init
  const result: SyncResult = { pushed: 0, pulled: 0, bytes: 0 }
  const localBuckets = await local.rangeDigests(from, until)
  const remoteDigest = await rpc.rangeDigest(peer, from, until, { signal })
  if (uint8ArrayEquals(xorDigests(localBuckets.map(b => b.digest)), remoteDigest)) return result

  const remoteBuckets = new Map((await rpc.bucketDigests(peer, from, until, { signal })).map(b => [b.bucket, b.digest]))
  const localDigests = new Map(localBuckets.map(b => [b.bucket, b.digest]))
  /** buckets only we hold records of: pushed whole */
  const pushWhole = new Set<number>()
  /** buckets only the peer holds records of: pulled whole */
  const pullWhole = new Set<number>()
  /** buckets both hold records of, differently: compared key by key */
  const compare: number[] = []
  for (const bucket of new Set([...localDigests.keys(), ...remoteBuckets.keys()])) {
    const ours = localDigests.get(bucket) ?? ZERO
    const theirs = remoteBuckets.get(bucket) ?? ZERO
    if (uint8ArrayEquals(ours, theirs)) continue
    if (uint8ArrayEquals(theirs, ZERO)) {
      pushWhole.add(bucket)
    } else if (uint8ArrayEquals(ours, ZERO)) {
      if (mode === 'both') pullWhole.add(bucket)
    } else {
      compare.push(bucket)
    }
  }

  if (pushWhole.size > 0) {
    // the runs of whole buckets, read range by range: no record is read, or hashed, only to be skipped
    const runs = wholeRuns(local.layout, from, until, pushWhole)
    async function * ours (): AsyncGenerator<StoreRecord> {
      for (const [a, b] of runs) yield * local.range(a, b)
    }
    await pushRecords(init, peer, ours(), reason, result, signal)
  }
  if (pullWhole.size > 0) await pullRanges(init, peer, wholeRuns(local.layout, from, until, pullWhole), reason, result, signal)
  await forEachConcurrently(compare, COMPARE_CONCURRENCY, async bucket => {
    const remote = await remoteVersions(rpc, peer, from, until, bucket, init.versionsPage, signal)
    const mine = new Map<string, VersionEntry>()
    for await (const entry of local.versionsIn(from, until, bucket)) mine.set(hex(entry.key), entry)
    const toPush = [...mine].filter(([k, m]) => {
      const t = remote.get(k)
      return t === undefined || newer(m.version, t.version)
    }).map(([, m]) => m.key)
    const toPull = mode === 'push'
      ? []
      : [...remote].filter(([k, t]) => {
          const m = mine.get(k)
          return m === undefined || newer(t.version, m.version)
        }).map(([, t]) => t.key)
    await push(init, peer, toPush, reason, result, signal)
    await pull(init, peer, toPull, reason, result, signal)
  })
  return result
}

/**
 * The parts of (from, until] that lie in `buckets`, as ranges (a, b] in ring
 * order, consecutive buckets merged, each at most PULL_PART_BUCKETS long.
 */
function wholeRuns (layout: BucketLayout, from: Id, until: Id, buckets: Set<number>): Array<[Id, Id]> {
  const runs: Array<[Id, Id]> = []
  let run: { a: Id, b: Id, buckets: number } | undefined
  for (const segment of layout.segments(from, until)) {
    if (!buckets.has(segment.bucket)) {
      run = undefined
      continue
    }
    const a = (segment.lo - 1n + RING_SIZE) % RING_SIZE
    if (run !== undefined && run.b === a && run.buckets < PULL_PART_BUCKETS) {
      run.b = segment.hi
      run.buckets++
      runs[runs.length - 1][1] = segment.hi
    } else {
      run = { a, b: segment.hi, buckets: 1 }
      runs.push([a, segment.hi])
    }
  }
  return runs
}

/** Read every record the peer holds in these ranges with RANGE_RECORDS pages, and keep the newer ones */
async function pullRanges (init: RangeSyncInit, peer: NodeRef, ranges: Array<[Id, Id]>, reason: TransferProgress['reason'], result: SyncResult, signal?: AbortSignal): Promise<void> {
  const depth = Math.max(1, init.pipelineDepth ?? DEFAULT_DEPTH)
  await forEachConcurrently(ranges, depth, async ([a, b]) => {
    const ask = async (cursor: Id): Promise<RangePage> =>
      init.rpc.rangeRecords(peer, cursor, b, init.batchRecords, init.batchBytes, { signal })
    // the next page is on its way while this one is written
    let next: Promise<RangePage> | undefined = ask(a)
    try {
      while (next !== undefined) {
        const page: RangePage = await next
        const { records, more } = page
        const last = records.at(-1)
        const lastId = last === undefined ? undefined : keyId(last.key)
        next = more && lastId !== undefined && lastId !== b ? ask(lastId) : undefined
        await applyPulled(init, peer, records, reason, result)
      }
    } finally {
      // a failed write must not leave a page request failing unobserved
      next?.catch(() => {})
    }
  })
}

async function applyPulled (init: RangeSyncInit, peer: NodeRef, records: StoreRecord[], reason: TransferProgress['reason'], result: SyncResult): Promise<void> {
  if (records.length === 0) return
  // bytes moved over the wire, whether or not a newer copy had arrived meanwhile
  let bytes = 0
  for (const record of records) bytes += record.key.byteLength + record.value.byteLength
  const stored = await init.acceptMany(records, peer.peer)
  result.pulled += stored.filter(Boolean).length
  result.bytes += bytes
  init.onProgress?.({ peer: peer.peer, direction: 'pull', reason, keys: records.length, bytes })
}

async function remoteVersions (rpc: StoreRpc, peer: NodeRef, from: Id, until: Id, bucket: number, page: number, signal?: AbortSignal): Promise<Map<string, VersionEntry>> {
  const out = new Map<string, VersionEntry>()
  let cursor = from
  for (;;) {
    const { entries, more } = await rpc.versions(peer, cursor, until, bucket, page, { signal })
    for (const entry of entries) out.set(hex(entry.key), entry)
    const last = entries.at(-1)
    if (!more || last === undefined) return out
    cursor = keyId(last.key)
    if (cursor === until) return out
  }
}

/**
 * Send records to `peer` in batches bounded by count and bytes, up to
 * `pipelineDepth` batches in flight. Resolves once every batch was
 * acknowledged; rejects (after the batches in flight settled) if any failed.
 */
export async function pushRecords (init: Pick<RangeSyncInit, 'rpc' | 'batchRecords' | 'batchBytes' | 'onProgress' | 'pipelineDepth'>, peer: NodeRef, records: AsyncIterable<StoreRecord> | Iterable<StoreRecord>, reason: TransferProgress['reason'], result: SyncResult, signal?: AbortSignal): Promise<void> {
  const depth = Math.max(1, init.pipelineDepth ?? DEFAULT_DEPTH)
  const inFlight = new Set<Promise<void>>()
  let failure: { err: unknown } | undefined
  const send = (batch: StoreRecord[], bytes: number): void => {
    const sent: Promise<void> = init.rpc.store(peer, batch, { signal }).then(() => {
      result.pushed += batch.length
      result.bytes += bytes
      init.onProgress?.({ peer: peer.peer, direction: 'push', reason, keys: batch.length, bytes })
    }, err => {
      failure ??= { err }
    }).finally(() => { inFlight.delete(sent) })
    inFlight.add(sent)
  }
  // records → STORE-sized batches → at most `depth` batches on the wire at once
  await pipe(records, async function * (source) { yield * batches(source, init.batchRecords, init.batchBytes) }, async (source) => {
    try {
      for await (const { batch, bytes } of source) {
        while (failure === undefined && inFlight.size >= depth) await Promise.race(inFlight)
        if (failure !== undefined) break
        send(batch, bytes)
      }
    } finally {
      await Promise.all(inFlight)
    }
  })
  if (failure !== undefined) throw failure.err
}

/** Cut a stream of records into batches of at most `maxRecords` records and, past the first record, `maxBytes` of keys and values */
async function * batches (records: AsyncIterable<StoreRecord> | Iterable<StoreRecord>, maxRecords: number, maxBytes: number): AsyncGenerator<{ batch: StoreRecord[], bytes: number }> {
  let batch: StoreRecord[] = []
  let bytes = 0
  for await (const record of records) {
    const size = record.key.byteLength + record.value.byteLength
    if (batch.length > 0 && (batch.length >= maxRecords || bytes + size > maxBytes)) {
      yield { batch, bytes }
      batch = []
      bytes = 0
    }
    batch.push(record)
    bytes += size
  }
  if (batch.length > 0) yield { batch, bytes }
}

async function push (init: RangeSyncInit, peer: NodeRef, keys: Uint8Array[], reason: TransferProgress['reason'], result: SyncResult, signal?: AbortSignal): Promise<void> {
  if (keys.length === 0) return
  async function * records (): AsyncGenerator<StoreRecord> {
    for (const key of keys) {
      const record = await init.local.get(key)
      if (record !== undefined) yield record
    }
  }
  await pushRecords(init, peer, records(), reason, result, signal)
}

async function pull (init: RangeSyncInit, peer: NodeRef, keys: Uint8Array[], reason: TransferProgress['reason'], result: SyncResult, signal?: AbortSignal): Promise<void> {
  let i = 0
  while (i < keys.length) {
    const { records, answered } = await init.rpc.fetch(peer, keys.slice(i, i + init.batchRecords), { signal })
    // a peer that looks at no key would keep us here forever
    if (answered < 1) throw new Error(`${peer.peer} answered a fetch with nothing`)
    i += answered
    await applyPulled(init, peer, records, reason, result)
  }
}

/** Run `fn` on every item, at most `limit` at once; the first failure is thrown once all have settled */
async function forEachConcurrently<T> (items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0
  let failure: { err: unknown } | undefined
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (failure === undefined && next < items.length) {
      const item = items[next++]
      try {
        await fn(item)
      } catch (err) {
        failure ??= { err }
      }
    }
  }))
  if (failure !== undefined) throw failure.err
}

/** Ring order of a key id within (from, until]: its distance from `from`, where `from` itself comes last */
export function ringPosition (from: Id, id: Id): Id {
  return id === from ? RING_SIZE : distance(from, id)
}
