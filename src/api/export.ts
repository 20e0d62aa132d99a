/**
 * `chord export`: every key of the ring, once, walked in ring order.
 *
 * The ring is cut at the positions of its members: the keys in (a, b] are
 * owned by b and held by b's replica set. One page of GET /export covers
 * the next such range after a cursor (or a part of it, when it holds more
 * than a page): the coordinating peer asks each replica of the range for
 * the records it holds there (the service's exportRange, the store
 * protocol's RANGE_RECORDS), keeps the newest version of each key — so a
 * replica that missed a write or a delete changes nothing — and answers
 * them with the cursor to continue from. The cursor is a ring position, so
 * the client keeps no other state, the fraction of the ring covered is the
 * progress, and a replica that does not answer only matters if all of a
 * range's replicas are down.
 *
 * It is not a snapshot: a key written during the export appears with its
 * old or its new value, depending on whether its range was already read.
 */
import { RING_SIZE, compareVersions, idToHex, keyId } from '../index.ts'
import { ApiError } from './errors.ts'
import { base64, toLine } from './lines.ts'
import type { RecordLine } from './lines.ts'
import type { Chord, Id, RangePage, StoreRecord, Version } from '../index.ts'

/** A record as one peer holds it, tombstones included (GET /local) */
export interface LocalRecordJson {
  /** key id, 64 hex digits */
  id: string
  /** base64 */
  key: string
  /** base64 */
  value: string
  version: Version
  deleted: boolean
  expiresAt?: number
}

export interface LocalPageJson {
  peer: string
  records: LocalRecordJson[]
  /** records past the last one remain in the range */
  more: boolean
}

export interface ExportPageJson {
  /** live keys, in the format of `chord import` */
  records: RecordLine[]
  /** the cursor for the next page; null once the whole ring is covered */
  next: string | null
  /** share of the ring covered so far, 0..1 */
  progress: number
  /** replicas asked for this page, and those that did not answer */
  asked: string[]
  unreachable: string[]
}

export const LOCAL_LIMITS = { records: 4096, bytes: 16 * 1024 * 1024 }

/** This peer's own records in (after, until], at most `limit` records or about `bytes` bytes (always at least one record) */
export async function localPage (chord: Chord, peer: string, after: Id, until: Id, limit: number, bytes: number, signal: AbortSignal): Promise<LocalPageJson> {
  const page: LocalPageJson = { peer, records: [], more: false }
  let total = 0
  for await (const record of chord.localRecords(after, until, { signal })) {
    if (page.records.length >= limit || (page.records.length > 0 && total + record.key.byteLength + record.value.byteLength > bytes)) {
      page.more = true
      break
    }
    total += record.key.byteLength + record.value.byteLength
    const json: LocalRecordJson = { id: idToHex(keyId(record.key)), key: base64(record.key), value: base64(record.value), version: record.version, deleted: record.deleted }
    if (record.expiresAt !== undefined) json.expiresAt = record.expiresAt
    page.records.push(json)
  }
  return page
}

export interface ExportInit {
  chord: Chord
  /** records asked of each replica per page */
  limit: number
  /** value bytes asked of each replica per page */
  bytes: number
  signal: AbortSignal
}

/** The page of the export that starts after ring position `after` (0 to begin) */
export async function exportPage (init: ExportInit, after: Id): Promise<ExportPageJson> {
  const { chord, signal } = init
  const { owner, replicas } = await chord.placement((after + 1n) % RING_SIZE, { signal })
  // positions measured from the ring's start at 0, which is also its end
  const end = ahead(owner.id) > after ? ahead(owner.id) : RING_SIZE
  const options = { maxRecords: init.limit, maxBytes: init.bytes, signal }
  const answers = await Promise.allSettled(replicas.map(async node => chord.exportRange(node, after, end % RING_SIZE, options)))
  const pages = answers.flatMap(a => a.status === 'fulfilled' ? [a.value] : [])
  const unreachable = replicas.filter((_, i) => answers[i].status === 'rejected').map(n => n.peer)
  if (pages.length === 0) {
    const why = answers.map(a => a.status === 'rejected' ? (a.reason as Error).message : '').join('; ')
    throw new ApiError(503, 'ERR_EXPORT_UNAVAILABLE', `no replica of the range up to ${idToHex(end % RING_SIZE).slice(0, 16)}… answered: ${why}`)
  }
  const { bound, records } = newestUpTo(pages, end)
  const now = Date.now()
  return {
    records: records
      .filter(r => !r.deleted && (r.expiresAt === undefined || r.expiresAt > now))
      .map(r => toLine({ key: r.key, value: r.value, ttl: r.expiresAt === undefined ? undefined : r.expiresAt - now })),
    next: bound === RING_SIZE ? null : idToHex(bound),
    progress: Number((bound * 10_000n) / RING_SIZE) / 10_000,
    asked: replicas.map(n => n.peer),
    unreachable
  }
}

/**
 * The newest version of each key the replicas' pages hold, in ring order,
 * up to where every page is complete: a replica with more to give has only
 * been read up to its last record.
 */
function newestUpTo (pages: RangePage[], end: bigint): { bound: bigint, records: StoreRecord[] } {
  let bound = end
  for (const page of pages) {
    const last = page.records.at(-1)
    if (page.more && last !== undefined) bound = min(bound, ahead(keyId(last.key)))
  }
  const newest = new Map<bigint, StoreRecord>()
  for (const record of pages.flatMap(p => p.records)) {
    const at = ahead(keyId(record.key))
    if (at > bound) continue
    const held = newest.get(at)
    if (held === undefined || compareVersions(record.version, held.version) > 0) newest.set(at, record)
  }
  const records = [...newest.entries()].sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0).map(([, r]) => r)
  return { bound, records }
}

/** the distance from 0 going round: 0 itself is the end of the ring, not its start */
function ahead (id: Id): bigint {
  return id === 0n ? RING_SIZE : id
}

function min (a: bigint, b: bigint): bigint {
  return a < b ? a : b
}
