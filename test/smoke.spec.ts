import assert from 'node:assert/strict'
import { createPeer, addrOf, waitFor } from './fixtures/peers.ts'
import type { Peer } from './fixtures/peers.ts'

describe('smoke', function () {
  this.timeout(20000)
  it('three peers', async () => {
    const peers: Peer[] = []
    peers.push(await createPeer())
    peers.push(await createPeer({ bootstrap: [addrOf(peers[0])] }))
    peers.push(await createPeer({ bootstrap: [addrOf(peers[1])] }))
    await waitFor(() => peers.every(p => p.services.chord.joined), 5000, 'join')
    await waitFor(() => peers.every(p => p.services.chord.getRingState().positions[0].successors.length === 2 && p.services.chord.getRingState().positions[0].predecessor !== undefined), 5000, () => JSON.stringify(peers.map(p=>p.services.chord.getRingState().positions[0].successors.length)))
    const r = await peers[0].services.chord.findSuccessor('hello')
    console.log(r.owner.peer, r.hops)
    await Promise.all(peers.map(p => p.stop()))
  })
})
