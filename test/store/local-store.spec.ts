import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { MemoryDatastore } from 'datastore-core'
import { LevelDatastore } from 'datastore-level'
import { DurableLevelDatastore } from '../../src/persistence/durable-level.ts'
import { Key } from 'interface-datastore'
import { betweenRightIncl, distance, idToHex, keyId, RING_SIZE } from '../../src/ring/id.ts'
import { BucketLayout } from '../../src/store/buckets.ts'
import { InvalidRecordError, RecordTooLargeError, StoreClosedError } from '../../src/store/errors.ts'
import { LocalStore } from '../../src/store/local-store.ts'
import { encodeRecord } from '../../src/store/record.ts'
import { collect, idOf, put, randomBytes, randomId, seeded, text, tombstone, version } from '../fixtures/records.ts'
import type { LocalStoreInit } from '../../src/store/local-store.ts'
import type { StoreRecord } from '../../src/store/record.ts'
import type { Datastore } from 'interface-datastore'

const HOUR = 60 * 60 * 1000

async function openStore (init: LocalStoreInit = {}, datastore: Datastore = new MemoryDatastore()): Promise<LocalStore> {
  const store = new LocalStore(datastore, init)
  await store.open()
  return store
}

type PlainRecord = Omit<StoreRecord, 'key' | 'value'> & { key: string, value: string }

/** Comparable form: bytes as hex */
function plain (record: StoreRecord | undefined): PlainRecord | undefined {
  if (record == null) return undefined
  return { ...record, key: Buffer.from(record.key).toString('hex'), value: Buffer.from(record.value).toString('hex') }
}

/** `count` records with distinct random keys of 1 to 40 bytes */
function randomRecords (seed: number, count: number, writer = 'peerA'): StoreRecord[] {
  const random = seeded(seed)
  const seen = new Set<string>()
  const records: StoreRecord[] = []
  while (records.length < count) {
    const key = randomBytes(random, 1 + Math.floor(random() * 40))
    const hex = Buffer.from(key).toString('hex')
    if (seen.has(hex)) continue
    seen.add(hex)
    records.push(put(key, `value ${records.length}`, version(1000 + records.length, 0, writer)))
  }
  return records
}

/** What range(from, to) must yield: the ids in (from, to], clockwise from `from` */
function bruteForce (ids: bigint[], from: bigint, to: bigint): string[] {
  // `from` itself is only in the whole ring (from === to), and comes last there
  const position = (id: bigint): bigint => id === from ? RING_SIZE : distance(from, id)
  return ids
    .filter(id => betweenRightIncl(from, id, to))
    .sort((a, b) => position(a) < position(b) ? -1 : 1)
    .map(idToHex)
}

async function rangeIds (store: LocalStore, from: bigint, to: bigint): Promise<string[]> {
  return (await collect(store.range(from, to))).map(r => idToHex(idOf(r)))
}

