/**
 * ClientRing over a scripted ring of members: a client finds the true owner
 * of every key from one entry point, learns members from answers so that it
 * can guess replicas without a lookup, routes round members that do not
 * answer, and fails clearly when it knows no member.
 */
import assert from 'node:assert/strict'
import { RING_SIZE, between, betweenRightIncl } from '../../src/ring/id.ts'
import { ClientRing } from '../../src/ring/client-ring.ts'
import type { Id } from '../../src/ring/id.ts'
import type { ChordRpc, NodeRef, StepResult } from '../../src/ring/types.ts'

const LIST = 4

function ringOf (count: number): { members: NodeRef[], down: Set<string>, asked: string[], rpc: ChordRpc } {
  const members = Array.from({ length: count }, (_, i): NodeRef => ({ id: (RING_SIZE / BigInt(count)) * BigInt(i) + 12345n, peer: `m${i}`, vnode: 0, addrs: [] }))
  const down = new Set<string>()
  const asked: string[] = []
  const listOf = (node: NodeRef): NodeRef[] => {
    const at = members.findIndex(n => n.peer === node.peer)
    return Array.from({ length: LIST }, (_, i) => members[(at + 1 + i) % members.length])
  }
  const answer = (to: NodeRef): void => {
    asked.push(to.peer)
    if (down.has(to.peer)) throw new Error(`${to.peer} does not answer`)
  }
  const rpc: ChordRpc = {
    findSuccessorStep: async (to, key: Id): Promise<StepResult> => {
      answer(to)
      const list = listOf(to)
      if (betweenRightIncl(to.id, key, list[0].id)) return { done: true, nodes: list }
      // a member knows every other: it names the closest before the key (a finger table, roughly)
      const closer = members.filter(n => between(to.id, n.id, key)).sort((a, b) => (a.id > b.id ? -1 : 1))
      return { done: false, nodes: closer.slice(0, 3) }
    },
    getSuccessorList: async (to) => { answer(to); return listOf(to) },
    getPredecessor: async () => { throw new Error('a client never asks') },
    notify: async () => { throw new Error('a client never notifies') },
    ping: async (to) => { answer(to) },
    positions: async (to) => { answer(to); return members.filter(n => n.peer === to.peer) },
    leave: async () => { throw new Error('a client never leaves') }
  }
  return { members, down, asked, rpc }
}

function owner (members: NodeRef[], key: Id): string {
  return (members.find(m => m.id >= key) ?? members[0]).peer
}

describe('client ring', () => {
  it('finds the true owner of every key from one entry point, and learns members from the answers', async () => {
    const { members, rpc } = ringOf(32)
    const client = new ClientRing({ peer: 'client', rpc })
    client.addEntry(members[5])
    for (let i = 0; i < 200; i++) {
      const key = (RING_SIZE / 200n) * BigInt(i) + 7n
      const found = await client.findSuccessor(key)
      assert.equal(found.owner.peer, owner(members, key))
    }
    assert.ok(client.knownMembers > 8, `learned ${client.knownMembers} members`)
    assert.deepEqual(client.memberPositions(), [])
  })

  it('guesses a key\'s replicas from the members it learned, without asking anyone', () => {
    const { members, rpc } = ringOf(16)
    const client = new ClientRing({ peer: 'client', rpc })
    assert.equal(client.knownSuccessors(1n, 3), undefined, 'nothing to guess from')
    client.learn(members)
    assert.deepEqual(client.knownSuccessors(members[10].id - 1n, 3)?.map(n => n.peer), ['m10', 'm11', 'm12'])
    client.forget(members[11])
    assert.deepEqual(client.knownSuccessors(members[10].id - 1n, 3)?.map(n => n.peer), ['m10', 'm12', 'm13'])
  })

  it('routes round an entry point and cached members that do not answer', async () => {
    const { members, down, asked, rpc } = ringOf(16)
    const client = new ClientRing({ peer: 'client', rpc })
    client.addEntry(members[2])
    client.addEntry(members[9])
    down.add('m2')
    const key = members[4].id - 1n
    assert.equal((await client.findSuccessor(key)).owner.peer, 'm4')
    assert.equal(asked[0], 'm2', 'the closest entry point was asked first')
    // a cached member that stops answering is routed round, and dropped from the cache
    down.add('m3')
    const found = await client.findSuccessor(key)
    assert.equal(found.owner.peer, 'm4')
    assert.ok(found.failures > 0)
    assert.ok(!client.members().some(m => m.peer === 'm3'), 'm3 dropped from the cache')
  })

  it('with no member known, waits for the connection under way, then fails with ERR_NO_MEMBERS', async () => {
    const { members, rpc } = ringOf(4)
    let waited = 0
    const client = new ClientRing({ peer: 'client', rpc, whenNoMembers: async () => { waited++ } })
    await assert.rejects(client.findSuccessor(1n), (err: Error & { code?: string }) => err.code === 'ERR_NO_MEMBERS')
    assert.equal(waited, 1)
    // a member the connection found in the meantime is used
    const late = new ClientRing({ peer: 'client', rpc, whenNoMembers: async () => { late.addEntry(members[0]) } })
    assert.equal((await late.findSuccessor(members[2].id)).owner.peer, 'm2')
  })

  it('never takes itself for a member', () => {
    const { rpc } = ringOf(4)
    const client = new ClientRing({ peer: 'client', rpc })
    client.addEntry({ id: 5n, peer: 'client', vnode: 0, addrs: [] })
    client.learn([{ id: 6n, peer: 'client', vnode: 0, addrs: [] }])
    assert.equal(client.knownMembers, 0)
    assert.equal(client.hasOtherPeers(), false)
  })
})
