/**
 * The records this peer holds, in a datastore, laid out in ring order:
 *
 *   <prefix>/<bucket hex>/<keyId hex>
 *
 * Both path parts are fixed-width hex, so a datastore that lists keys in order
 * (LevelDB) lists them by ring position, and a ring interval is a run of bucket
 * prefixes. The key bytes are not in the path: keyId is SHA-256 of the key, and
 * the record itself carries the key.
 *
 * Per bucket, an XOR of the digests of its records is kept in memory and
 * updated on every change, so neighbours can compare ranges for anti-entropy
 * without reading the disk. `open()` rebuilds it, and the stats, with one scan.
 */
import { Key } from 'interface-datastore'
import { equals as uint8ArrayEquals } from 'uint8arrays/equals'
import { idFromHex, idToHex, keyId } from '../ring/id.ts'
import { BucketLayout } from './buckets.ts'
import { DigestTable, DIGEST_BYTES, xorInto } from './digest-table.ts'
import { PathLocks } from './path-locks.ts'
import { scanRange } from './ring-scan.ts'
import { InvalidRecordError, RecordTooLargeError, StoreClosedError } from './errors.ts'
import { assertWellFormed, decodeRecord, DEFAULT_LIMITS, encodeToKeep, isExpired, newer, NO_LIMITS, recordDigest, sizeProblem } from './record.ts'
import { metaKey } from './meta-keys.ts'
import { getBytes, getManyBytes } from './datastore-reads.ts'
import { storageHealthOf } from './storage-health.ts'
import type { BucketDigest } from './digest-table.ts'
import type { ApplyResult, DeleteOptions, GcResult, LocalStoreInit, RangeOptions, StoreStats, VersionSummary } from './local-store-types.ts'
import type { ScanSource } from './ring-scan.ts'
import type { RecordLimits, StoreRecord, Version } from './record.ts'
import type { Id } from '../ring/id.ts'
import type { AbortOptions } from '@libp2p/interface'
import type { Datastore } from 'interface-datastore'

export type { ApplyResult, DeleteOptions, GcResult, LocalStoreInit, RangeOptions, StoreStats, VersionSummary } from './local-store-types.ts'
export type { BucketDigest } from './digest-table.ts'

export class LocalStore {
  private readonly datastore: Datastore
  private readonly prefix: string
  /** how the ring is cut into digest buckets */
  readonly layout: BucketLayout
  private readonly limits: RecordLimits
  private readonly tombstoneGrace: number
  /** per bucket digests and counts, and the stats */
  private readonly table: DigestTable
  /** read-compare-write on one path must not interleave */
  private readonly locks = new PathLocks()
  private readonly scanSource: ScanSource
  private opened = false

  constructor (datastore: Datastore, init: LocalStoreInit = {}) {
    this.datastore = datastore
    this.prefix = new Key(init.prefix ?? '/chord/kv').toString()
    this.layout = new BucketLayout(init.bucketBits ?? 12)
    this.limits = { ...DEFAULT_LIMITS, ...init.limits }
    this.tombstoneGrace = init.tombstoneGrace ?? 24 * 60 * 60 * 1000
    this.table = new DigestTable(this.layout)
    this.scanSource = {
      datastore,
      prefix: this.prefix,
      layout: this.layout,
      counts: this.table.counts,
      pathOf: (id) => this.pathOf(id),
      assertOpen: () => { this.assertOpen() }
    }
  }

  /** Scan every stored record to rebuild digests and stats; the datastore must be open */
  async open (options?: AbortOptions): Promise<void> {
    if (this.opened) return
    this.table.clear()

    for await (const { key, value } of this.datastore.query({ prefix: this.prefix + '/' }, options)) {
      const path = key.toString()
      const record = this.decodeStored(path, value)
      const id = keyId(record.key)
      if (path !== this.pathOf(id)) {
        throw new InvalidRecordError(`stored record at ${path} does not belong there: its key hashes to ${idToHex(id)}`)
      }
      this.table.account(id, record, 1)
    }
    this.opened = true
  }

  /** Wait for writes under way, then refuse new work; the datastore stays open */
  async close (): Promise<void> {
    this.opened = false
    await this.locks.idle()
  }

