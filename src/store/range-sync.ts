/**
 * Anti-entropy for one ring range between this peer and another: compare one
 * digest of the range; if it differs, compare per-bucket digests; in the
 * buckets that differ, compare key versions; then move only the records one
 * side lacks or holds an older version of, in bounded batches.
 */
import { equals as uint8ArrayEquals } from 'uint8arrays/equals'
import { keyId } from '../ring/id.ts'
import { newer } from './record.ts'
import type { LocalStore } from './local-store.ts'
import type { StoreRecord } from './record.ts'
import type { StoreRpc, TransferProgress, VersionEntry } from './types.ts'
import type { Id } from '../ring/id.ts'
import type { NodeRef } from '../ring/types.ts'

export interface RangeSyncInit {
  local: LocalStore
  rpc: StoreRpc
  /** records per STORE/FETCH message */
  batchRecords: number
  /** bytes of keys and values per STORE message */
  batchBytes: number
  /** version entries per VERSIONS page */
  versionsPage: number
  /** apply a record received from `from` (updates the clock, checks drift) */
  accept(record: StoreRecord, from: string): Promise<boolean>
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
const hex = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex')

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
  for (const bucket of new Set([...localDigests.keys(), ...remoteBuckets.keys()])) {
    const ours = localDigests.get(bucket) ?? ZERO
    const theirs = remoteBuckets.get(bucket) ?? ZERO
    if (uint8ArrayEquals(ours, theirs)) continue
    if (mode === 'push' && uint8ArrayEquals(ours, ZERO)) continue
    const remote = uint8ArrayEquals(theirs, ZERO) ? new Map<string, VersionEntry>() : await remoteVersions(rpc, peer, from, until, bucket, init.versionsPage, signal)
    const mine = new Map<string, VersionEntry>()
    if (!uint8ArrayEquals(ours, ZERO)) {
      for await (const entry of local.versionsIn(from, until, bucket)) mine.set(hex(entry.key), entry)
    }
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
  }
  return result
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

/** Send records to `peer` in batches bounded by count and bytes */
export async function pushRecords (init: Pick<RangeSyncInit, 'rpc' | 'batchRecords' | 'batchBytes' | 'onProgress'>, peer: NodeRef, records: AsyncIterable<StoreRecord> | Iterable<StoreRecord>, reason: TransferProgress['reason'], result: SyncResult, signal?: AbortSignal): Promise<void> {
  let batch: StoreRecord[] = []
  let bytes = 0
  const flush = async (): Promise<void> => {
    if (batch.length === 0) return
    await init.rpc.store(peer, batch, { signal })
    result.pushed += batch.length
    result.bytes += bytes
    init.onProgress?.({ peer: peer.peer, direction: 'push', reason, keys: batch.length, bytes })
    batch = []
    bytes = 0
  }
  for await (const record of records) {
    const size = record.key.byteLength + record.value.byteLength
    if (batch.length > 0 && (batch.length >= init.batchRecords || bytes + size > init.batchBytes)) await flush()
    batch.push(record)
    bytes += size
  }
  await flush()
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
    // bytes moved over the wire, whether or not a newer copy had arrived meanwhile
    let bytes = 0
    for (const record of records) {
      bytes += record.key.byteLength + record.value.byteLength
      if (await init.accept(record, peer.peer)) result.pulled++
    }
    result.bytes += bytes
    if (records.length > 0) init.onProgress?.({ peer: peer.peer, direction: 'pull', reason, keys: records.length, bytes })
  }
}
