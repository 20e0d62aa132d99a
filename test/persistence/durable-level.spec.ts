/**
 * The daemon's datastore on real LevelDB: synced writes shared by group
 * commit, and a full disk (a tmpfs of the test's own) that refuses writes
 * with ERR_DISK_FULL, keeps serving reads, and takes writes again by itself
 * once the filesystem is grown.
 */
import assert from 'node:assert/strict'
import { Key } from 'interface-datastore'
import { equals } from 'uint8arrays/equals'
import { DurableLevelDatastore } from '../../src/persistence/durable-level.ts'
import { DiskFullError } from '../../src/store/errors.ts'
import { CLOCK_MARK, metaKey } from '../../src/store/meta-keys.ts'
import { waitFor } from '../../harness/peers.ts'
import { tempDir } from '../fixtures/daemons.ts'
import { mountTmpfs, tmpfsAvailable } from '../fixtures/tmpfs.ts'
import type { Tmpfs } from '../fixtures/tmpfs.ts'

const MiB = 1024 * 1024
const value = (size: number, fill: number): Uint8Array => new Uint8Array(size).fill(fill)

describe('persistence/DurableLevelDatastore', function () {
  this.timeout(30_000)

  it('syncs every write, and concurrent writes share syncs (group commit)', async () => {
    const dir = await tempDir('chord-durable-')
    const store = new DurableLevelDatastore(dir.dir)
    try {
      await store.open()
      await Promise.all(Array.from({ length: 200 }, async (_, i) => store.put(new Key(`/k/${i}`), value(100, i))))
      const batch = store.batch()
      for (let i = 200; i < 300; i++) batch.put(new Key(`/k/${i}`), value(100, i))
      await batch.commit()
      const { batches, writes } = store.syncTotals
      assert.equal(writes, 201)
      assert.ok(batches < writes / 4, `${batches} syncs for ${writes} writes: not grouped`)
      await store.close()
      await store.open()
      for (let i = 0; i < 300; i++) assert.ok(equals(await store.get(new Key(`/k/${i}`)), value(100, i)))
    } finally {
      await store.close().catch(() => {})
      await dir.remove()
    }
  })

  it('reads many keys in one getValues, missing ones as undefined, the clock mark from its file', async () => {
    const dir = await tempDir('chord-durable-')
    const store = new DurableLevelDatastore(dir.dir, { sync: false })
    try {
      await store.open()
      for (let i = 0; i < 10; i += 2) await store.put(new Key(`/k/${i}`), value(10, i))
      const got = await store.getValues(Array.from({ length: 10 }, (_, i) => new Key(`/k/${i}`)))
      assert.deepEqual(got.map(v => v?.[0]), [0, undefined, 2, undefined, 4, undefined, 6, undefined, 8, undefined])
      const mark = metaKey(CLOCK_MARK)
      await store.put(mark, value(8, 9))
      const [held, missing] = await store.getValues([mark, new Key('/k/1')])
      assert.ok(held !== undefined && equals(held, value(8, 9)))
      assert.equal(missing, undefined)
    } finally {
      await store.close().catch(() => {})
      await dir.remove()
    }
  })

  describe('on a full disk (tmpfs; needs root)', () => {
    let fs: Tmpfs | undefined
    let store: DurableLevelDatastore | undefined

    before(function () {
      if (!tmpfsAvailable()) this.skip()
    })

    afterEach(async () => {
      await store?.close().catch(() => {})
      await fs?.remove()
      store = undefined
      fs = undefined
    })

    it('refuses writes with ERR_DISK_FULL, serves reads, and recovers once the filesystem grows', async () => {
      fs = await mountTmpfs(6 * MiB)
      store = new DurableLevelDatastore(fs.dir, { recoveryInterval: 100 })
      await store.open()
      const acked: number[] = []
      let refusal: unknown
      for (let i = 0; i < 20 && refusal === undefined; i++) {
        try {
          await store.put(new Key(`/big/${i}`), value(900 * 1024, i))
          acked.push(i)
        } catch (err) {
          refusal = err
        }
      }
      assert.ok(refusal instanceof DiskFullError, `expected ERR_DISK_FULL, got ${String(refusal)}`)
      assert.equal(refusal.code, 'ERR_DISK_FULL')
      assert.match(refusal.message, /is full/)
      assert.ok(acked.length >= 2, `only ${acked.length} writes fitted`)
      const health = store.storageHealth()
      assert.equal(health.writable, false)
      assert.match(health.problem ?? '', /full/)

      // a small write is refused at once too; reads go on
      await assert.rejects(store.put(new Key('/small'), value(10, 1)), DiskFullError)
      assert.ok(store.storageHealth().failedWrites >= 2)
      for (const i of acked) assert.ok(equals(await store.get(new Key(`/big/${i}`)), value(900 * 1024, i)))

      // the clock's mark is a preallocated file: it can still be written
      await store.put(new Key('/chord/meta/hlc'), new TextEncoder().encode('1234567890123'))
      assert.equal(new TextDecoder().decode(await store.get(new Key('/chord/meta/hlc'))), '1234567890123')

      // still full: no recovery
      await new Promise(resolve => setTimeout(resolve, 300))
      assert.equal(store.storageHealth().writable, false)

      await fs.resize(30 * MiB)
      await waitFor(() => store!.storageHealth().writable, 10_000, 'writes accepted again after the filesystem grew')
      await store.put(new Key('/small'), value(10, 1))
      await store.put(new Key('/big/after'), value(900 * 1024, 7))
      for (const i of acked) assert.ok(equals(await store.get(new Key(`/big/${i}`)), value(900 * 1024, i)))

      // and all of it is still there after a reopen
      await store.close()
      await store.open()
      for (const i of acked) assert.ok(equals(await store.get(new Key(`/big/${i}`)), value(900 * 1024, i)))
      assert.ok(equals(await store.get(new Key('/small')), value(10, 1)))
    })
  })
})