  /**
   * Keep `record` if it is newer than what is held for its key (last writer
   * wins; tombstones are records too). Durable once the datastore put resolves.
   */
  async apply (record: StoreRecord, options?: AbortOptions): Promise<ApplyResult> {
    this.assertOpen()
    assertWellFormed(record)
    const tooLarge = sizeProblem(record, this.limits)
    if (tooLarge != null) throw new RecordTooLargeError(tooLarge)

    const id = keyId(record.key)
    const path = this.pathOf(id)
    return this.locks.run([path], async () => {
      const held = await this.read(path, options)
      if (held != null && !newer(record.version, held.version)) return 'stale'
      await this.datastore.put(new Key(path, false), encodeToKeep(record), options)
      if (held != null) this.table.account(id, held, -1)
      this.table.account(id, record, 1)
      return 'stored'
    })
  }

  /**
   * `apply` for many records at once: the same last-writer-wins rule per
   * key, applied in order (a later record of the same key in the batch
   * competes with the earlier one), with one datastore batch for every write.
   * Every record is checked first: a malformed or oversized one fails the
   * call before anything is written. Durable once the promise resolves; the
   * digests and stats change only for what was written.
   */
  async applyMany (records: StoreRecord[], options?: AbortOptions): Promise<ApplyResult[]> {
    this.assertOpen()
    for (const record of records) {
      assertWellFormed(record)
      const tooLarge = sizeProblem(record, this.limits)
      if (tooLarge != null) throw new RecordTooLargeError(tooLarge)
    }
    if (records.length === 0) return []
    const ids = records.map(record => keyId(record.key))
    const paths = ids.map(id => this.pathOf(id))
    return this.locks.run(paths, async () => {
      const held = await this.readMany(paths, options)
      const next = new Map(held)
      const results = records.map((record, i): ApplyResult => {
        const current = next.get(paths[i])
        if (current != null && !newer(record.version, current.version)) return 'stale'
        next.set(paths[i], record)
        return 'stored'
      })
      const changed = [...next].filter(([path, record]) => record !== held.get(path))
      if (changed.length === 0) return results
      const batch = this.datastore.batch()
      for (const [path, record] of changed) batch.put(new Key(path, false), encodeToKeep(record!))
      await batch.commit(options)
      const idOf = new Map(paths.map((path, i) => [path, ids[i]]))
      for (const [path, record] of changed) {
        const id = idOf.get(path)!
        const before = held.get(path)
        if (before != null) this.table.account(id, before, -1)
        this.table.account(id, record!, 1)
      }
      return results
    })
  }

  /**
   * `delete(key, { upTo })` for many keys, with one datastore batch: each
   * key's record is removed only if the version held is not newer than the
   * one given, so a write that arrived since is kept. Returns how many
   * records were removed.
   */
  async deleteMany (entries: Array<{ key: Uint8Array, upTo: Version }>, options?: AbortOptions): Promise<number> {
    this.assertOpen()
    if (entries.length === 0) return 0
    const ids = entries.map(entry => keyId(entry.key))
    const paths = ids.map(id => this.pathOf(id))
    return this.locks.run(paths, async () => {
      const held = await this.readMany(paths, options)
      const next = new Map(held)
      entries.forEach(({ key, upTo }, i) => {
        const current = next.get(paths[i])
        if (current != null && uint8ArrayEquals(current.key, key) && !newer(current.version, upTo)) next.set(paths[i], undefined)
      })
      const removed = [...held].filter(([path, record]) => record != null && next.get(path) == null)
      if (removed.length === 0) return 0
      const batch = this.datastore.batch()
      for (const [path] of removed) batch.delete(new Key(path, false))
      await batch.commit(options)
      const idOf = new Map(paths.map((path, i) => [path, ids[i]]))
      for (const [path, record] of removed) this.table.account(idOf.get(path)!, record!, -1)
      return removed.length
    })
  }

  /** The record held for `key`, tombstones and expired records included */
  async get (key: Uint8Array, options?: AbortOptions): Promise<StoreRecord | undefined> {
    this.assertOpen()
    const record = await this.read(this.pathOf(keyId(key)), options)
    // equal ids with different keys would take a SHA-256 collision or a corrupt store
    if (record == null || !uint8ArrayEquals(record.key, key)) return undefined
    return record
  }

  /** A record, possibly a tombstone, is held for `key` */
  async has (key: Uint8Array, options?: AbortOptions): Promise<boolean> {
    return (await this.get(key, options)) != null
  }

