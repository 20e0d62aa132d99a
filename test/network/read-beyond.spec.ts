/**
 * A read never calls a key absent while the replicas that said so are
 * still settling in (their ranges just changed: a join, rings merging after
 * a partition) and a member further along the key's successor list still
 * holds it — the state right after two rings merged, when the new replica
 * set is made of peers of the other ring and the copies are still on their
 * way from the previous replicas. Real peers over TCP; the state is set up
 * by hand so that the handoff cannot win the race.
 */
import assert from 'node:assert/strict'
import { keyId } from '../../src/ring/id.ts'
import { replicaSet } from '../../src/store/replicas.ts'
import { service, waitFor } from '../../harness/peers.ts'
import { checkIdeal } from '../../harness/invariants.ts'
import { R, startRing, states, stopAll } from '../fixtures/ring.ts'
import type { Peer } from '../../harness/peers.ts'

const r = 3
const encoder = new TextEncoder()

describe('reads while replicas settle in', function () {
  this.timeout(60_000)
  let peers: Peer[] = []
  afterEach(async () => { await stopAll(peers); peers = [] })

  /** A ring of 6 where `key` is held only by the first peer past its replica set */
  async function keyBeyondReplicas (key: string): Promise<{ replicas: Peer[], holder: Peer }> {
    // no sweep moves the copy meanwhile (the holder's ring does not change);
    // syncs run, but only among the replicas, which hold nothing
    peers = await startRing(6, { init: () => ({ replicas: r, syncInterval: 1000, sweepInterval: 600_000 }) })
    await waitFor(() => peers.every(p => p.services.chord.joined) && checkIdeal(states(peers), R).length === 0, 30_000, 'ring not ideal')
    const found = await peers[0].services.chord.findSuccessor(key)
    const byPeer = new Map(peers.map(p => [p.peerId.toString(), p]))
    const replicas = replicaSet(found.successors, r).map(n => byPeer.get(n.peer)!)
    const holder = byPeer.get(found.successors.find(n => !replicas.some(p => p.peerId.toString() === n.peer))!.peer)!
    const bytes = encoder.encode(key)
    await service(holder).store.context.local.apply({ key: bytes, value: encoder.encode('still here'), deleted: false, version: { ...service(holder).store.context.hlc.now(), writer: holder.peerId.toString() } })
    for (const p of replicas) assert.equal(await service(p).store.context.local.get(bytes), undefined)
    assert.equal(keyId(bytes), found.key)
    return { replicas, holder }
  }

  it('replicas whose ranges just changed make an absent read ask further along the successor list, and repair', async () => {
    const { replicas } = await keyBeyondReplicas('settling')
    for (const p of replicas) service(p).store.ringChanged()
    const reader = peers.find(p => !replicas.includes(p))!
    assert.equal(new TextDecoder().decode(await reader.services.chord.get('settling')), 'still here')
    // the replicas that answered without it were repaired
    await waitFor(async () => (await Promise.all(replicas.map(async p => service(p).store.context.local.get(encoder.encode('settling'))))).every(rec => rec !== undefined), 10_000, 'replicas not repaired')
  })

  it('a key nobody holds reads absent: asking past the replicas only while they settle in', async () => {
    peers = await startRing(6, { init: () => ({ replicas: r, syncInterval: 1000 }) })
    await waitFor(() => peers.every(p => p.services.chord.joined) && checkIdeal(states(peers), R).length === 0, 30_000, 'ring not ideal')
    const found = await peers[0].services.chord.findSuccessor('nobody')
    const byPeer = new Map(peers.map(p => [p.peerId.toString(), p]))
    const replicas = replicaSet(found.successors, r).map(n => byPeer.get(n.peer)!)
    const reader = peers.find(p => !replicas.includes(p))!
    let beyond = 0
    service(reader).store.context.onReadBeyond = () => { beyond++ }
    await waitFor(() => replicas.every(p => service(p).store.context.unsettledUntil < Date.now()), 30_000, 'replicas still settling')
    assert.equal(await reader.services.chord.get('nobody'), undefined)
    assert.equal(beyond, 0, 'settled replicas: nobody else asked')
    for (const p of replicas) service(p).store.ringChanged()
    assert.equal(await reader.services.chord.get('nobody'), undefined)
    assert.equal(beyond, 1, 'unsettled replicas: the members further on asked, once')
  })
})
