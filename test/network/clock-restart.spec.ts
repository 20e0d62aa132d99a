/**
 * The hybrid clock's mark survives a restart: a peer restarted on its data
 * directory with its wall clock stepped back an hour still writes versions
 * above the ones it wrote before, so its new writes win. Without the mark
 * (deleted from the datastore while the peer is down) the same restart
 * cannot win: its write is refused as running an hour behind.
 */
import assert from 'node:assert/strict'
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { addrOf, createPeer, waitFor } from '../../harness/peers.ts'
import { tempDir } from '../fixtures/daemons.ts'
import { stopAll, waitForIdealRing } from '../fixtures/ring.ts'
import type { Peer } from '../../harness/peers.ts'
import type { ChordInit } from '../../src/index.ts'

const HOUR = 60 * 60 * 1000
const text = (bytes: Uint8Array | undefined): string | undefined => bytes === undefined ? undefined : new TextDecoder().decode(bytes)

describe('the clock across a restart (real peers, LevelDB data directories)', function () {
  this.timeout(60_000)
  let others: Peer[] = []
  let writer: Peer | undefined
  let dir: Awaited<ReturnType<typeof tempDir>>

  beforeEach(async () => {
    dir = await tempDir('chord-clock-')
    const first = await createPeer({ replicas: 3 })
    others = [first, await createPeer({ replicas: 3, bootstrap: [addrOf(first)] })]
  })

  afterEach(async () => {
    await stopAll([...others, ...(writer === undefined ? [] : [writer])])
    writer = undefined
    await dir.remove()
  })

  /** the writing peer, on its data directory, its wall clock `offset` ms off */
  async function startWriter (offset: number): Promise<Peer> {
    const init: ChordInit = { replicas: 3, bootstrap: others.map(addrOf), wallClock: () => Date.now() + offset }
    writer = await createPeer(init, 'mplex', undefined, { dataDir: dir.dir })
    await waitForIdealRing([...others, writer], 200, 2)
    return writer
  }

  async function restartWriter (offset: number, beforeStart?: () => Promise<void>): Promise<Peer> {
    writer!.services.chord.leaveOnStop = false
    await writer!.stop()
    writer = undefined
    await beforeStart?.()
    return startWriter(offset)
  }

  async function readEverywhere (key: string): Promise<Array<string | undefined>> {
    return Promise.all(others.map(async p => text(await p.services.chord.get(key, { consistency: 'ALL' }))))
  }

  it("keeps a peer's new writes above its old ones when its wall clock stepped back an hour", async () => {
    const before = await startWriter(0)
    const old = await before.services.chord.put('clock-key', 'written before the restart', { consistency: 'ALL' })

    const after = await restartWriter(-HOUR)
    const version = await after.services.chord.put('clock-key', 'written after the restart', { consistency: 'ALL' })
    assert.ok(version.wallTime > old.wallTime || (version.wallTime === old.wallTime && version.logical > old.logical),
      `new version ${JSON.stringify(version)} not above the old ${JSON.stringify(old)}`)
    assert.deepEqual(await readEverywhere('clock-key'), ['written after the restart', 'written after the restart'])
    // and the clock's readings go on growing from there
    const next = await after.services.chord.put('clock-key', 'and later', { consistency: 'ALL' })
    assert.ok(next.wallTime >= version.wallTime)
    await waitFor(async () => (await readEverywhere('clock-key')).every(v => v === 'and later'), 5000, 'the last write read everywhere')
  })

  it('without the stored mark, the same restart cannot win (the test can fail)', async () => {
    const before = await startWriter(0)
    await before.services.chord.put('clock-key', 'written before the restart', { consistency: 'ALL' })

    // the mark lives in a file of its own beside LevelDB's (src/persistence/mark-file.ts)
    const after = await restartWriter(-HOUR, async () => { await rm(join(dir.dir, 'datastore', 'CHORD-CLOCK')) })
    await assert.rejects(after.services.chord.put('clock-key', 'written after the restart', { consistency: 'ALL' }), /ahead of local time/)
    assert.deepEqual(await readEverywhere('clock-key'), ['written before the restart', 'written before the restart'])
  })
})
