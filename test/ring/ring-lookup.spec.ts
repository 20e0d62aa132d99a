/**
 * RingPeer's iterative lookup over a scripted network: members that do not
 * answer, and the fallback on a successor list that this forces.
 */
import assert from 'node:assert/strict'
import { RING_SIZE, add, between, betweenRightIncl, nodeId } from '../../src/ring/id.ts'
import { RingPeer } from '../../src/ring/ring-peer.ts'
import { ChordLoopback } from '../../src/rpc/loopback.ts'
import type { Id } from '../../src/ring/id.ts'
import type { ChordRpc, NodeRef, StepResult } from '../../src/ring/types.ts'

const LIST = 8

/** A static ring of members around the peer under test; `down` ones do not answer */
function network (self: NodeRef, count: number): { members: NodeRef[], down: Set<string>, rpc: ChordRpc } {
  const members = Array.from({ length: count }, (_, i): NodeRef => ({ id: add(self.id, (RING_SIZE / BigInt(count + 1)) * BigInt(i + 1)), peer: `m${i + 1}`, vnode: 0, addrs: [] }))
  const ring = [self, ...members]
  const down = new Set<string>()
  const listOf = (node: NodeRef): NodeRef[] => {
    const at = ring.findIndex(n => n.peer === node.peer)
    return Array.from({ length: LIST }, (_, i) => ring[(at + 1 + i) % ring.length])
  }
  const answer = (to: NodeRef): void => { if (down.has(to.peer)) throw new Error(`${to.peer} does not answer`) }
  const rpc: ChordRpc = {
    findSuccessorStep: async (to, key: Id): Promise<StepResult> => {
      answer(to)
      const list = listOf(to)
      if (betweenRightIncl(to.id, key, list[0].id)) return { done: true, nodes: list }
      return { done: false, nodes: list.filter(n => between(to.id, n.id, key)).reverse().slice(0, 3) }
    },
    getSuccessorList: async (to) => { answer(to); return listOf(to) },
    getPredecessor: async (to) => { answer(to); return ring[(ring.findIndex(n => n.peer === to.peer) - 1 + ring.length) % ring.length] },
    notify: async (to) => { answer(to) },
    ping: async (to) => { answer(to) },
    positions: async (to) => { answer(to); return ring.filter(n => n.peer === to.peer) },
    leave: async () => {}
  }
  return { members, down, rpc }
}

describe('ring lookup', () => {
  it('when every member before the key fails, names a live owner with a full successor list', async () => {
    const bytes = new TextEncoder().encode('the peer under test')
    const self: NodeRef = { id: nodeId(bytes, 0), peer: 'self', vnode: 0, addrs: [] }
    const { members: m, down, rpc } = network(self, 16)
    const peer: RingPeer = new RingPeer({ peer: 'self', peerBytes: bytes, addrs: () => [], rpc: new ChordLoopback('self', rpc, () => peer), successorListLength: LIST, locationCacheSize: 0 })
    await peer.join(m[0])
    assert.deepEqual(peer.memberPositions()[0].successors.map(n => n.peer), m.slice(0, LIST).map(n => n.peer))

    // a key just before m7; no member before it answers (say, a coordinator whose requests time out):
    // the peer falls back on its own successor list, whose tail [m7, m8] is too short for 3 replicas
    const key = m[6].id - 1n
    for (const member of m.slice(0, 6)) down.add(member.peer)
    const found = await peer.findSuccessor(key)
    assert.equal(found.owner.peer, 'm7')
    assert.deepEqual(found.successors.slice(0, 3).map(n => n.peer), ['m7', 'm8', 'm9'], 'the successors named are too few for 3 replicas')

    // the owner read off the list is dead too: the next member that answers owns the key
    down.add('m7')
    const next = await peer.findSuccessor(key)
    assert.equal(next.owner.peer, 'm8')
    assert.deepEqual(next.successors.slice(0, 3).map(n => n.peer), ['m8', 'm9', 'm10'])
  })

  it('takes the word of a member that names itself the owner only when no other member can answer', async () => {
    // a ring's first member, still without a successor while others join: it answers for every key
    const bytes = new TextEncoder().encode('a peer joining a new ring')
    const self: NodeRef = { id: nodeId(bytes, 0), peer: 'self', vnode: 0, addrs: [] }
    const { members: [first], rpc } = network(self, 1)
    const alone: ChordRpc = { ...rpc, findSuccessorStep: async (to) => ({ done: true, nodes: [to] }), getSuccessorList: async () => [] }
    const peer: RingPeer = new RingPeer({ peer: 'self', peerBytes: bytes, addrs: () => [], rpc: new ChordLoopback('self', alone, () => peer), successorListLength: LIST, locationCacheSize: 0 })
    await peer.join(first)
    const found = await peer.findSuccessor(add(first.id, 1n))
    assert.equal(found.owner.peer, 'm1')
  })
})
