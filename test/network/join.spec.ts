/**
 * How a daemon joins with LAN discovery (src/cli/join.ts), without
 * multicast: mDNS's peer:discovery events are dispatched on in-process
 * peers by hand, as mDNS would report them.
 */
import assert from 'node:assert/strict'
import { ringJoiner } from '../../src/cli/join.ts'
import { addrOf, createPeer, waitFor } from '../../harness/peers.ts'
import { stopAll } from '../fixtures/ring.ts'
import type { Joiner } from '../../src/cli/join.ts'
import type { Peer } from '../../harness/peers.ts'

/** tell `peer` that mDNS found `other` */
function discover (peer: Peer, other: Peer): void {
  peer.safeDispatchEvent('peer:discovery', { detail: { id: other.peerId, multiaddrs: other.getMultiaddrs() } })
}

describe('joining through LAN peers (mDNS)', function () {
  this.timeout(20_000)
  const peers: Peer[] = []
  const joiners: Joiner[] = []
  const logs = new Map<Peer, string[]>()

  async function start (count: number, bootstrap: string[] = []): Promise<Array<{ peer: Peer, joiner: Joiner }>> {
    return Promise.all(Array.from({ length: count }, async () => {
      const peer = await createPeer({ autoJoin: false })
      const log: string[] = []
      logs.set(peer, log)
      const joiner = ringJoiner(peer, { bootstrap, lan: true, grace: 300, log: line => { log.push(line) } })
      peers.push(peer)
      joiners.push(joiner)
      return { peer, joiner }
    }))
  }

  afterEach(async () => {
    for (const joiner of joiners.splice(0)) joiner.stop()
    await stopAll(peers.splice(0))
  })

  it('daemons started together on a LAN form one ring: the smallest id starts it', async () => {
    const started = await start(3)
    for (const a of started) for (const b of started) if (a !== b) discover(a.peer, b.peer)
    for (const { joiner } of started) joiner.start()
    await waitFor(() => peers.every(p => p.services.chord.joined && p.services.chord.getRingState().positions[0].successors.length === 2), 10_000, 'one ring of three')
    const smallest = [...peers].sort((a, b) => a.peerId.toString().localeCompare(b.peerId.toString()))[0]
    const starters = peers.filter(p => logs.get(p)!.some(l => l.includes('this peer has the smallest id')))
    assert.deepEqual(starters, [smallest])
    for (const p of peers.filter(p => p !== smallest)) assert.ok(logs.get(p)!.some(l => l.startsWith('waiting for LAN peer')), logs.get(p)!.join('\n'))
  })

  it('a daemon joins a ring it finds on the LAN, and starts one when it finds none', async () => {
    const [{ peer: first, joiner }] = await start(1)
    joiner.start()
    await waitFor(() => first.services.chord.joined, 5000, 'the first peer to start a ring')
    assert.deepEqual(logs.get(first), ['looking 300 ms for LAN peers (mDNS) before starting a ring', 'no LAN peer found'])

    const [late] = await start(1)
    discover(late.peer, first)
    late.joiner.start()
    await waitFor(() => first.services.chord.getRingState().positions[0].successors[0]?.peer === late.peer.peerId.toString(), 5000, 'the late peer to join through the LAN peer')
    assert.ok(logs.get(late.peer)!.includes(`found LAN peer …${first.peerId.toString().slice(-8)}`))
  })

  it('with a bootstrap peer, joins at once, through a LAN peer found while the bootstrap peer is down', async () => {
    const [{ peer: member, joiner }] = await start(1)
    joiner.start()
    await waitFor(() => member.services.chord.joined, 5000, 'a ring')
    const down = await createPeer({ autoJoin: false })
    const downAddr = addrOf(down)
    await down.stop()
    const [late] = await start(1, [downAddr])
    late.joiner.start()
    assert.deepEqual(logs.get(late.peer), [`joining through ${downAddr}`])
    await new Promise(resolve => setTimeout(resolve, 300))
    assert.equal(late.peer.services.chord.joined, false)
    discover(late.peer, member)
    await waitFor(() => late.peer.services.chord.joined, 5000, 'the join through the LAN peer')
  })
})
