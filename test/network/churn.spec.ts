/**
 * The churn suite's short form (the long one: `npm run test:churn`), and the
 * history checker and schedule it relies on, checked on their own.
 */
import assert from 'node:assert/strict'
import { seeded } from '../fixtures/random.ts'
import { History, valueOf } from '../churn/history.ts'
import { LONG, formatReport, runChurn } from '../churn/run.ts'
import { chooseVictims, plan } from '../churn/schedule.ts'
import type { Operation } from '../churn/history.ts'
import type { RingEntry, Unavailable } from '../churn/schedule.ts'

/** A history from literal operations (key k, acknowledged, unless told otherwise) */
function historyOf (...ops: Array<Partial<Operation> & Pick<Operation, 'kind' | 'start' | 'end'>>): History {
  const history = new History()
  for (const op of ops) history.ops.push({ key: 'k', seq: 0, ok: true, ...op })
  return history
}

describe('churn history checker', () => {
  it('accepts reads of the last acknowledged write, of writes in flight, and of failed writes', () => {
    const history = historyOf(
      { kind: 'write', seq: 1, start: 0, end: 10 },
      { kind: 'read', start: 11, end: 12, value: valueOf('k', 1) },
      // write 2 in flight: a read overlapping it may see 1 or 2
      { kind: 'write', seq: 2, start: 20, end: 30 },
      { kind: 'read', start: 21, end: 25, value: valueOf('k', 1) },
      { kind: 'read', start: 22, end: 26, value: valueOf('k', 2) },
      // write 3 failed: it may or may not have taken effect
      { kind: 'write', seq: 3, start: 40, end: 50, ok: false },
      { kind: 'read', start: 51, end: 52, value: valueOf('k', 2) },
      { kind: 'read', start: 53, end: 54, value: valueOf('k', 3) },
      { kind: 'delete', seq: 4, start: 60, end: 70 },
      { kind: 'read', start: 71, end: 72, value: null, final: true }
    )
    assert.deepEqual(history.check(), [])
  })

  it('flags stale reads, lost writes, resurrected deletes and values never written', () => {
    const history = historyOf(
      { kind: 'write', seq: 1, start: 0, end: 10 },
      { kind: 'write', seq: 2, start: 20, end: 30 },
      { kind: 'read', start: 31, end: 32, value: valueOf('k', 1) },
      { kind: 'read', start: 33, end: 34, value: null },
      { kind: 'read', start: 15, end: 16, value: valueOf('k', 2) },
      { kind: 'read', start: 35, end: 36, value: 'k#99' },
      { kind: 'delete', seq: 3, start: 40, end: 50 },
      { kind: 'read', start: 51, end: 52, value: valueOf('k', 2) },
      { kind: 'write', seq: 4, start: 60, end: 70 },
      { kind: 'read', start: 80, end: 81, value: valueOf('k', 2), final: true }
    )
    assert.deepEqual(history.check().map(v => v.kind), ['stale-read', 'stale-read', 'phantom', 'phantom', 'resurrected', 'lost-write'])
  })

  it('counts failed operations by error code', async () => {
    const history = new History()
    await history.write('k', 1, false, async () => { throw Object.assign(new Error('stored on 1 of 3'), { code: 'ERR_QUORUM_NOT_REACHED' }) })
    await history.read('k', async () => { throw Object.assign(new Error('late'), { name: 'TimeoutError' }) })
    await history.read('k', async () => undefined)
    const summary = history.summary()
    assert.equal(summary.operations, 3)
    assert.deepEqual([...summary.failures.keys()], ['ERR_QUORUM_NOT_REACHED', 'TimeoutError'])
    assert.deepEqual(summary.byKind.read, { ok: 1, failed: 1 })
  })
})

describe('churn schedule', () => {
  it('plans every kind of event, within the ring size bounds', () => {
    const events = plan(seeded(3), { events: 12, minGap: 100, maxGap: 200, r: 3, peers: 24, minPeers: 20, maxPeers: 28 })
    assert.deepEqual(new Set(events.map(e => e.kind)), new Set(['join', 'leave', 'crash', 'crash-many', 'crash-adjacent']))
    assert.ok(events.find(e => e.kind === 'crash-many')!.count >= 2)
    assert.equal(events.find(e => e.kind === 'crash-adjacent')!.count, 2)
    let size = 24
    for (const e of events) {
      size += e.kind === 'join' ? e.count : -e.count
      assert.ok(size >= 20 && size <= 28, `ring size ${size}`)
    }
    assert.deepEqual(plan(seeded(3), { events: 12, minGap: 100, maxGap: 200, r: 3, peers: 24, minPeers: 20, maxPeers: 28 }), events, 'a seed gives the same plan')
  })

  it('never takes r consecutive peers out within a repair period', () => {
    const rand = seeded(5)
    const ring: RingEntry[] = Array.from({ length: 10 }, (_, i) => ({ peer: `p${i}`, id: BigInt(i * 10) }))
    // p3 crashed and p6 joined recently: these pairs would leave a run of three without its copies
    const recent: Unavailable[] = [{ peer: 'p3', id: 30n, why: 'crashed' }, { peer: 'p6', id: 60n, why: 'joined' }]
    const live = ring.filter(e => e.peer !== 'p3')
    const forbidden = [['p1', 'p2'], ['p2', 'p4'], ['p4', 'p5'], ['p7', 'p8'], ['p5', 'p7']]
    const takes = (victims: string[], pair: string[]): boolean => pair.every(p => victims.includes(p))
    const seen = new Set<string>()
    for (let i = 0; i < 200; i++) {
      for (const kind of ['crash-adjacent', 'crash-many'] as const) {
        const victims = chooseVictims(rand, live, recent, kind, 2, 3)
        assert.ok(victims !== undefined)
        assert.ok(!forbidden.some(pair => takes(victims, pair)), `${kind} took ${victims.join(' ')}`)
        seen.add(victims.join(' '))
      }
    }
    assert.ok(seen.has('p5 p6') && seen.size > 10, 'allowed choices are taken too')
    // four peers, two of them down: nobody else may go
    const down: Unavailable[] = [{ peer: 'p8', id: 80n, why: 'crashed' }, { peer: 'p9', id: 90n, why: 'crashed' }]
    assert.equal(chooseVictims(rand, ring.slice(0, 2), down, 'crash', 1, 3), undefined)
  })
})

describe('churn (short form; the long form is npm run test:churn)', function () {
  this.timeout(150_000)

  it('24 peers under joins, leaves and crashes lose no acknowledged write, serve no stale read, keep deletes deleted', async () => {
    const report = await runChurn({
      ...LONG,
      seed: Number(process.env.CHURN_SEED ?? 11),
      peers: 24,
      events: 10,
      minGap: 600,
      maxGap: 1500,
      writers: 4,
      keysPerWriter: 25,
      readers: 4,
      settleTimeout: 40_000,
      // a loaded machine repairs slowly: a crash waits for its copies rather than being skipped
      crashWait: 30_000,
      log: () => {}
    })
    console.log(formatReport(report).replace(/^/gm, '      '))
    assert.deepEqual(report.violations, [])
    assert.deepEqual(report.problems, [])
    const happened = new Set(report.events.filter(e => !e.outcome.startsWith('skipped')).map(e => e.kind))
    assert.deepEqual([...happened].sort(), ['crash', 'crash-adjacent', 'crash-many', 'join', 'leave'],
      `some kind of event never happened: ${report.events.map(e => `${e.kind} ${e.outcome}`).join(', ')}`)
    assert.ok(report.summary.byKind.write.ok > 0 && report.summary.byKind.read.ok > 0)
  })
})
