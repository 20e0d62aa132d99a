/**
 * The bookkeeping of ring unification: which lost members and discovered
 * peers are probed when, and that a peer gone for good costs bounded memory
 * and probes. Driven by a manual clock; the merge itself is tested with real
 * peers in test/network/merge.spec.ts and with daemons on a LAN in test/lan/.
 */
import assert from 'node:assert/strict'
import { Unification } from '../../src/ring/unification.ts'
import type { ProbeOutcome, UnificationInit } from '../../src/ring/unification.ts'
import type { NodeRef } from '../../src/ring/types.ts'

const node = (peer: string): NodeRef => ({ id: BigInt(peer.length), peer, vnode: 0, addrs: [] })

function setup (answer: (peer: string) => ProbeOutcome | 'unreachable', init: Partial<UnificationInit> = {}): { u: Unification, clock: { t: number }, probes: string[], settle: () => Promise<void> } {
  const clock = { t: 0 }
  const probes: string[] = []
  const u = new Unification({
    clock: { now: () => clock.t, setTimeout: () => undefined, clearTimeout: () => {} },
    minProbeInterval: 1000,
    maxProbeInterval: 8000,
    slowAfter: 30_000,
    slowProbeInterval: 20_000,
    forgetAfter: 120_000,
    maxContacts: 4,
    maxConcurrentProbes: 2,
    quietFor: 30_000,
    metProbes: 2,
    probe: async (n) => {
      probes.push(n.peer)
      const outcome = answer(n.peer)
      if (outcome === 'unreachable') throw new Error('unreachable')
      return outcome
    },
    ...init
  })
  return { u, clock, probes, settle: async () => { for (let i = 0; i < 5; i++) await Promise.resolve() } }
}

/** Advance the clock by `ms` in 100 ms ticks, probing what is due at each */
async function run (s: ReturnType<typeof setup>, ms: number): Promise<void> {
  for (let t = 0; t < ms; t += 100) {
    s.clock.t += 100
    s.u.probeDue()
    await s.settle()
  }
}

describe('ring unification bookkeeping', () => {
  it('probes a lost peer after the first interval, then backs off up to the maximum while it does not answer', async () => {
    const s = setup(() => 'unreachable')
    s.u.lost(node('a'))
    await run(s, 900)
    assert.deepEqual(s.probes, [])
    await run(s, 200)
    assert.deepEqual(s.probes, ['a'])
    // waits 2 s, 4 s, 8 s, 8 s …: the first 30 s hold about 30 / 8 probes, not 30
    await run(s, 28_000)
    assert.ok(s.probes.length >= 4 && s.probes.length <= 6, `${s.probes.length} probes in the first 30 s`)
    // then every 20 s
    const before = s.probes.length
    await run(s, 60_000)
    assert.ok(s.probes.length - before >= 3 && s.probes.length - before <= 4, `${s.probes.length - before} probes in the next minute`)
  })

  it('forgets a lost peer that never answers after forgetAfter', async () => {
    const s = setup(() => 'unreachable')
    s.u.lost(node('a'))
    await run(s, 119_000)
    assert.equal(s.u.size, 1)
    await run(s, 2000)
    assert.equal(s.u.size, 0)
    const count = s.probes.length
    await run(s, 20_000)
    assert.equal(s.probes.length, count)
  })

  it('remembers at most maxContacts peers, dropping the oldest', () => {
    const s = setup(() => 'unreachable')
    for (const p of ['a', 'bb', 'ccc', 'dddd', 'eeeee']) s.u.lost(node(p))
    assert.deepEqual(s.u.list().map(n => n.peer), ['bb', 'ccc', 'dddd', 'eeeee'])
  })

  it('drops a peer found in our own ring, and probes a peer of another ring again soon until the merge is done', async () => {
    let outcome: ProbeOutcome = 'merging'
    const s = setup(() => outcome)
    s.u.lost(node('a'))
    await run(s, 1100)
    assert.deepEqual(s.probes, ['a'])
    await run(s, 1000)
    assert.deepEqual(s.probes, ['a', 'a'], 'probed again after the minimum interval while merging')
    outcome = 'same'
    await run(s, 1000)
    assert.equal(s.u.size, 0)
  })

  it('runs at most maxConcurrentProbes probes at once', async () => {
    const release: Array<() => void> = []
    let running = 0
    let most = 0
    const s = setup(() => 'same', {
      probe: async () => {
        running++
        most = Math.max(most, running)
        await new Promise<void>(resolve => release.push(resolve))
        running--
        return 'same'
      }
    })
    for (const p of ['a', 'bb', 'ccc', 'dddd']) s.u.lost(node(p))
    await run(s, 3000)
    assert.equal(most, 2)
    release.splice(0).forEach(r => { r() })
    await s.settle()
    await run(s, 1000)
    release.splice(0).forEach(r => { r() })
    await s.settle()
    assert.equal(most, 2)
    assert.equal(s.u.size, 0)
  })

  it('gives a discovered peer that does not answer metProbes probes, then leaves it alone for quietFor', async () => {
    const s = setup(() => 'unreachable')
    s.u.met(node('m'))
    await run(s, 10_000)
    assert.equal(s.probes.length, 2)
    assert.equal(s.u.size, 0)
    s.u.met(node('m'))
    assert.equal(s.u.size, 0, 'quiet')
    await run(s, 30_000)
    s.u.met(node('m'))
    assert.equal(s.u.size, 1, 'taken again once quiet is over')
  })
})
