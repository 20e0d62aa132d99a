/**
 * The partition nemesis: the churn suite's history checker run while the
 * LAN lab splits and heals. Clients on both sides keep writing, deleting
 * and reading shared keys through hosts of their side; writes acknowledged
 * on different sides during the split are concurrent and the one with the
 * higher version wins. After the heal the rings must become one, and once
 * the data converged no read may be stale or absent.
 *
 * Six hosts split 3 | 3 for 45 s (default intervals): on today's code the
 * two rings never merge and the reads after the heal show it.
 *
 * Run alone (after `npm run build`, as root):
 *   npx mocha --no-config --import=tsx test/lan/partition-history.spec.ts
 */
import assert from 'node:assert/strict'
import { History, valueOf } from '../churn/history.ts'
import { seeded } from '../fixtures/random.ts'
import { Lab } from './lab.ts'
import { poll, startRing, stopDaemon } from './lab-daemon.ts'
import { requireLab } from './netns.ts'
import { PartitionWorkload, converged } from './partition-workload.ts'
import { describeViews, ringView, waitOneRing } from './ring-view.ts'
import type { Operation } from '../churn/history.ts'
import type { LanDaemon } from './lab-daemon.ts'

const sleep = async (ms: number): Promise<void> => new Promise(resolve => setTimeout(resolve, Math.max(0, ms)))
const at = (wallTime: number, writer = 'a'): Operation['version'] => ({ wallTime, logical: 0, writer })

function historyOf (...ops: Array<Partial<Operation> & Pick<Operation, 'kind' | 'start' | 'end'>>): History {
  const history = new History()
  for (const op of ops) history.ops.push({ key: 'k', seq: 0, ok: true, ...op })
  return history
}

describe('history checker under partitions', () => {
  it('judges by the acknowledged version: the higher version wins, whatever its number', () => {
    const history = historyOf(
      // write 2 (right side) started later but carries the lower version: write 1 wins
      { kind: 'write', seq: 1, start: 0, end: 10, version: at(1000, 'b'), side: 'left' },
      { kind: 'write', seq: 2, start: 1, end: 12, version: at(1000, 'a'), side: 'right' },
      { kind: 'read', start: 20, end: 21, value: valueOf('k', 1) },
      { kind: 'read', start: 22, end: 23, value: valueOf('k', 2) },
      { kind: 'read', start: 24, end: 25, value: valueOf('k', 1), final: true },
      { kind: 'read', start: 26, end: 27, value: valueOf('k', 2), final: true }
    )
    assert.deepEqual(history.check().map(v => v.kind), ['stale-read', 'lost-write'])
  })

  it('allows any written value during a partition window, never a phantom, and is strict again after it', () => {
    const history = historyOf(
      { kind: 'write', seq: 1, start: 0, end: 10, version: at(10) },
      { kind: 'write', seq: 2, start: 20, end: 30, version: at(20), side: 'left' },
      { kind: 'read', start: 31, end: 32, value: valueOf('k', 1), side: 'right' },
      { kind: 'read', start: 33, end: 34, value: null, side: 'right' },
      { kind: 'read', start: 35, end: 36, value: valueOf('k', 3), side: 'right' },
      { kind: 'read', start: 61, end: 62, value: valueOf('k', 1), final: true }
    )
    history.partitions.push({ start: 15, end: 60 })
    assert.deepEqual(history.check().map(v => v.kind), ['phantom', 'lost-write'])
  })
})

describe('partition nemesis: history checked across a split and heal of the LAN', function () {
  this.timeout(300_000)
  let lab: Lab
  let daemons: LanDaemon[] = []

  before(async function () {
    await requireLab(this, 'partition nemesis')
    lab = await Lab.create(6, 3)
  })

  after(async () => {
    await Promise.all(daemons.map(stopDaemon))
    await lab?.close()
  })

  it('no lost write and no stale read once the ring is one again and the data converged', async () => {
    daemons = await startRing(lab, lab.hosts)
    const peers = daemons.map(d => d.peer)
    await waitOneRing(lab.hosts, peers, 60_000, 'the initial ring')
    const history = new History()
    const keys = Array.from({ length: 12 }, (_, i) => `nk${i}`)
    const workload = new PartitionWorkload({ history, rand: seeded(14), hosts: lab.hosts, keys, clients: 2, deleteRatio: 0.1, pause: 100 })
    await workload.preload()
    workload.start()
    await sleep(10_000)
    await lab.split()
    const window = { start: performance.now(), end: Infinity }
    history.partitions.push(window)
    await sleep(45_000)
    const apart = describeViews(await Promise.all(lab.hosts.map(ringView)), peers.length)
    await lab.healSplit()
    const merged = await waitOneRing(lab.hosts, peers, 30_000, 'one ring after the heal').then(ms => ({ ok: true, text: `one ring ${(ms / 1000).toFixed(1)} s after the heal` }), (err: Error) => ({ ok: false, text: err.message }))
    await workload.stop()
    const data = await poll(async () => converged(history, lab.hosts, keys), 45_000, 'every key to read back its final value', 1_000)
      .then(ms => `data converged ${(ms / 1000).toFixed(1)} s later`, (err: Error) => `not converged: ${err.message}`)
    window.end = performance.now()
    workload.start()
    await sleep(15_000)
    await workload.stop()
    await workload.finalReads()
    const violations = history.check()
    const { byKind } = history.summary()
    const kinds = [...new Set(violations.map(v => v.kind))].map(kind => `${violations.filter(v => v.kind === kind).length} ${kind}`).join(', ')
    console.log(`      measured: before the heal ${apart}; ${merged.text}; ${data}; ${history.ops.length} operations (writes ${byKind.write.ok} ok / ${byKind.write.failed} failed, ` +
      `reads ${byKind.read.ok} ok / ${byKind.read.failed} failed); ${violations.length} violations${kinds === '' ? '' : ` (${kinds})`}`)
    for (const v of violations.slice(0, 5)) console.log(`        ${v.kind} ${v.key}: ${v.detail}`)
    assert.ok(merged.ok, merged.text)
    assert.equal(violations.length, 0, `${violations.length} violations after the heal (${kinds}), e.g. ${violations[0]?.kind} ${violations[0]?.key}: ${violations[0]?.detail}`)
  })
})