  /** Physically remove the record for `key`; false when nothing was removed */
  async delete (key: Uint8Array, options: DeleteOptions & AbortOptions = {}): Promise<boolean> {
    this.assertOpen()
    const { upTo } = options
    const removed = await this.removeIf(this.pathOf(keyId(key)), record =>
      uint8ArrayEquals(record.key, key) && (upTo == null || !newer(record.version, upTo)), options)
    return removed != null
  }

  /**
   * Physically remove the records in (from, to] that pass `filter`. The filter
   * sees each record as held at the moment of removal, so a write that lands
   * during the scan is judged on its own version.
   */
  async deleteRange (from: Id, to: Id, filter?: (record: StoreRecord) => boolean, options?: AbortOptions): Promise<number> {
    let removed = 0
    for await (const path of this.paths(from, to, undefined, options)) {
      if (await this.removeIf(path, record => filter?.(record) ?? true, options) != null) removed++
    }
    return removed
  }

  /**
   * Records whose keyId lies in (from, to], in ring order; from === to is the
   * whole ring, starting after `from`. Streams: records are read a block at
   * a time (ring-scan.ts), so memory stays bounded however large the range.
   *
   * To page through a range, stop after any record and resume with
   * `range(keyId(last.key), to)`; stop instead when that keyId is `to`.
   */
  async * range (from: Id, to: Id, options?: RangeOptions): AsyncGenerator<StoreRecord> {
    yield * this.records(from, to, undefined, options)
  }

  /**
   * Digest per bucket overlapping (from, to], in ring order, from memory. For
   * `partial` buckets the digest also covers records outside the range; use
   * `digestOfRange` (or `rangeDigests`) where the ends must compare exactly.
   * Each digest is the XOR of `recordDigest` over the bucket's records.
   */
  bucketDigests (from: Id, to: Id): BucketDigest[] {
    this.assertOpen()
    return this.table.bucketDigests(from, to)
  }

  /** Exact digest of the records of `bucket` that lie in (from, to], by scanning the bucket */
  async digestOfRange (from: Id, to: Id, bucket: number, options?: AbortOptions): Promise<Uint8Array> {
    const digest = new Uint8Array(DIGEST_BYTES)
    for await (const record of this.records(from, to, bucket, options)) {
      xorInto(digest, 0, recordDigest(record))
    }
    return digest
  }

  /**
   * `bucketDigests` with the partial buckets replaced by exact digests, so two
   * peers holding the same records in (from, to] get equal lists whatever else
   * they hold. Costs a scan of at most the two edge buckets.
   */
  async rangeDigests (from: Id, to: Id, options?: AbortOptions): Promise<BucketDigest[]> {
    const digests = this.bucketDigests(from, to)
    for (const entry of digests) {
      if (entry.partial) entry.digest = await this.digestOfRange(from, to, entry.bucket, options)
    }
    return digests
  }

  /** Ring positions (key ids) of the records in (from, to], in ring order, without reading them */
  async * idsIn (from: Id, to: Id, options?: RangeOptions): AsyncGenerator<Id> {
    for await (const path of this.paths(from, to, undefined, options)) yield this.idOfPath(path)
  }

  /** Key, version and deleted flag of the records in (from, to], optionally in one bucket, in ring order */
  async * versionsIn (from: Id, to: Id, bucket?: number, options?: AbortOptions): AsyncGenerator<VersionSummary> {
    for await (const record of this.records(from, to, bucket, options)) {
      yield { key: record.key, version: record.version, deleted: record.deleted }
    }
  }

  /**
   * Remove tombstones whose delete is older than the grace period, and records
   * past their expiry time.
   */
  async gc (now: number = Date.now(), options?: AbortOptions): Promise<GcResult> {
    this.assertOpen()
    const result: GcResult = { tombstones: 0, expired: 0 }
    if (this.table.expiring === 0 && this.table.stats().tombstones === 0) return result
    const collectable = (record: StoreRecord): boolean => record.deleted ? record.version.wallTime + this.tombstoneGrace <= now : isExpired(record, now)

    // one plain scan with values (order does not matter); only what is collectable is read again, locked
    for await (const { key, value } of this.datastore.query({ prefix: this.prefix + '/' }, options)) {
      const path = key.toString()
      if (!collectable(this.decodeStored(path, value))) continue
      const removed = await this.removeIf(path, collectable, options)
      if (removed?.deleted === true) {
        result.tombstones++
      } else if (removed != null) {
        result.expired++
      }
    }
    return result
  }

