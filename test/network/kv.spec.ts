/**
 * The replicated key–value store over real peers (TCP on 127.0.0.1, mplex):
 * placement on exactly r replicas, latest values everywhere, handoff on
 * joins, graceful leaves and crashes, conflicting writes, tombstones.
 */
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createChordNode } from '../../src/node.ts'
import { misplaced, pick, pool, text } from '../fixtures/kv.ts'
import { FAST, addrOf, createPeer, service, waitFor } from '../../harness/peers.ts'
import { R as RING_R, startRing, states, stopAll, waitForIdealRing } from '../fixtures/ring.ts'
import type { Peer } from '../../harness/peers.ts'

const r = 3

/** Seconds-scale deadline for replica placement to settle after a change */
const SETTLE = 30_000

async function readEverywhere (peers: Peer[], expected: Map<string, string | undefined>): Promise<void> {
  const keys = [...expected.keys()]
  await Promise.all(peers.map(async peer => {
    for (const key of keys) {
      const got = text(await peer.services.chord.get(key))
      assert.equal(got, expected.get(key), `${key} read through ${peer.peerId.toString().slice(-4)}`)
    }
  }))
}

describe('replicated store', function () {
  this.timeout(180_000)
  let peers: Peer[] = []
  afterEach(async () => { await stopAll(peers); peers = [] })

  it('16 peers: 1,000 keys written through random peers read back with their latest values through every peer, each on exactly r replicas', async () => {
    peers = await startRing(16, { init: () => ({ replicas: r, successorListLength: RING_R }) })
    await waitForIdealRing(peers, 300)
    const expected = new Map<string, string>()
    const keys = Array.from({ length: 1000 }, (_, i) => `key-${i}`)
    await pool(keys, 32, async (key) => {
      await pick(peers).services.chord.put(key, `first ${key}`)
      expected.set(key, `first ${key}`)
    })
    // overwrite a tenth through other peers: reads must see the newer value
    await pool(keys.filter((_, i) => i % 10 === 0), 32, async (key) => {
      await pick(peers).services.chord.put(key, `second ${key}`)
      expected.set(key, `second ${key}`)
    })
    await readEverywhere(peers, expected)
    await waitFor(async () => (await misplaced(peers, keys, r)).length === 0, SETTLE, 'keys not on exactly r replicas')
  })

  it('peers joining under a steady write load take over their keys; no acknowledged write is lost', async () => {
    peers = await startRing(8, { init: () => ({ replicas: r }) })
    await waitForIdealRing(peers, 300)
    // per key: the last acknowledged value, then every later attempt that failed
    // (a failed write may still have taken effect: RELIABILITY.md guarantee 5)
    const allowed = new Map<string, string[]>()
    let acks = 0
    let writing = true
    const failed: string[] = []
    // four writers, each cycling through its own keys
    const writer = Promise.all([0, 1, 2, 3].map(async w => {
      for (let i = 0; writing; i++) {
        const key = `load-${w}-${i % 100}`
        const value = `v${i}`
        try {
          // a peer still joining refuses with ERR_NOT_JOINED: write through members
          await pick(peers.filter(p => p.services.chord.joined)).services.chord.put(key, value)
          allowed.set(key, [value])
          acks++
        } catch (err) {
          allowed.get(key)?.push(value)
          failed.push((err as Error).message)
        }
      }
    }))
    const joiners = await Promise.all(Array.from({ length: 6 }, async () => createPeer({ replicas: r, bootstrap: [addrOf(pick(peers))] })))
    peers.push(...joiners)
    await waitForIdealRing(peers, 400)
    const acksDuringJoins = acks
    // a loaded machine writes slowly: keep writing until enough writes were acknowledged to check
    const MIN_ACKS = 400
    await waitFor(() => acks >= MIN_ACKS, 60_000, () => `only ${acks} writes acknowledged, ${failed.length} failed${failed.length > 0 ? `, e.g. ${failed[0]}` : ''}`)
    writing = false
    await writer
    console.log(`      ${allowed.size} keys, ${acks} writes acknowledged (${acksDuringJoins} while the ring changed), ${failed.length} not${failed.length > 0 ? `, e.g. ${failed[0]}` : ''}`)
    assert.ok(acksDuringJoins > 0, `no write was acknowledged while peers joined (${failed.length} failed${failed.length > 0 ? `, e.g. ${failed[0]}` : ''})`)
    await waitFor(async () => (await misplaced(peers, allowed.keys(), r)).length === 0, SETTLE,
      () => 'keys not on exactly their r replicas after joins')
    await Promise.all(peers.slice(0, 4).map(async peer => {
      for (const [key, values] of allowed) {
        const got = text(await peer.services.chord.get(key))
        assert.ok(got !== undefined && values.includes(got),
          `${key} read through ${peer.peerId.toString().slice(-4)}: ${got}, not the last acknowledged ${values[0]} or a later attempt [${values.slice(1).join(' ')}]`)
      }
    }))
  })

  it('a peer (on LevelDB) joining a ring of 3,000 keys takes its share in bulk, and hands it back when it leaves: every key on exactly r replicas', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'chord-join-bulk-'))
    try {
      let dirs = 0
      const node = (): { dataDir: string } => ({ dataDir: join(dir, `peer-${dirs++}`) })
      // the default bucket layout (4,096 buckets), so ranges span many buckets
      const init = { replicas: r, bucketBits: 12 }
      peers = await startRing(6, { init: () => init })
      await waitForIdealRing(peers, 300)
      const keys = Array.from({ length: 3000 }, (_, i) => `bulk-${i}`)
      const values = new Map(keys.map((key, i) => [key, `value ${i} `.repeat(20)]))
      await peers[0].services.chord.putMany(keys.map(key => ({ key, value: values.get(key)! })))
      await waitFor(async () => (await misplaced(peers, keys, r)).length === 0, SETTLE, 'keys not on exactly r replicas before the join')

      const joiner = await createChordNode({
        ...node(),
        listen: ['/ip4/127.0.0.1/tcp/0'],
        inboundConnectionThreshold: Infinity,
        chord: { ...FAST, ...init, bootstrap: [addrOf(peers[2])] }
      })
      peers.push(joiner)
      await waitForIdealRing(peers, 300)
      await waitFor(async () => (await misplaced(peers, keys, r)).length === 0, SETTLE,
        'keys not on exactly r replicas after the join')
      assert.ok(joiner.services.chord.storeStats().keys > 0, 'the joiner holds keys')
      await readEverywhere([joiner], values)

      await joiner.services.chord.leave()
      await joiner.stop()
      peers.pop()
      await waitFor(async () => (await misplaced(peers, keys, r)).length === 0, SETTLE,
        'keys not on exactly r replicas after the leave')
      await readEverywhere([peers[0]], values)
    } finally {
      await stopAll(peers)
      peers = []
      await rm(dir, { recursive: true, force: true })
    }
  })

  it('a join takes its keys off the peers further on at once, not at their next sweep', async () => {
    // sweeps only when asked: the peers r − 1 positions past a joiner see no change of their own
    const init = { replicas: r, sweepInterval: 600_000 }
    peers = await startRing(6, { init: () => init })
    await waitForIdealRing(peers, 200)
    const keys = Array.from({ length: 300 }, (_, i) => `swept-${i}`)
    await peers[0].services.chord.putMany(keys.map(key => ({ key, value: key })))
    await waitFor(async () => (await misplaced(peers, keys, r)).length === 0, SETTLE, 'placement before the join')
    const joiner = await createPeer({ ...init, bootstrap: [addrOf(peers[2])] })
    peers.push(joiner)
    await waitForIdealRing(peers, 200)
    let problems: string[] = []
    // generous for a loaded machine, and still a tenth of the sweep interval: it was not the periodic sweep
    await waitFor(async () => (problems = await misplaced(peers, keys, r)).length === 0, init.sweepInterval / 10, () => `copies left behind: ${problems.join('; ')}`)
  })

  it('graceful leaves then r−1 adjacent crashes lose no acknowledged write, and r copies come back', async () => {
    const n = 14
    // the crash victims are chosen after the ring forms; leaveOnStop: false makes their stop a crash
    peers = await startRing(n, { init: () => ({ replicas: r }) })
    await waitForIdealRing(peers, 300)
    const expected = new Map<string, string>()
    const keys = Array.from({ length: 600 }, (_, i) => `keep-${i}`)
    await pool(keys, 32, async (key) => {
      await pick(peers).services.chord.put(key, `value ${key}`)
      expected.set(key, `value ${key}`)
    })

    // three leave gracefully, one after another: each hands its keys over
    for (const leaving of peers.slice(1, 4)) {
      const stats = leaving.services.chord.storeStats()
      await leaving.stop()
      peers = peers.filter(p => p !== leaving)
      assert.ok(stats.keys > 0, 'a leaving peer held keys')
    }
    await readEverywhere(peers.slice(0, 3), expected)

    // r−1 adjacent peers crash at once
    const ring = states(peers).map(s => ({ peer: s.peer, id: s.positions[0].self.id })).sort((a, b) => (a.id < b.id ? -1 : 1))
    const first = 1 + Math.floor(Math.random() * (ring.length - r))
    const victims = ring.slice(first, first + r - 1).map(e => peers.find(p => p.peerId.toString() === e.peer)!)
    await Promise.all(victims.map(async p => crash(p)))
    peers = peers.filter(p => !victims.includes(p))
    await waitForIdealRing(peers, 300)
    await readEverywhere(peers.slice(0, 3), expected)
    const started = Date.now()
    await waitFor(async () => (await misplaced(peers, keys, r)).length === 0, SETTLE, 'r copies not restored after crashes')
    console.log(`      r copies of ${keys.length} keys restored ${Date.now() - started} ms after the ring healed`)
  })

  it('concurrent writes of one key converge to one value; a delete stays deleted through joins, leaves and crashes', async () => {
    peers = await startRing(6, { init: () => ({ replicas: r }) })
    await waitForIdealRing(peers, 200)
    await Promise.all(peers.map(async (p, i) => p.services.chord.put('contested', `from ${i}`)))
    const reads = await Promise.all(peers.map(async p => text(await p.services.chord.get('contested', { consistency: 'ALL' }))))
    assert.equal(new Set(reads).size, 1, `replicas disagree: ${reads.join(', ')}`)
    const held = await Promise.all(peers.map(async p => p.services.chord.getLocalRecord('contested')))
    const versions = new Set(held.filter(h => h !== undefined).map(h => `${h.version.wallTime}.${h.version.logical}.${h.version.writer}`))
    await waitFor(async () => {
      const now = await Promise.all(peers.map(async p => p.services.chord.getLocalRecord('contested')))
      return new Set(now.filter(h => h !== undefined).map(h => text(h.value))).size === 1
    }, 5000, `replicas hold different versions: ${[...versions].join(' ')}`)

    await peers[0].services.chord.put('doomed', 'alive')
    await peers[1].services.chord.delete('doomed')
    assert.equal(await peers[2].services.chord.get('doomed'), undefined)
    // a join, a graceful leave and a crash
    peers.push(await createPeer({ replicas: r, bootstrap: [addrOf(peers[0])] }))
    await waitForIdealRing(peers, 200)
    const leaving = peers[2]
    await leaving.stop()
    peers = peers.filter(p => p !== leaving)
    const victim = peers[3]
    await crash(victim)
    peers = peers.filter(p => p !== victim)
    await waitForIdealRing(peers, 200)
    for (const p of peers) assert.equal(await p.services.chord.get('doomed'), undefined, 'the deleted key came back')
    await waitFor(async () => (await misplaced(peers, ['doomed'], r)).length === 0, SETTLE, 'tombstone not on r replicas')
  })

  it('expires keys written with a ttl', async () => {
    peers = await startRing(3, { init: () => ({ replicas: r }) })
    await waitForIdealRing(peers, 100)
    // the read right after the write must see the value unless the machine was so slow that the ttl already ran out
    const ttl = 2000
    const written = Date.now()
    await peers[0].services.chord.put('short-lived', 'soon gone', { ttl })
    const read = text(await peers[1].services.chord.get('short-lived'))
    if (Date.now() - written < ttl) assert.equal(read, 'soon gone')
    await waitFor(async () => (await peers[2].services.chord.get('short-lived')) === undefined, 30_000, 'key did not expire')
  })

  it('refuses oversized and malformed input with a clear error, locally and from a remote peer', async () => {
    peers = await startRing(2, { init: i => ({ replicas: 2, maxValueBytes: i === 0 ? 4 * 1024 * 1024 : 1024 * 1024 }) })
    await waitForIdealRing(peers, 100)
    const [generous, strict] = peers
    await assert.rejects(strict.services.chord.put('x'.repeat(1025), 'v'), { code: 'ERR_RECORD_TOO_LARGE', message: /key is 1025 bytes, over the limit of 1024 bytes/ })
    await assert.rejects(strict.services.chord.put('k', new Uint8Array(1024 * 1024 + 1)), { code: 'ERR_RECORD_TOO_LARGE', message: /value is 1048577 bytes/ })
    await assert.rejects(strict.services.chord.put('', 'v'), { code: 'ERR_INVALID_RECORD', message: /must not be empty/ })
    // the generous peer accepts 2 MiB values; the strict one must refuse them over the wire
    await assert.rejects(generous.services.chord.put('big', new Uint8Array(2 * 1024 * 1024), { consistency: 'ALL' }),
      (err: Error & { code: string }) => err.code === 'ERR_QUORUM_NOT_REACHED' && /over the limits \(key ≤ 1024 bytes, value ≤ 1048576 bytes\)/.test(err.message))
    assert.equal(await strict.services.chord.getLocalRecord('big'), undefined, 'the strict peer stored an oversized value')
    // both still work
    await strict.services.chord.put('fine', 'small')
    assert.equal(text(await generous.services.chord.get('fine')), 'small')
  })

  it('answers libp2p content routing put/get as kad-dht does', async () => {
    peers = await startRing(3, { init: () => ({ replicas: r }) })
    await waitForIdealRing(peers, 100)
    const key = new TextEncoder().encode('/v/routing')
    await peers[0].contentRouting.put(key, new TextEncoder().encode('through routing'))
    assert.equal(text(await peers[2].contentRouting.get(key)), 'through routing')
    await assert.rejects(peers[1].contentRouting.get(new TextEncoder().encode('/v/missing')),
      (err: AggregateError) => err.errors?.[0]?.name === 'NotFoundError')
  })
})

