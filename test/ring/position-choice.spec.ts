import assert from 'node:assert/strict'
import { ID_BITS, nodeId } from '../../src/ring/id.ts'
import { silentLog } from '../../src/util/log.ts'
import { candidatePositions, chooseChecked, choosePeerPosition, choosePosition, walkRing } from '../../src/ring/position-choice.ts'
import type { Candidate } from '../../src/ring/position-choice.ts'
import type { Id } from '../../src/ring/id.ts'
import type { ChordRpc, NodeRef } from '../../src/ring/types.ts'

const SHIFT = BigInt(ID_BITS - 53)
/** the id at fraction `f` of the circle */
const at = (f: number): Id => BigInt(Math.round(f * 2 ** 53)) << SHIFT
const member = (f: number, peer = `p${f}`): NodeRef => ({ id: at(f), peer, vnode: 0, addrs: [] })
const candidate = (f: number, vnode: number): Candidate => ({ vnode, id: at(f) })

/** A ring of `members` (sorted by id) whose successor lists hold `length` entries; `hidden` are in no list but are their successors' predecessors */
function ringRpc (members: NodeRef[], length: number, hidden: NodeRef[] = []): ChordRpc & { asked: number } {
  const sorted = [...members].sort((a, b) => (a.id < b.id ? -1 : 1))
  const all = [...sorted, ...hidden].sort((a, b) => (a.id < b.id ? -1 : 1))
  const index = (n: NodeRef): number => sorted.findIndex(m => m.peer === n.peer)
  const rpc = {
    asked: 0,
    findSuccessorStep: async () => { throw new Error('not used') },
    getSuccessorList: async (to: NodeRef) => {
      rpc.asked++
      return Array.from({ length: Math.min(length, sorted.length - 1) }, (_, i) => sorted[(index(to) + 1 + i) % sorted.length])
    },
    getPredecessor: async (to: NodeRef) => all[(all.findIndex(m => m.peer === to.peer) - 1 + all.length) % all.length],
    notify: async () => {},
    ping: async () => {},
    positions: async (to: NodeRef) => sorted.filter(m => m.peer === to.peer),
    leave: async () => {}
  }
  return rpc
}

/** keys held per member with r replicas, as fractions of the circle */
function held (ids: Id[], r: number): number[] {
  const f = [...ids].sort((a, b) => (a < b ? -1 : 1)).map(id => Number(id >> SHIFT) / 2 ** 53)
  const arcs = f.map((x, i) => i > 0 ? x - f[i - 1] : x + 1 - f[f.length - 1])
  return arcs.map((_, i) => Array.from({ length: Math.min(r, f.length) }, (_, t) => arcs[(i - t + f.length) % f.length]).reduce((a, b) => a + b))
}

describe('position choice', () => {
  it('splits the largest gap: half the circle for the second peer, the empty stretch of a lopsided ring', () => {
    const alone = { members: [member(0)], complete: true }
    assert.equal(choosePosition(alone, [candidate(0.1, 1), candidate(0.45, 2), candidate(0.8, 3)], 3)?.vnode, 2)
    const lopsided = { members: [0, 0.1, 0.2, 0.3].map(f => member(f)), complete: true }
    assert.equal(choosePosition(lopsided, [candidate(0.15, 1), candidate(0.65, 2), candidate(0.95, 3)], 3)?.vnode, 2)
  })

  it('weighs only candidates inside a stretch of the ring that did not come round', () => {
    const stretch = { members: [0.2, 0.3, 0.6].map(f => member(f)), complete: false }
    assert.equal(choosePosition(stretch, [candidate(0.1, 1), candidate(0.7, 2)], 3), undefined)
    assert.equal(choosePosition(stretch, [candidate(0.1, 1), candidate(0.45, 2), candidate(0.25, 3)], 3)?.vnode, 2)
  })

  it('walks a ring whole along successor lists, or a bounded stretch of a large one', async () => {
    const members = Array.from({ length: 20 }, (_, i) => member(i / 20))
    const whole = await walkRing(ringRpc(members, 4), members[3], 32)
    assert.equal(whole.complete, true)
    assert.equal(whole.members.length, 20)
    const rpc = ringRpc(members, 4)
    const part = await walkRing(rpc, members[3], 2)
    assert.equal(part.complete, false)
    assert.deepEqual(part.members.map(m => m.peer), members.slice(3, 12).map(m => m.peer))
    assert.equal(rpc.asked, 2)
  })

  it('finds peers that joined a moment ago, before any successor list names them', async () => {
    const members = [0, 0.25, 0.5, 0.75].map(f => member(f))
    const newcomer = member(0.625)
    const walked = await walkRing(ringRpc(members, 8, [newcomer]), members[0], 32)
    assert.ok(walked.members.some(m => m.peer === newcomer.peer))
    // the check after choosing finds it too, and the choice moves elsewhere
    const stale = { members, complete: true }
    const candidates = [candidate(0.63, 1), candidate(0.4, 2)]
    assert.equal(choosePosition(stale, candidates, 3)?.vnode, 1)
    assert.equal((await chooseChecked(ringRpc(members, 8, [newcomer]), stale, candidates, 3))?.candidate.vnode, 2)
  })

  it('64 peers joining one by one hold their keys (r = 3) within 1.35× of the mean', async () => {
    const ring: NodeRef[] = []
    for (let i = 0; i < 64; i++) {
      const peerBytes = new TextEncoder().encode(`peer-${i}`)
      const vnode = ring.length === 0
        ? 0
        : (await choosePeerPosition(ringRpc(ring, 8), ring[0], `peer-${i}`, { peerBytes, positionChoices: 1024, replicas: 3 }, silentLog)).vnode
      ring.push({ id: nodeId(peerBytes, vnode), peer: `peer-${i}`, vnode, addrs: [] })
    }
    const loads = held(ring.map(m => m.id), 3)
    const mean = loads.reduce((a, b) => a + b) / loads.length
    assert.ok(Math.max(...loads) / mean <= 1.35, `busiest ${(Math.max(...loads) / mean).toFixed(2)}× the mean`)
    // one hashed position each, as plain Chord has it, is far less even
    const hashed = held(Array.from({ length: 64 }, (_, i) => nodeId(new TextEncoder().encode(`peer-${i}`), 0)), 3)
    assert.ok(Math.max(...hashed) / mean > 1.5)
  })

  it('takes its candidates from its own id only', () => {
    const bytes = new Uint8Array([9, 9, 9])
    const c = candidatePositions(bytes, 4)
    assert.deepEqual(c.map(x => x.vnode), [0, 1, 2, 3])
    assert.ok(c.every(x => x.id === nodeId(bytes, x.vnode)))
  })
})
