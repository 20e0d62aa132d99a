/**
 * Crashes at the worst moments: a peer killed (SIGKILL, in a process of its
 * own) in the middle of a handoff, of a replica repair and of writes, then
 * restarted on its data directory. Nothing acknowledged may be lost, no
 * write may be left on some replicas only, and the datastore must open
 * cleanly (LocalStore.open decodes and places every record it finds).
 */
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startChildPeer } from '../fixtures/child-peer.ts'
import { diverged, holders, misplaced, pool, text } from '../fixtures/kv.ts'
import { addrOf, createPeer, waitFor } from '../../harness/peers.ts'
import { checkIdeal } from '../../harness/invariants.ts'
import { R, startRing, states, stopAll, waitForIdealRing } from '../fixtures/ring.ts'
import type { ChildPeer } from '../fixtures/child-peer.ts'
import type { Peer } from '../../harness/peers.ts'
import type { ChordInit, RingState } from '../../src/index.ts'

const r = 3
/** small batches, so a transfer takes several messages and a crash can fall between them */
const init: ChordInit = { replicas: r, maxItemsPerMessage: 16 }
const SETTLE = 30_000

describe('crash points: a peer killed mid-operation and restarted on its data directory', function () {
  this.timeout(90_000)
  let peers: Peer[] = []
  let child: ChildPeer | undefined
  let dir = ''
  beforeEach(async () => { dir = await mkdtemp(join(tmpdir(), 'chord-crash-')) })
  afterEach(async () => {
    await child?.kill()
    child = undefined
    await stopAll(peers)
    peers = []
    await rm(dir, { recursive: true, force: true })
  })

  /** every peer's ring state, the child's included while it runs */
  async function allStates (): Promise<RingState[]> {
    return [...states(peers), ...(child === undefined ? [] : [await child.state()])]
  }

  /** the ring with the child in it is ideal, and every key sits on its replicas (the child's share unchecked) */
  async function settled (keys: string[]): Promise<void> {
    await waitFor(async () => checkIdeal(await allStates(), R).length === 0, SETTLE, 'ring with the child not ideal')
    await waitFor(async () => (await misplaced(peers, keys, r, 1, child === undefined ? [] : [await child.state()])).length === 0, SETTLE, 'keys not on their replicas')
  }

  /** The child's peer again, in this process, on the same data directory; fails if the datastore does not open */
  async function restart (): Promise<Peer> {
    const before = child!.peer
    await child!.exited
    child = undefined
    const again = await createPeer({ ...init, bootstrap: [addrOf(peers[0])] }, 'mplex', undefined, { dataDir: join(dir, 'child') })
    assert.equal(again.peerId.toString(), before, 'the restarted peer has another id')
    peers.push(again)
    return again
  }

  /** Every key back on exactly its r replicas, all holding one version, each reading `expected` */
  async function converged (keys: string[], expected: (key: string) => string | undefined): Promise<void> {
    await waitForIdealRing(peers, 400)
    await waitFor(async () => (await misplaced(peers, keys, r, 1)).length === 0, SETTLE, 'keys not on their r replicas')
    await waitFor(async () => (await diverged(peers, keys, 1)).length === 0, SETTLE, 'replicas hold different versions')
    await pool(keys, 16, async key => {
      assert.equal(text(await peers[0].services.chord.get(key)), expected(key), `${key} after the restart`)
    })
  }

  it('in the middle of a handoff: every key not yet acknowledged by all its new replicas stays on its disk', async () => {
    peers = await startRing(3, { init: () => init })
    child = await startChildPeer({ dataDir: join(dir, 'child'), bootstrap: [addrOf(peers[0])], init })
    await child.next(report => report.type === 'joined')
    await settled([])
    // the child holds the only copies (as if the others were lost) and leaves; it kills itself
    // inside the handoff, on its 30th acknowledged batch of the at least 75 (400 keys × r / 16)
    const keys = Array.from({ length: 400 }, (_, i) => `handoff-${i}`)
    child.send({ cmd: 'dieAfterProgress', direction: 'push', reason: 'leave', batches: 30 })
    child.send({ cmd: 'holdAndLeave', keys, value: 'only here' })
    assert.equal(await child.exitedWithin(SETTLE), 'SIGKILL', 'the child never handed 30 batches over')
    // the leaving child's successors are its keys' new replicas: with r peers left, all of them
    assert.equal(peers.length, r)
    const reached = await heldSomewhere(peers, keys)
    const acknowledgedByAll = await heldByAll(peers, keys)
    assert.ok(reached.length > 0, 'no key reached another peer before the crash')
    assert.ok(acknowledgedByAll.length < keys.length, 'the handoff was complete before the kill')

    // guarantee 7: a key gone from the child's disk is on every one of its new replicas
    const again = await restart()
    const kept = await heldSomewhere([again], keys)
    assert.deepEqual(keys.filter(key => !kept.includes(key) && !acknowledgedByAll.includes(key)), [],
      'keys deleted from the child before all their new replicas held them')
    await converged(keys, () => 'only here')
    console.log(`      killed mid-handoff: ${reached.length} of ${keys.length} keys on some peer, ${acknowledgedByAll.length} on all ${r} new replicas, ${keys.length - kept.length} deleted from the child's disk; all back on ${r} replicas after its restart`)
  })

  it('in the middle of a replica repair, right after its predecessor crashed (r − 1 adjacent failures)', async () => {
    peers = await startRing(5, { init: () => init })
    child = await startChildPeer({ dataDir: join(dir, 'child'), bootstrap: [addrOf(peers[0])], init })
    await child.next(report => report.type === 'joined')
    await settled([])
    const keys = Array.from({ length: 600 }, (_, i) => `repair-${i}`)
    await pool(keys, 16, async key => { await peers[0].services.chord.put(key, `value ${key}`) })
    await settled(keys)

    // the child's predecessor crashes: the child now owns its range and re-creates the lost copies
    const { predecessor: before } = (await child.state()).positions[0]
    const predecessor = peers.find(p => p.peerId.toString() === before?.peer)!
    const armed = child.reports.length
    // the child kills itself on its first acknowledged push
    child.send({ cmd: 'dieAfterProgress', direction: 'push', batches: 1 })
    await child.state() // commands are taken in order: the trap is set
    predecessor.services.chord.leaveOnStop = false
    await predecessor.stop()
    peers = peers.filter(p => p !== predecessor)
    assert.equal(await child.exitedWithin(SETTLE), 'SIGKILL', 'the child never pushed a repair')
    const pushed = child.reports.slice(armed).filter(report => report.type === 'progress' && report.direction === 'push').reduce((n, report) => n + (report.keys as number), 0)

    await restart()
    await converged(keys, key => `value ${key}`)
    console.log(`      the child pushed ${pushed} records of its repair before it was killed; all ${keys.length} keys back on ${r} replicas after its restart`)
  })

  it('a replica killed while writes are in flight: acknowledged writes survive, none is left half-applied', async () => {
    peers = await startRing(4, { init: () => init })
    child = await startChildPeer({ dataDir: join(dir, 'child'), bootstrap: [addrOf(peers[0])], init })
    await child.next(report => report.type === 'joined')
    await settled([])
    // the child dies right after its store kept the 20th record a coordinator sent it
    child.send({ cmd: 'dieAfterStored', count: 20, from: 'remote' })
    await child.state() // commands are taken in order: the trap is set
    const keys = Array.from({ length: 300 }, (_, i) => `inflight-${i}`)
    const acked = new Set<string>()
    await pool(keys, 16, async key => {
      try {
        await peers[1].services.chord.put(key, `value ${key}`)
        acked.add(key)
      } catch {}
    })
    assert.equal(await child.exited, 'SIGKILL')
    await restart()
    const stored = await heldSomewhere(peers, keys)
    assert.ok([...acked].every(key => stored.includes(key)), 'an acknowledged write is nowhere')
    await converged(stored, key => `value ${key}`)
    console.log(`      ${acked.size} of ${keys.length} writes acknowledged around the crash; ${stored.length} stored, each on ${r} replicas after the restart`)
  })

  it('a coordinator killed after its own replica stored a write: the write ends on every replica or none', async () => {
    peers = await startRing(4, { init: () => init })
    child = await startChildPeer({ dataDir: join(dir, 'child'), bootstrap: [addrOf(peers[0])], init })
    await child.next(report => report.type === 'joined')
    await settled([])
    child.send({ cmd: 'dieAfterStored', count: 5, from: 'self' })
    const keys = Array.from({ length: 100 }, (_, i) => `coordinated-${i}`)
    child.send({ cmd: 'put', keys, value: 'from the child' })
    assert.equal(await child.exited, 'SIGKILL')
    const acked = child.reports.filter(report => report.type === 'acked').map(report => report.key as string)
    await restart()
    const stored = await heldSomewhere(peers, keys)
    assert.ok(acked.every(key => stored.includes(key)), 'an acknowledged write is nowhere')
    assert.ok(stored.length > acked.length, 'no write was caught between its first replica and its acknowledgement')
    await converged(stored, () => 'from the child')
    console.log(`      ${acked.length} writes acknowledged before the crash, ${stored.length - acked.length} more had reached a replica: all now on ${r} replicas`)
  })
})

/** Keys every one of `peers` holds a record of */
async function heldByAll (peers: Peer[], keys: string[]): Promise<string[]> {
  const held = await Promise.all(keys.map(async key => (await holders(peers, key)).length === peers.length ? key : undefined))
  return held.filter((key): key is string => key !== undefined)
}

/** Keys some peer holds a record of */
async function heldSomewhere (peers: Peer[], keys: string[]): Promise<string[]> {
  const held = await Promise.all(keys.map(async key => (await holders(peers, key)).length > 0 ? key : undefined))
  return held.filter((key): key is string => key !== undefined)
}
