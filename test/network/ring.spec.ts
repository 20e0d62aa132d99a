/**
 * The Chord ring over real libp2p peers: TCP on 127.0.0.1, noise, mplex
 * (yamux in its own block). Checked with the invariants of shared/README.md.
 */
import assert from 'node:assert/strict'
import { R, checkLookups, startRing, states, stopAll, waitForIdealRing } from '../fixtures/ring.ts'
import { checkInvariants } from '../../harness/invariants.ts'
import { addrOf, createPeer, waitFor } from '../../harness/peers.ts'
import type { Peer } from '../../harness/peers.ts'

/** Stabilization rounds a ring of n gets to become ideal */
const roundsFor = (n: number): number => 100 + 10 * n

describe('chord ring (mplex, TCP on 127.0.0.1)', function () {
  this.timeout(120_000)
  let peers: Peer[] = []
  afterEach(async () => { await stopAll(peers); peers = [] })

  for (const n of [1, 2, 3, 16]) {
    it(`${n} peer${n > 1 ? 's' : ''} converge to one correct ring and agree on lookups`, async () => {
      peers = await startRing(n)
      const rounds = await waitForIdealRing(peers, roundsFor(n))
      const figures = await checkLookups(peers, 200)
      console.log(`      N=${n}: ideal ring after ~${rounds} rounds; ${figures.lookups} lookups, mean hops ${figures.meanHops.toFixed(2)}`)
    })
  }

  it('32 peers converge, route in about ½·log2 N hops, and heal after graceful leaves and crashes', async () => {
    const n = 32
    // a quarter will crash: their stop() says no goodbye
    const crashing = new Set<number>()
    while (crashing.size < n / 4) crashing.add(1 + Math.floor(Math.random() * (n - 1)))
    // plain Chord routing: the location cache would hide the finger tables' work
    peers = await startRing(n, { init: i => ({ leaveOnStop: !crashing.has(i), locationCacheSize: 0 }) })
    const index = new Map(peers.map((p, i) => [p, i]))
    const rounds = await waitForIdealRing(peers, roundsFor(n))
    const figures = await checkLookups(peers, 200)
    const half = 0.5 * Math.log2(n)
    console.log(`      N=${n}: ideal ring after ~${rounds} rounds; ${figures.lookups} lookups, mean hops ${figures.meanHops.toFixed(2)} (½·log2 N = ${half.toFixed(2)}), max ${figures.maxHops}, ${figures.failures} unanswered steps`)
    assert.ok(figures.meanHops <= half + 1, `mean hops ${figures.meanHops} is far above ½·log2 N = ${half}`)

    // a quarter leave gracefully: the ring must close at once, no failures seen
    const leaving = peers.filter((_, i) => i !== 0 && !crashing.has(i)).slice(0, n / 4)
    await Promise.all(leaving.map(async p => p.stop()))
    peers = peers.filter(p => !leaving.includes(p))
    assert.deepEqual(checkInvariants(states(peers), R).filter(v => v.includes('no live successor')), [])
    await waitForIdealRing(peers, roundsFor(peers.length))
    await checkLookups(peers, 200)

    // a quarter of the original ring crash at once, never r in a row (the
    // protocol cannot recover a member whose whole successor list dies)
    const victims = peers.filter(p => crashing.has(index.get(p) ?? -1))
    assert.ok(!wholeListDies(peers, victims), 'test precondition: r adjacent victims')
    await Promise.all(victims.map(async p => p.stop()))
    peers = peers.filter(p => !victims.includes(p))
    await waitForIdealRing(peers, roundsFor(peers.length))
    const after = await checkLookups(peers, 200)
    console.log(`      after ${leaving.length} leaves and ${victims.length} crashes: ${peers.length} peers, mean hops ${after.meanHops.toFixed(2)}`)
  })

  it('the location cache brings warm lookups to about one hop, still naming the true owner', async () => {
    peers = await startRing(16)
    await waitForIdealRing(peers, roundsFor(16))
    const cold = await checkLookups(peers, 100)
    const warm = await checkLookups(peers, 100)
    console.log(`      N=16 with the location cache: mean hops ${cold.meanHops.toFixed(2)} cold, ${warm.meanHops.toFixed(2)} warm`)
    assert.ok(warm.meanHops <= 1.2, `warm lookups take ${warm.meanHops} hops`)
  })

  it('4 peers × 8 virtual nodes converge and agree on lookups', async () => {
    peers = await startRing(4, { init: () => ({ virtualNodes: 8 }) })
    assert.equal(states(peers).flatMap(s => s.positions).length, 32)
    await waitForIdealRing(peers, roundsFor(32))
    const figures = await checkLookups(peers, 200)
    console.log(`      4 peers × 8 positions: mean hops ${figures.meanHops.toFixed(2)}`)
  })

  it('a peer retries its join until the bootstrap peer is reachable', async () => {
    const seed = await createPeer()
    peers = [seed]
    // no /p2p/ part: whichever peer answers on the address will do
    const addr = addrOf(seed).replace(/\/p2p\/.*$/, '')
    await seed.stop()
    const joiner = await createPeer({ bootstrap: [addr] })
    peers = [joiner]
    await new Promise(resolve => setTimeout(resolve, 300))
    assert.equal(joiner.services.chord.joined, false, 'joined a peer that is down')
    // bring a seed back on the same address
    const port = Number(addr.split('/')[4])
    const revived = await createPeer({}, 'mplex', [`/ip4/127.0.0.1/tcp/${port}`])
    peers.push(revived)
    await waitFor(() => joiner.services.chord.joined, 10_000, 'joiner never joined')
    await waitForIdealRing(peers, roundsFor(2))
  })
})

describe('chord ring (yamux)', function () {
  this.timeout(60_000)
  let peers: Peer[] = []
  afterEach(async () => { await stopAll(peers); peers = [] })

  it('16 peers converge and agree on lookups', async () => {
    peers = await startRing(16, { muxer: 'yamux' })
    await waitForIdealRing(peers, roundsFor(16))
    await checkLookups(peers, 200)
  })
})

/** Would some survivor lose every entry of its successor list? */
function wholeListDies (peers: Peer[], victims: Peer[]): boolean {
  const dead = new Set(victims.map(p => p.peerId.toString()))
  return states(peers).some(s => !dead.has(s.peer) && s.positions.some(pos => pos.successors.every(n => dead.has(n.peer))))
}
