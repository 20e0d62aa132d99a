/**
 * `chord export`: every key of the ring, once, walked in ring order.
 *
 * The ring is cut at the positions of its members: the keys in (a, b] are
 * owned by b and held by b's replica set. One page of GET /export covers
 * the next such range after a cursor (or a part of it, when it holds more
 * than a page): the coordinating peer asks each replica of the range for
 * the records it holds there (GET /local, over /chord/api/1.0.0), keeps the
 * newest version of each key — so a replica that missed a write or a delete
 * changes nothing — and answers them with the cursor to continue from. The
 * cursor is a ring position, so the client keeps no other state, the
 * fraction of the ring covered is the progress, and a replica that does not
 * answer only matters if all of a range's replicas are down.
 *
 * It is not a snapshot: a key written during the export appears with its
 * old or its new value, depending on whether its range was already read.
 */
import { RING_SIZE, idFromHex, idToHex, keyId } from '../ring/id.ts'
import { compareVersions } from '../store/record.ts'
import { replicaSet } from '../store/replicas.ts'
import { ApiError } from './errors.ts'
import { nodeJson } from './json.ts'
import { base64, toLine } from './lines.ts'
import type { NodeJson } from './json.ts'
import type { RecordLine } from './lines.ts'
import type { Chord, Id, Version } from '../index.ts'

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
  /** r: how many distinct peers hold each key */
  replicas: number
  /** GET `path` on `node`'s API: over libp2p, or in process for this peer */
  ask(node: NodeJson, path: string, signal: AbortSignal): Promise<LocalPageJson>
  /** records asked of each replica per page */
  limit: number
  /** value bytes asked of each replica per page */
  bytes: number
  signal: AbortSignal
}

/** The page of the export that starts after ring position `after` (0 to begin) */
export async function exportPage (init: ExportInit, after: Id): Promise<ExportPageJson> {
  const { signal } = init
  const found = await init.chord.findSuccessorOfId((after + 1n) % RING_SIZE, { signal })
  // positions measured from the ring's start at 0, which is also its end
  const owner = ahead(found.owner.id)
  const end = owner > after ? owner : RING_SIZE
  const replicas = replicaSet(found.successors, init.replicas)
  const path = `/local?after=${idToHex(after)}&until=${idToHex(end % RING_SIZE)}&limit=${init.limit}&bytes=${init.bytes}`
  const answers = await Promise.allSettled(replicas.map(async node => init.ask(nodeJson(node), path, signal)))
  const pages = answers.flatMap(a => a.status === 'fulfilled' ? [a.value] : [])
  const unreachable = replicas.filter((_, i) => answers[i].status === 'rejected').map(n => n.peer)
  if (pages.length === 0) {
    const why = answers.map(a => a.status === 'rejected' ? (a.reason as Error).message : '').join('; ')
    throw new ApiError(503, 'ERR_EXPORT_UNAVAILABLE', `no replica of the range up to ${idToHex(end % RING_SIZE).slice(0, 16)}… answered: ${why}`)
  }

  // a replica with more to give has only been read up to its last record
  let bound = end
  for (const page of pages) {
    const last = page.records.at(-1)
    if (page.more && last !== undefined) bound = min(bound, ahead(idFromHex(last.id)))
  }
  const newest = new Map<string, LocalRecordJson>()
  for (const record of pages.flatMap(p => p.records)) {
    if (ahead(idFromHex(record.id)) > bound) continue
    const held = newest.get(record.id)
    if (held === undefined || compareVersions(record.version, held.version) > 0) newest.set(record.id, record)
  }
  const now = Date.now()
  const records = [...newest.values()]
    .filter(r => !r.deleted && (r.expiresAt === undefined || r.expiresAt > now))
    .map(r => ({ r, at: ahead(idFromHex(r.id)) }))
    .sort((a, b) => a.at < b.at ? -1 : a.at > b.at ? 1 : 0)
    .map(({ r }) => r)
    .map(r => toLine({ key: fromBase64(r.key), value: fromBase64(r.value), ttl: r.expiresAt === undefined ? undefined : r.expiresAt - now }))
  return {
    records,
    next: bound === RING_SIZE ? null : idToHex(bound),
    progress: Number((bound * 10_000n) / RING_SIZE) / 10_000,
    asked: replicas.map(n => n.peer),
    unreachable
  }
}

/** the distance from 0 going round: 0 itself is the end of the ring, not its start */
function ahead (id: Id): bigint {
  return id === 0n ? RING_SIZE : id
}

function min (a: bigint, b: bigint): bigint {
  return a < b ? a : b
}

function fromBase64 (text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, 'base64'))
}
