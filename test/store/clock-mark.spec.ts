import assert from 'node:assert/strict'
import { ClockMark } from '../../src/store/clock-mark.ts'
import { HybridClock, compareTimestamps } from '../../src/store/hlc.ts'
import type { MarkStore } from '../../src/store/clock-mark.ts'

/** a MarkStore in memory that counts its writes and can be made to fail */
class Marks implements MarkStore {
  readonly values = new Map<string, Uint8Array>()
  writes = 0
  failing = false
  async getMeta (name: string): Promise<Uint8Array | undefined> { return this.values.get(name) }
  async putMeta (name: string, value: Uint8Array): Promise<void> {
    await new Promise(resolve => setTimeout(resolve, 1))
    if (this.failing) throw new Error('disk full')
    this.writes++
    this.values.set(name, value)
  }

  bound (): number { return Number(new TextDecoder().decode(this.values.get('hlc'))) }
}

describe('store/ClockMark', () => {
  it('stores a bound ahead of every reading it hands out, one write per window', async () => {
    let now = 1_000_000
    const marks = new Marks()
    const mark = new ClockMark({ hlc: new HybridClock({ now: () => now }), store: marks, window: 10_000 })
    const first = await mark.stamp()
    assert.equal(marks.bound(), first.wallTime + 10_000)
    for (let i = 0; i < 100; i++) {
      now += 40 // 4 s of readings
      assert.ok((await mark.stamp()).wallTime < marks.bound())
    }
    assert.ok(marks.writes <= 2, `${marks.writes} writes for 4 s of readings`)
  })

  it('after a restart with the wall clock an hour back, readings continue above all earlier ones', async () => {
    let now = 5_000_000
    const marks = new Marks()
    const before = new ClockMark({ hlc: new HybridClock({ now: () => now }), store: marks })
    const readings = []
    for (let i = 0; i < 10; i++) readings.push(await before.stamp())
    now -= 3_600_000
    const after = new ClockMark({ hlc: new HybridClock({ now: () => now }), store: marks })
    const next = await after.stamp()
    for (const r of readings) assert.ok(compareTimestamps(next, r) > 0)
    assert.ok(next.wallTime < marks.bound(), 'a reading at or past the stored bound')
  })

  it('concurrent stamps share the bound write; a failed write fails the stamp, and a later one retries', async () => {
    const marks = new Marks()
    const mark = new ClockMark({ hlc: new HybridClock({ now: () => 1000 }), store: marks })
    const stamps = await Promise.all(Array.from({ length: 20 }, async () => mark.stamp()))
    assert.equal(new Set(stamps.map(s => `${s.wallTime}.${s.logical}`)).size, 20)
    assert.equal(marks.writes, 1)

    const stuck = new ClockMark({ hlc: new HybridClock({ now: () => 50_000 }), store: marks })
    marks.failing = true
    await assert.rejects(stuck.stamp(), /disk full/)
    marks.failing = false
    assert.ok((await stuck.stamp()).wallTime < marks.bound())
  })

  it('refuses a damaged stored mark', async () => {
    const marks = new Marks()
    marks.values.set('hlc', new TextEncoder().encode('not a number'))
    const mark = new ClockMark({ hlc: new HybridClock(), store: marks })
    await assert.rejects(mark.stamp(), /clock mark .* is corrupt/)
  })
})