describe('LocalStore', () => {
  describe('last writer wins', () => {
    it('keeps the newest version whatever order writes arrive in', async () => {
      const store = await openStore()
      assert.equal(await store.apply(put('k', 'two', version(2))), 'stored')
      assert.equal(await store.apply(put('k', 'one', version(1))), 'stale')
      assert.equal(await store.apply(put('k', 'same version', version(2))), 'stale')
      const key = new TextEncoder().encode('k')
      assert.equal(text((await store.get(key))?.value ?? new Uint8Array()), 'two')
      assert.equal(await store.apply(put('k', 'three', version(2, 1))), 'stored')
      assert.equal(await store.apply(put('k', 'tie broken by writer', version(2, 1, 'peerB'))), 'stored')
      const held = await store.get(key)
      assert.equal(text(held?.value ?? new Uint8Array()), 'tie broken by writer')
      assert.deepEqual(store.stats(), { keys: 1, tombstones: 0, bytes: 1 + 'tie broken by writer'.length, writable: true, failedWrites: 0 })
    })

    it('lets a tombstone beat older writes, and older writes not undo it', async () => {
      const store = await openStore()
      const key = new TextEncoder().encode('doomed')
      await store.apply(put(key, 'v1', version(10)))
      assert.equal(await store.apply(tombstone(key, version(20))), 'stored')
      // a write from before the delete, arriving late (a slow replica)
      assert.equal(await store.apply(put(key, 'late', version(15))), 'stale')
      assert.equal(await store.apply(put(key, 'late', version(20, 0, 'peer0'))), 'stale')
      const held = await store.get(key)
      assert.equal(held?.deleted, true)
      assert.equal(held?.value.length, 0)
      assert.equal(await store.has(key), true, 'has() sees tombstones')
      assert.deepEqual(store.stats(), { keys: 0, tombstones: 1, bytes: key.length, writable: true, failedWrites: 0 })
      // a write after the delete brings the key back
      assert.equal(await store.apply(put(key, 'reborn', version(21))), 'stored')
      assert.deepEqual(store.stats(), { keys: 1, tombstones: 0, bytes: key.length + 6, writable: true, failedWrites: 0 })
    })

    it('stays consistent under concurrent writes to one key', async () => {
      const store = await openStore({ bucketBits: 4 })
      const random = seeded(3)
      const writes = Array.from({ length: 60 }, (_, i) => put('hot', `v${i}`, version(Math.floor(i / 3), i % 3, `w${i % 2}`)))
      writes.sort(() => random() - 0.5)
      await Promise.all(writes.map(async w => store.apply(w)))
      const newest = put('hot', 'v59', version(19, 2, 'w1'))
      assert.deepEqual(plain(await store.get(newest.key)), plain(newest))
      assert.deepEqual(store.stats(), { keys: 1, tombstones: 0, bytes: 3 + 3, writable: true, failedWrites: 0 })

      // every replaced write was taken out of the digest again
      const fresh = await openStore({ bucketBits: 4 })
      await fresh.apply(newest)
      assert.deepEqual(store.bucketDigests(0n, 0n), fresh.bucketDigests(0n, 0n))
    })

    it('returns undefined for keys it does not hold', async () => {
      const store = await openStore()
      assert.equal(await store.get(new Uint8Array([1, 2, 3])), undefined)
      assert.equal(await store.has(new Uint8Array([1, 2, 3])), false)
    })
  })

  describe('limits', () => {
    it('rejects oversized keys and values with RecordTooLargeError', async () => {
      const store = await openStore()
      assert.equal(await store.apply(put(new Uint8Array(1024), '', version(1))), 'stored')
      assert.equal(await store.apply({ ...put('big', '', version(1)), value: new Uint8Array(1024 * 1024) }), 'stored')

      await assert.rejects(store.apply(put(new Uint8Array(1025), '', version(1))), (err: unknown) => {
        assert.ok(err instanceof RecordTooLargeError)
        assert.equal(err.code, 'ERR_RECORD_TOO_LARGE')
        assert.equal(RecordTooLargeError.code, 'ERR_RECORD_TOO_LARGE')
        assert.equal(err.message, 'key is 1025 bytes, over the limit of 1024 bytes')
        return true
      })
      await assert.rejects(store.apply({ ...put('bigger', '', version(1)), value: new Uint8Array(1024 * 1024 + 1) }),
        { name: 'RecordTooLargeError', message: 'value is 1048577 bytes, over the limit of 1048576 bytes' })
      assert.equal(await store.has(new TextEncoder().encode('bigger')), false)
      assert.equal(store.stats().keys, 2)
    })

    it('takes its limits from the configuration', async () => {
      const store = await openStore({ limits: { maxValueBytes: 4 } })
      assert.equal(await store.apply(put('k', '1234', version(1))), 'stored')
      await assert.rejects(store.apply(put('k', '12345', version(2))), RecordTooLargeError)
    })

    it('rejects malformed records with InvalidRecordError', async () => {
      const store = await openStore()
      await assert.rejects(store.apply({ ...tombstone('k', version(1)), value: new Uint8Array([1]) }), InvalidRecordError)
      await assert.rejects(store.apply(put('k', 'v', version(-1))), InvalidRecordError)
      await assert.rejects(store.apply(put('k', 'v', version(1, 0, ''))), InvalidRecordError)
      assert.deepEqual(store.stats(), { keys: 0, tombstones: 0, bytes: 0, writable: true, failedWrites: 0 })
    })
  })

  describe('range', () => {
    const records = randomRecords(11, 2000)
    const ids = records.map(idOf)
    let store: LocalStore

    before(async () => {
      // 64 buckets: MemoryDatastore lists a prefix by scanning every key, so fewer buckets keep this fast
      store = await openStore({ bucketBits: 6 })
      for (const record of records) await store.apply(record)
    })

    it('matches a brute-force filter over random, wrapping and whole-ring intervals', async () => {
      const random = seeded(99)
      const size = RING_SIZE / 64n
      const intervals: Array<[bigint, bigint]> = []
      for (let i = 0; i < 20; i++) intervals.push([randomId(random), randomId(random)])
      for (let i = 0; i < 5; i++) {
        const x = randomId(random)
        intervals.push([x, x]) // whole ring
        intervals.push([x, (x + size / 3n) % RING_SIZE]) // within a bucket or two
        intervals.push([(x + 1n) % RING_SIZE, x]) // all but one id, wrapping inside x's bucket
      }
      // ends exactly on stored keys: `from` excluded, `to` included
      intervals.push([ids[0], ids[1]], [ids[1], ids[0]], [ids[2], ids[2]], [ids[3] - 1n, ids[3]])
      intervals.push([RING_SIZE - 1n, RING_SIZE - 1n], [0n, 0n], [RING_SIZE - 1n, 0n])

      let wrapping = 0
      for (const [from, to] of intervals) {
        if (from >= to) wrapping++
        assert.deepEqual(await rangeIds(store, from, to), bruteForce(ids, from, to), `(${idToHex(from)}, ${idToHex(to)}]`)
      }
      assert.ok(wrapping >= 10)
    })

    it('on the daemon\'s datastore (one LevelDB key range per run of buckets) lists the same ids, versions and digests', async () => {
      const dir = await mkdtemp(join(tmpdir(), 'chord-range-'))
      const level = new DurableLevelDatastore(dir, { sync: false })
      try {
        await level.open()
        const durable = await openStore({ bucketBits: 6 }, level)
        await durable.applyMany(records)
        const random = seeded(5)
        const intervals: Array<[bigint, bigint]> = [[ids[5], ids[5]], [0n, 0n], [ids[1], ids[0]], [RING_SIZE - 1n, 0n], [ids[3] - 1n, ids[3]]]
        for (let i = 0; i < 15; i++) intervals.push([randomId(random), randomId(random)])
        for (const [from, to] of intervals) {
          assert.deepEqual(await rangeIds(durable, from, to), bruteForce(ids, from, to), `(${idToHex(from)}, ${idToHex(to)}]`)
          assert.deepEqual((await collect(durable.idsIn(from, to, { pageHint: 1 }))).map(idToHex), bruteForce(ids, from, to))
          const bucket = new BucketLayout(6).bucketOf(to)
          assert.deepEqual((await collect(durable.versionsIn(from, to, bucket))).map(v => plain({ ...v, value: new Uint8Array(0) })), (await collect(store.versionsIn(from, to, bucket))).map(v => plain({ ...v, value: new Uint8Array(0) })))
          assert.deepEqual((await durable.rangeDigests(from, to)).map(d => idToHex(BigInt('0x' + Buffer.from(d.digest).toString('hex')))), (await store.rangeDigests(from, to)).map(d => idToHex(BigInt('0x' + Buffer.from(d.digest).toString('hex')))))
        }
        await durable.close()
      } finally {
        await level.close().catch(() => {})
        await rm(dir, { recursive: true, force: true })
      }
    })

    it('lists wide ranges by blocks of buckets, in the same order, whatever the page hint', async () => {
      // 1,024 and 4,096 buckets: a range is read with one prefix query per aligned block of buckets
      for (const bucketBits of [10, 12]) {
        const wide = await openStore({ bucketBits })
        await wide.applyMany(records)
        const random = seeded(7)
        const intervals: Array<[bigint, bigint]> = [[ids[5], ids[5]], [0n, 0n], [ids[1], ids[0]]]
        for (let i = 0; i < 10; i++) intervals.push([randomId(random), randomId(random)])
        for (const [i, [from, to]] of intervals.entries()) {
          const expected = bruteForce(ids, from, to)
          assert.deepEqual(await rangeIds(wide, from, to), expected, `(${idToHex(from)}, ${idToHex(to)}]`)
          // MemoryDatastore scans every key per prefix query: small pages on a few intervals only
          for (const pageHint of i < 2 ? [5, 300] : [300]) {
            const paged = (await collect(wide.range(from, to, { pageHint }))).map(r => idToHex(idOf(r)))
            assert.deepEqual(paged, expected, `(${idToHex(from)}, ${idToHex(to)}] by pages of ${pageHint}`)
          }
        }
      }
    })

    it('yields whole records', async () => {
      const [first] = await collect(store.range(ids[4] - 1n, ids[4]))
      assert.deepEqual(plain(first), plain(records[4]))
    })

    it('pages through a range by resuming after the last key', async () => {
      const from = ids[10]
      const to = ids[10] - (RING_SIZE / 3n)
      const pages: string[][] = []
      let cursor = from
      while (true) {
        const page: string[] = []
        for await (const record of store.range(cursor, to)) {
          page.push(idToHex(idOf(record)))
          if (page.length === 150) break
        }
        if (page.length === 0) break
        pages.push(page)
        cursor = BigInt('0x' + page[page.length - 1])
        if (cursor === to) break
      }
      assert.ok(pages.length > 3)
      assert.deepEqual(pages.flat(), bruteForce(ids, from, to))
    })

    it('orders the whole ring with the default 4096 buckets', async () => {
      const some = records.slice(0, 300)
      const small = await openStore()
      for (const record of some) await small.apply(record)
      const x = ids[7]
      assert.deepEqual(await rangeIds(small, x, x), bruteForce(some.map(idOf), x, x))
    })
  })

  describe('digests', () => {
    const layout = new BucketLayout(6)
    const size = RING_SIZE / 64n
    // (from, to] wraps through zero and starts and ends in the middle of buckets 50 and 5
    const from = layout.firstId(50) + size / 2n
    const to = layout.firstId(5) + size / 3n
    const shared = randomRecords(21, 600)
    const inside = shared.filter(r => betweenRightIncl(from, idOf(r), to))
    const outside = (seed: number): StoreRecord[] => randomRecords(seed, 300, 'other').filter(r => !betweenRightIncl(from, idOf(r), to))

    async function twoStores (): Promise<[LocalStore, LocalStore]> {
      const a = await openStore({ bucketBits: 6 })
      const b = await openStore({ bucketBits: 6 })
      for (const record of [...shared, ...outside(22)]) await a.apply(record)
      // b gets the same records in another order, with other records outside the range
      for (const record of [...outside(23), ...[...inside].reverse()]) await b.apply(record)
      return [a, b]
    }

    it('are equal for equal records in the range, whatever else is held', async () => {
      const [a, b] = await twoStores()
      assert.ok(inside.length > 100)
      assert.notDeepEqual(a.stats(), b.stats())

      const digestsA = await a.rangeDigests(from, to)
      assert.deepEqual(digestsA.map(d => d.bucket), [...Array.from({ length: 14 }, (_, i) => 50 + i), 0, 1, 2, 3, 4, 5])
      assert.deepEqual(digestsA, await b.rangeDigests(from, to))

      // the in-memory digests of the edge buckets differ: they cover records outside the range
      const memA = a.bucketDigests(from, to)
      const memB = b.bucketDigests(from, to)
      assert.deepEqual(memA.filter(d => d.partial).map(d => d.bucket), [50, 5])
      assert.notDeepEqual(memA[0].digest, memB[0].digest)
      assert.deepEqual(memA.filter(d => !d.partial), memB.filter(d => !d.partial))
    })

    it('differ in exactly the bucket where one record differs', async () => {
      const [a, b] = await twoStores()
      const changed = inside[inside.length >> 1]
      await b.apply({ ...changed, version: version(changed.version.wallTime, 1) })
      const digestsA = await a.rangeDigests(from, to)
      const digestsB = await b.rangeDigests(from, to)
      const differing = digestsA.filter((d, i) => !Buffer.from(d.digest).equals(digestsB[i].digest)).map(d => d.bucket)
      const bucket = layout.bucketOf(idOf(changed))
      assert.deepEqual(differing, [bucket])

      // the version summaries of that bucket point at the key
      const versionsA = await collect(a.versionsIn(from, to, bucket))
      const versionsB = await collect(b.versionsIn(from, to, bucket))
      const diff = versionsB.filter((v, i) => v.version.logical !== versionsA[i].version.logical)
      assert.deepEqual(diff.map(v => Buffer.from(v.key).toString('hex')), [Buffer.from(changed.key).toString('hex')])
      assert.deepEqual(Object.keys(versionsA[0]).sort(), ['deleted', 'key', 'version'])
    })

    it('differ when a record is deleted or missing in an edge bucket', async () => {
      const [a, b] = await twoStores()
      const edge = inside.find(r => layout.bucketOf(idOf(r)) === 5)
      assert.ok(edge != null)
      await b.apply(tombstone(edge.key, version(edge.version.wallTime + 1)))
      assert.notDeepEqual(await a.rangeDigests(from, to), await b.rangeDigests(from, to))
      await b.delete(edge.key)
      assert.notDeepEqual(await a.rangeDigests(from, to), await b.rangeDigests(from, to))
      await b.apply(edge)
      assert.deepEqual(await a.rangeDigests(from, to), await b.rangeDigests(from, to))
    })

    it('kept in memory agree with a scan of each bucket', async () => {
      const [a] = await twoStores()
      for (const { bucket, digest } of a.bucketDigests(0n, 0n)) {
        const beforeBucket = (layout.firstId(bucket) - 1n + RING_SIZE) % RING_SIZE
        const whole = await a.digestOfRange(beforeBucket, layout.lastId(bucket), bucket)
        assert.deepEqual(whole, digest, `bucket ${bucket}`)
      }
    })

    it('go back to zero when everything is deleted', async () => {
      const store = await openStore({ bucketBits: 6 })
      for (const record of shared) await store.apply(record)
      assert.equal(await store.deleteRange(0n, 0n), shared.length)
      assert.ok(store.bucketDigests(0n, 0n).every(d => d.digest.every(byte => byte === 0)))
      assert.deepEqual(store.stats(), { keys: 0, tombstones: 0, bytes: 0, writable: true, failedWrites: 0 })
    })
  })

  describe('delete', () => {
    it('removes one key, unless it holds a newer version than the one given', async () => {
      const store = await openStore()
      const record = put('k', 'v', version(5))
      await store.apply(record)
      assert.equal(await store.delete(record.key, { upTo: version(4) }), false)
      assert.equal(await store.has(record.key), true)
      assert.equal(await store.delete(record.key, { upTo: version(5) }), true)
      assert.equal(await store.has(record.key), false)
      assert.equal(await store.delete(record.key), false)
      assert.deepEqual(store.stats(), { keys: 0, tombstones: 0, bytes: 0, writable: true, failedWrites: 0 })
    })

    it('removes the records of a range that pass the filter', async () => {
      const store = await openStore({ bucketBits: 6 })
      const records = randomRecords(31, 400)
      for (const record of records) await store.apply(record)
      const from = idOf(records[0])
      const to = from + RING_SIZE / 2n
      const odd = (r: StoreRecord): boolean => r.version.wallTime % 2 === 1
      const expected = records.filter(r => betweenRightIncl(from, idOf(r), to) && odd(r))
      assert.equal(await store.deleteRange(from, to, odd), expected.length)
      for (const record of records) {
        assert.equal(await store.has(record.key), !expected.includes(record))
      }
      assert.equal(store.stats().keys, records.length - expected.length)
    })
  })

  describe('gc', () => {
    it('drops tombstones past the grace period and records past their expiry', async () => {
      const store = await openStore({ tombstoneGrace: 1000 })
      const keep = [
        tombstone('young tombstone', version(4500)),
        put('ttl later', 'v', version(1), { expiresAt: 10_000 }),
        put('no ttl', 'v', version(1))
      ]
      const drop = [
        tombstone('old tombstone', version(100)),
        tombstone('just old enough', version(4000)),
        put('ttl passed', 'v', version(1), { expiresAt: 5000 })
      ]
      for (const record of [...keep, ...drop]) await store.apply(record)

      assert.deepEqual(await store.gc(5000), { tombstones: 2, expired: 1 })
      for (const record of keep) assert.equal(await store.has(record.key), true, text(record.key))
      for (const record of drop) assert.equal(await store.has(record.key), false, text(record.key))
      assert.deepEqual(await store.gc(5000), { tombstones: 0, expired: 0 })

      // stats and digests as if the dropped records had never been there
      const fresh = await openStore()
      for (const record of keep) await fresh.apply(record)
      assert.deepEqual(store.stats(), fresh.stats())
      assert.deepEqual(store.bucketDigests(0n, 0n), fresh.bucketDigests(0n, 0n))
    })

    it('keeps tombstones for 24 hours by default', async () => {
      const store = await openStore()
      await store.apply(tombstone('t', version(1000)))
      assert.deepEqual(await store.gc(1000 + 24 * HOUR - 1), { tombstones: 0, expired: 0 })
      assert.deepEqual(await store.gc(1000 + 24 * HOUR), { tombstones: 1, expired: 0 })
    })
  })

  describe('persistence', () => {
    let dir: string

    beforeEach(async () => {
      dir = await mkdtemp(join(tmpdir(), 'chord-store-'))
    })

    afterEach(async () => {
      await rm(dir, { recursive: true, force: true })
    })

    it('finds the same records, digests and stats after reopening a LevelDatastore', async () => {
      const records = randomRecords(41, 500)
      const random = seeded(42)
      let datastore = new LevelDatastore(dir)
      await datastore.open()
      // keys of other services share the datastore and must be left alone
      await datastore.put(new Key('/peers/abc'), new Uint8Array([1]))
      await datastore.put(new Key('/chord/kvx'), new Uint8Array([2]))
      let store = await openStore({ bucketBits: 8 }, datastore)
      for (const record of records) await store.apply(record)
      for (const record of records.slice(0, 50)) await store.apply(tombstone(record.key, version(5000)))
      for (const record of records.slice(50, 100)) await store.apply({ ...record, value: randomBytes(random, 100), version: version(6000) })
      await store.delete(records[200].key)

      const before = {
        stats: store.stats(),
        digests: store.bucketDigests(0n, 0n),
        records: (await collect(store.range(0n, 0n))).map(plain)
      }
      assert.deepEqual(before.stats, { keys: 449, tombstones: 50, bytes: before.stats.bytes, writable: true, failedWrites: 0 })
      await store.close()
      await assert.rejects(store.get(records[0].key), StoreClosedError)
      await datastore.close()

      datastore = new LevelDatastore(dir)
      await datastore.open()
      try {
        store = await openStore({ bucketBits: 8 }, datastore)
        assert.deepEqual(store.stats(), before.stats)
        assert.deepEqual(store.bucketDigests(0n, 0n), before.digests)
        assert.deepEqual((await collect(store.range(0n, 0n))).map(plain), before.records)
        const rewritten = plain(await store.get(records[60].key))
        assert.equal(rewritten?.version.wallTime, 6000)
        assert.ok(before.records.some(r => r?.value === rewritten.value))

        assert.deepEqual(await store.gc(Number.MAX_SAFE_INTEGER - 24 * HOUR), { tombstones: 50, expired: 0 })
        assert.deepEqual([...await datastore.get(new Key('/peers/abc'))], [1])
        assert.deepEqual([...await datastore.get(new Key('/chord/kvx'))], [2])
        await store.close()
      } finally {
        await datastore.close()
      }
    })
  })

  describe('open', () => {
    it('refuses use before open', async () => {
      const store = new LocalStore(new MemoryDatastore())
      await assert.rejects(store.apply(put('k', 'v', version(1))), (err: unknown) => {
        assert.ok(err instanceof StoreClosedError)
        assert.equal(err.code, 'ERR_STORE_CLOSED')
        return true
      })
      assert.throws(() => store.bucketDigests(0n, 0n), StoreClosedError)
    })

    it('reports a corrupt or misplaced stored record', async () => {
      const record = put('k', 'v', version(1))
      const id = idToHex(keyId(record.key))
      const path = `/chord/kv/${id.slice(0, 3)}/${id}`

      const corrupt = new MemoryDatastore()
      await corrupt.put(new Key(path), new Uint8Array([0xff, 0xff]))
      await assert.rejects(openStore({}, corrupt), (err: unknown) => {
        assert.ok(err instanceof InvalidRecordError)
        assert.match(err.message, new RegExp(`stored record at ${path} is corrupt`))
        return true
      })

      const misplaced = new MemoryDatastore()
      const other = idToHex(keyId(new Uint8Array([1])))
      await misplaced.put(new Key(`/chord/kv/${other.slice(0, 3)}/${other}`), encodeRecord(record))
      await assert.rejects(openStore({}, misplaced), /does not belong there/)
    })

    it('uses the configured prefix', async () => {
      const datastore = new MemoryDatastore()
      const store = await openStore({ prefix: '/elsewhere', bucketBits: 8 }, datastore)
      const record = put('k', 'v', version(1))
      await store.apply(record)
      const id = idToHex(keyId(record.key))
      assert.equal(await datastore.has(new Key(`/elsewhere/${id.slice(0, 2)}/${id}`)), true)
    })
  })

  // 'durable': the daemon's datastore, whose getValues reads a batch in one LevelDB getMany
  for (const kind of ['memory', 'level', 'durable'] as const) {
    describe(`applyMany and deleteMany (${kind} datastore)`, () => {
      let dir: string | undefined
      const datastores: Datastore[] = []
      afterEach(async () => {
        for (const datastore of datastores.splice(0)) {
          if (datastore instanceof LevelDatastore) await datastore.close()
        }
        if (dir !== undefined) await rm(dir, { recursive: true, force: true })
        dir = undefined
      })

      async function fresh (init: LocalStoreInit = {}): Promise<LocalStore> {
        let datastore: Datastore = new MemoryDatastore()
        if (kind !== 'memory') {
          dir ??= await mkdtemp(join(tmpdir(), 'chord-apply-many-'))
          const location = join(dir, String(datastores.length))
          const level = kind === 'level' ? new LevelDatastore(location) : new DurableLevelDatastore(location, { sync: false })
          await level.open()
          datastore = level
        }
        datastores.push(datastore)
        return openStore(init, datastore)
      }

      /** everything a store shows: records in ring order, digests of the whole ring, stats */
      async function snapshot (store: LocalStore): Promise<unknown> {
        return {
          records: (await collect(store.range(0n, 0n))).map(plain),
          digests: (await store.rangeDigests(0n, 0n)).map(d => Buffer.from(d.digest).toString('hex')),
          stats: store.stats()
        }
      }

      it('gives the same results, records, digests and stats as apply one by one', async () => {
        const random = seeded(7)
        const base = randomRecords(11, 300)
        // a mix: new keys, newer and older versions of held keys, tombstones, duplicates within one batch
        const held = base.slice(0, 150)
        const incoming: StoreRecord[] = [
          ...base.slice(100, 300),
          ...base.slice(0, 60).map((r, i) => put(r.key, `newer ${i}`, version(5000 + i))),
          ...base.slice(60, 90).map(r => put(r.key, 'older', version(10))),
          ...base.slice(90, 100).map((r, i) => tombstone(r.key, version(6000 + i))),
          put(base[0].key, 'newest in the batch', version(9000)),
          put(base[0].key, 'older than the one before it', version(8000))
        ].sort(() => random() - 0.5)

        const one = await fresh()
        const many = await fresh()
        for (const record of held) await one.apply(record)
        assert.deepEqual(await many.applyMany(held), held.map(() => 'stored'))
        const expected = []
        for (const record of incoming) expected.push(await one.apply(record))
        assert.deepEqual(await many.applyMany(incoming), expected)
        assert.ok(expected.includes('stale') && expected.includes('stored'))
        assert.deepEqual(await snapshot(many), await snapshot(one))
        assert.equal(text((await many.get(base[0].key))!.value), 'newest in the batch')
      })

      it('refuses a whole batch holding a malformed or oversized record, writing nothing', async () => {
        const store = await fresh({ limits: { maxValueBytes: 8 } })
        const good = put('good', 'v', version(1))
        await assert.rejects(store.applyMany([good, put('big', 'far too large', version(1))]), RecordTooLargeError)
        await assert.rejects(store.applyMany([good, put('bad', 'v', version(-1))]), InvalidRecordError)
        assert.deepEqual({ ...store.stats(), problem: undefined }, { keys: 0, tombstones: 0, bytes: 0, writable: true, failedWrites: 0, problem: undefined })
        assert.equal(await store.has(good.key), false)
      })

      it('deleteMany removes only versions not newer than the one given, like delete upTo', async () => {
        const records = randomRecords(12, 200)
        const one = await fresh()
        const many = await fresh()
        await many.applyMany(records)
        for (const record of records) await one.apply(record)
        // half the keys were written again since the versions were listed: those must stay
        const rewritten = records.slice(0, 100).map((r, i) => put(r.key, `rewritten ${i}`, version(7000 + i)))
        await many.applyMany(rewritten)
        for (const record of rewritten) await one.apply(record)
        const entries = [
          ...records.map(r => ({ key: r.key, upTo: r.version })),
          { key: new TextEncoder().encode('never held'), upTo: version(1) }
        ]
        let removedOne = 0
        for (const { key, upTo } of entries) if (await one.delete(key, { upTo })) removedOne++
        assert.equal(await many.deleteMany(entries), removedOne)
        assert.equal(removedOne, 100)
        assert.deepEqual(await snapshot(many), await snapshot(one))
        assert.equal(many.stats().keys, 100)
      })

      it('keeps per-key order against apply and delete running at the same time', async () => {
        const store = await fresh()
        const records = randomRecords(13, 100)
        const newer = records.map((r, i) => put(r.key, `newer ${i}`, version(9000 + i)))
        // interleave a batch with single applies of newer versions and deletes of the old ones
        await Promise.all([
          store.applyMany(records),
          ...newer.slice(0, 50).map(async r => store.apply(r)),
          store.deleteMany(records.slice(50).map(r => ({ key: r.key, upTo: r.version })))
        ])
        for (const [i, record] of records.entries()) {
          const held = await store.get(record.key)
          // each operation waits for the ones queued on its keys before it
          if (i < 50) assert.equal(text(held!.value), `newer ${i}`)
          else assert.equal(held, undefined)
        }
        const reopened = new LocalStore(datastores.at(-1)!)
        await reopened.open()
        assert.deepEqual(await snapshot(reopened), await snapshot(store))
      })
    })
  }
})