/** Stop a peer without a goodbye: no leave, no handoff (what a crash looks like to the others) */
async function crash (peer: Peer): Promise<void> {
  peer.services.chord.leaveOnStop = false
  await peer.stop()
}

describe('replicated store: persistence and repair', function () {
  this.timeout(120_000)
  let peers: Peer[] = []
  let dir = ''
  beforeEach(async () => { dir = await mkdtemp(join(tmpdir(), 'chord-test-')) })
  afterEach(async () => {
    await stopAll(peers)
    peers = []
    await rm(dir, { recursive: true, force: true })
  })

  it('a peer restarted on its data directory keeps its identity, ring position and data', async () => {
    peers = await startRing(3, { init: () => ({ replicas: r }) })
    const options = {
      dataDir: join(dir, 'peer'),
      muxers: ['mplex' as const],
      inboundConnectionThreshold: Infinity,
      chord: { ...FAST, replicas: r, bootstrap: [addrOf(peers[0])] }
    }
    const durable = await createChordNode(options)
    peers.push(durable)
    await waitForIdealRing(peers, 200)
    const keys = Array.from({ length: 100 }, (_, i) => `durable-${i}`)
    await pool(keys, 16, async key => { await peers[0].services.chord.put(key, `value ${key}`) })
    await waitFor(async () => (await misplaced(peers, keys, r)).length === 0, SETTLE, 'keys misplaced')
    const heldBy = async (node: Peer): Promise<string[]> => {
      const held = await Promise.all(keys.map(async k => (await node.services.chord.getLocalRecord(k)) !== undefined ? k : undefined))
      return held.filter((k): k is string => k !== undefined)
    }
    // with 4 peers and r = 3 the durable peer holds about three quarters of the keys
    const before = await heldBy(durable)
    assert.ok(before.length > 0)
    const id = durable.services.chord.id
    const peerId = durable.peerId.toString()

    // stop without handing anything over, as a crash or an operator restart would
    durable.services.chord.leaveOnStop = false
    await durable.stop()
    peers = peers.filter(p => p !== durable)
    const again = await createChordNode(options)
    peers.push(again)
    assert.equal(again.peerId.toString(), peerId)
    assert.equal(again.services.chord.id, id)
    const after = await heldBy(again)
    assert.deepEqual(before.filter(k => !after.includes(k)), [], 'keys held before the restart are missing after it')
    await waitForIdealRing(peers, 200)
    for (const key of keys) assert.equal(text(await again.services.chord.get(key)), `value ${key}`)
  })

  it('a read that meets a stale replica repairs it', async () => {
    // replica sync slowed right down, so only the read can repair
    peers = await startRing(4, { init: () => ({ replicas: r, syncInterval: 600_000, sweepInterval: 600_000 }) })
    await waitForIdealRing(peers, 200)
    await peers[0].services.chord.put('repair-me', 'old', { consistency: 'ALL' })
    const location = await peers[0].services.chord.lookup('repair-me')
    assert.equal(location.replicas.length, r)
    // a newer write that reaches only the owner (as if the others had missed it)
    const owner = location.replicas[0].node
    const newer = { key: new TextEncoder().encode('repair-me'), value: new TextEncoder().encode('new'), deleted: false, version: { wallTime: Date.now() + 1000, logical: 0, writer: 'writer-x' } }
    await service(peers[0]).store.pushTo(owner, [newer])
    const stale = async (): Promise<number> => {
      const held = await Promise.all(peers.map(async p => p.services.chord.getLocalRecord('repair-me')))
      return held.filter(h => h !== undefined && text(h.value) === 'old').length
    }
    assert.equal(await stale(), r - 1)
    assert.equal(text(await peers[1].services.chord.get('repair-me', { consistency: 'ALL' })), 'new')
    await waitFor(async () => (await stale()) === 0, 5000, 'stale replicas were not repaired by the read')
  })

  it('reports handoff progress while a peer leaves', async () => {
    peers = await startRing(4, { init: () => ({ replicas: 2 }) })
    await waitForIdealRing(peers, 200)
    await peers[0].services.chord.putMany(Array.from({ length: 300 }, (_, i) => ({ key: `moving-${i}`, value: 'x'.repeat(100) })))
    const leaving = peers[3]
    // the leaver pushes its keys to their new replicas, unless its neighbours,
    // told of the leave first, copied them already by their own sync: count both
    let pushed = 0
    for (const peer of peers) {
      peer.services.chord.addEventListener('transfer:progress', (evt) => {
        if (peer === leaving ? evt.detail.reason === 'leave' : evt.detail.reason === 'sync') pushed += evt.detail.keys
      })
    }
    let left: { handed: number, remaining: number } | undefined
    leaving.services.chord.addEventListener('ring:left', (evt) => { left = evt.detail })
    const held = leaving.services.chord.storeStats().keys
    await leaving.stop()
    peers = peers.filter(p => p !== leaving)
    assert.deepEqual(left, { handed: held, remaining: 0 })
    assert.ok(pushed > 0 && pushed <= held * 2, `moved ${pushed} records for ${held} keys`)
    await waitFor(async () => (await misplaced(peers, Array.from({ length: 300 }, (_, i) => `moving-${i}`), 2)).length === 0, SETTLE, 'keys misplaced after the leave')
  })
})
