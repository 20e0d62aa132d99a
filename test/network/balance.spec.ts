/**
 * Load balance with the defaults a user gets: peers started one after
 * another, as an operator starts daemons, each choose their position
 * (position-choice.ts), and the keys held per peer — every replica counted,
 * as `chord stats` shows them — stay within 1.5× of the mean.
 */
import assert from 'node:assert/strict'
import { createChordNode } from '../../src/node.ts'
import { pool } from '../fixtures/kv.ts'
import { addrOf, waitFor } from '../../harness/peers.ts'
import { states, stopAll } from '../fixtures/ring.ts'
import { checkIdeal } from '../../harness/invariants.ts'
import type { Peer } from '../../harness/peers.ts'
import type { ChordInit } from '../../src/index.ts'

const KEYS = 2000
const R = 3

async function startPeer (chord: ChordInit): Promise<Peer> {
  return createChordNode({
    listen: ['/ip4/127.0.0.1/tcp/0'],
    // every test peer is the same host: lift the inbound connections/s per host limit
    inboundConnectionThreshold: Infinity,
    chord
  })
}

/**
 * Start `count` peers with default chord options, each once the ring has
 * taken the one before in (a joiner reads the ring to choose its position:
 * peers joining within one stabilize round of each other see a stale one)
 */
async function startOneByOne (count: number, peers: Peer[]): Promise<void> {
  peers.push(await startPeer({}))
  for (let i = 1; i < count; i++) {
    const peer = await startPeer({ bootstrap: [addrOf(peers[Math.floor(Math.random() * peers.length)])] })
    peers.push(peer)
    await waitFor(() => peer.services.chord.joined && checkIdeal(states(peers), 8).length === 0, 30_000,
      () => `peer ${i} not in an ideal ring: ${checkIdeal(states(peers), 8).slice(0, 3).join('; ')}`)
  }
}

function heldPerPeer (peers: Peer[]): number[] {
  return peers.map(p => p.services.chord.storeStats().keys)
}

describe('load balance with the default options', function () {
  this.timeout(180_000)
  let peers: Peer[] = []
  afterEach(async () => { await stopAll(peers); peers = [] })

  it(`8 peers started one by one hold ${KEYS} keys × r = ${R} with the busiest peer at most 1.5× the mean`, async () => {
    await startOneByOne(8, peers)
    const keys = Array.from({ length: KEYS }, (_, i) => `balance-${i}`)
    await pool(keys, 32, async (key, i) => { await peers[i % peers.length].services.chord.put(key, `value of ${key}`) })
    // every write reaches all r replicas (a QUORUM write returns after 2 of them)
    await waitFor(() => heldPerPeer(peers).reduce((a, b) => a + b, 0) === KEYS * R, 30_000,
      () => `replicas held: ${heldPerPeer(peers).join(', ')} (want ${KEYS * R} in all)`)
    const held = heldPerPeer(peers)
    const mean = (KEYS * R) / peers.length
    const max = Math.max(...held)
    console.log(`      held per peer: ${held.sort((a, b) => b - a).join(', ')}; max/mean ${(max / mean).toFixed(2)}, min/mean ${(Math.min(...held) / mean).toFixed(2)}`)
    assert.ok(max <= 1.5 * mean, `the busiest peer holds ${max} keys, ${(max / mean).toFixed(2)}× the mean ${mean}`)
    // the positions were chosen: not every peer sits at its first hashed position
    assert.ok(states(peers).some(s => s.positions[0].self.vnode !== 0), 'no peer chose a position')
  })
})