  /** Records held, and whether the datastore takes writes (storage-health.ts) */
  stats (): StoreStats {
    return { ...this.table.stats(), ...storageHealthOf(this.datastore) }
  }

  /** A value of the store's own outside the records (`/chord/meta/<name>`), e.g. the clock's mark */
  async getMeta (name: string, options?: AbortOptions): Promise<Uint8Array | undefined> {
    return getBytes(this.datastore, metaKey(name), options)
  }

  /** Durable once it resolves, like a record */
  async putMeta (name: string, value: Uint8Array, options?: AbortOptions): Promise<void> {
    await this.datastore.put(metaKey(name), value, options)
  }

  /** Records in (from, to], in ring order, optionally only those in `bucket` */
  private async * records (from: Id, to: Id, bucket: number | undefined, options?: RangeOptions): AsyncGenerator<StoreRecord> {
    for await (const { path, value } of this.scan(from, to, bucket, true, options)) {
      yield this.decodeStored(path, value!)
    }
  }

  /** Datastore paths of the records in (from, to], in ring order */
  private async * paths (from: Id, to: Id, bucket: number | undefined, options?: RangeOptions): AsyncGenerator<string> {
    for await (const { path } of this.scan(from, to, bucket, false, options)) yield path
  }

  /** The stored entries in (from, to], in ring order, keys only or with values (ring-scan.ts) */
  private async * scan (from: Id, to: Id, bucket: number | undefined, values: boolean, options?: RangeOptions): AsyncGenerator<{ path: string, value?: Uint8Array }> {
    this.assertOpen()
    yield * scanRange(this.scanSource, from, to, bucket, values, options)
  }

  /** Remove the record at `path` if one is held and `predicate` accepts it; returns what was removed */
  private async removeIf (path: string, predicate: (record: StoreRecord) => boolean, options?: AbortOptions): Promise<StoreRecord | undefined> {
    this.assertOpen()
    return this.locks.run([path], async () => {
      const held = await this.read(path, options)
      if (held == null || !predicate(held)) return undefined
      await this.datastore.delete(new Key(path, false), options)
      this.table.account(this.idOfPath(path), held, -1)
      return held
    })
  }

  /**
   * The records held at `paths` (each once), in one request where the datastore can. Call with the
   * paths locked: a bucket whose count is 0 then holds nothing at any of
   * them, and costs no read (a joining peer's empty ranges).
   */
  private async readMany (paths: string[], options?: AbortOptions): Promise<Map<string, StoreRecord | undefined>> {
    const held = new Map<string, StoreRecord | undefined>()
    const toRead: string[] = []
    for (const path of paths) {
      if (held.has(path)) continue
      held.set(path, undefined)
      if (this.table.counts[this.bucketOfPath(path)] > 0) toRead.push(path)
    }
    const values = await getManyBytes(this.datastore, toRead.map(path => new Key(path, false)), options)
    toRead.forEach((path, i) => { if (values[i] !== undefined) held.set(path, this.decodeStored(path, values[i])) })
    return held
  }

  private async read (path: string, options?: AbortOptions): Promise<StoreRecord | undefined> {
    const bytes = await getBytes(this.datastore, new Key(path, false), options)
    return bytes === undefined ? undefined : this.decodeStored(path, bytes)
  }

  private decodeStored (path: string, bytes: Uint8Array): StoreRecord {
    try {
      return decodeRecord(bytes, NO_LIMITS)
    } catch (err) {
      throw new InvalidRecordError(`stored record at ${path} is corrupt: ${(err as Error).message}`)
    }
  }

  private pathOf (id: Id): string {
    return `${this.prefix}/${this.layout.toHex(this.layout.bucketOf(id))}/${idToHex(id)}`
  }

  /** The bucket a path of ours lies in, from its bucket part (cheaper than parsing the id) */
  private bucketOfPath (path: string): number {
    const start = this.prefix.length + 1
    return parseInt(path.slice(start, start + this.layout.toHex(0).length), 16)
  }

  private idOfPath (path: string): Id {
    const hex = path.slice(path.lastIndexOf('/') + 1)
    if (hex.length !== 64) throw new InvalidRecordError(`stored key ${path} does not end in a 64-digit key id`)
    return idFromHex(hex)
  }

  private assertOpen (): void {
    if (!this.opened) throw new StoreClosedError()
  }
}

