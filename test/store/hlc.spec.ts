import assert from 'node:assert/strict'
import { ClockDriftError } from '../../src/store/errors.ts'
import { compareTimestamps, HybridClock, MAX_LOGICAL } from '../../src/store/hlc.ts'
import type { Timestamp } from '../../src/store/hlc.ts'

/** A physical clock the test moves by hand */
function manualTime (start: number): { now: () => number, set: (t: number) => void } {
  let t = start
  return { now: () => t, set: (next: number) => { t = next } }
}

describe('HybridClock', () => {
  it('follows physical time while it moves forward', () => {
    const time = manualTime(1000)
    const clock = new HybridClock({ now: time.now })
    assert.deepEqual(clock.now(), { wallTime: 1000, logical: 0 })
    time.set(1005)
    assert.deepEqual(clock.now(), { wallTime: 1005, logical: 0 })
  })

  it('counts logically within one millisecond', () => {
    const clock = new HybridClock({ now: () => 1000 })
    assert.deepEqual([clock.now(), clock.now(), clock.now()].map(t => t.logical), [0, 1, 2])
  })

  it('never goes backwards when physical time steps back', () => {
    const time = manualTime(10_000)
    const clock = new HybridClock({ now: time.now })
    let last: Timestamp = clock.now()
    // a jittery clock that keeps jumping back and forth
    for (const t of [9_000, 9_500, 10_000, 10_001, 5_000, 10_001, 12_000, 11_999]) {
      time.set(t)
      const next = clock.now()
      assert.ok(compareTimestamps(next, last) > 0, `${JSON.stringify(next)} after ${JSON.stringify(last)}`)
      last = next
    }
    assert.deepEqual(last, { wallTime: 12_000, logical: 1 })
  })

  it('moves wallTime on by 1 ms instead of overflowing the uint32 logical counter', () => {
    const time = manualTime(1000)
    const clock = new HybridClock({ now: time.now })
    clock.update({ wallTime: 1000, logical: MAX_LOGICAL - 1 })
    assert.deepEqual(clock.peek(), { wallTime: 1000, logical: MAX_LOGICAL })
    assert.deepEqual(clock.now(), { wallTime: 1001, logical: 0 })
  })

  describe('update', () => {
    it('reads after a received timestamp are greater than it', () => {
      const clock = new HybridClock({ now: () => 1000 })
      clock.update({ wallTime: 1500, logical: 7 })
      assert.deepEqual(clock.now(), { wallTime: 1500, logical: 9 })
    })

    it('takes the larger logical counter when wall times tie', () => {
      const clock = new HybridClock({ now: () => 1000 })
      clock.now()
      clock.now()
      clock.update({ wallTime: 1000, logical: 0 })
      assert.deepEqual(clock.peek(), { wallTime: 1000, logical: 2 })
      clock.update({ wallTime: 1000, logical: 10 })
      assert.deepEqual(clock.peek(), { wallTime: 1000, logical: 11 })
    })

    it('ignores the remote counter when its wall time is older', () => {
      const clock = new HybridClock({ now: () => 2000 })
      clock.now()
      clock.update({ wallTime: 1000, logical: 99 })
      assert.deepEqual(clock.peek(), { wallTime: 2000, logical: 1 })
    })

    it('resets logical when physical time is ahead of both', () => {
      const time = manualTime(1000)
      const clock = new HybridClock({ now: time.now })
      clock.update({ wallTime: 1000, logical: 5 })
      time.set(3000)
      clock.update({ wallTime: 2000, logical: 5 })
      assert.deepEqual(clock.peek(), { wallTime: 3000, logical: 0 })
    })

    it('orders a message chain between two peers with skewed clocks', () => {
      const fast = new HybridClock({ now: () => 50_000 })
      const slow = new HybridClock({ now: () => 20_000 })
      const sent = fast.now()
      slow.update(sent)
      const reply = slow.now()
      assert.ok(compareTimestamps(reply, sent) > 0)
      fast.update(reply)
      assert.ok(compareTimestamps(fast.now(), reply) > 0)
    })

    it('rejects a remote wall time beyond the allowed drift and keeps its state', () => {
      const clock = new HybridClock({ now: () => 100_000, maxDrift: 1000 })
      clock.now()
      clock.update({ wallTime: 101_000, logical: 0 })
      const before = clock.peek()
      assert.throws(() => { clock.update({ wallTime: 101_001, logical: 0 }) }, (err: unknown) => {
        assert.ok(err instanceof ClockDriftError)
        assert.equal(err.code, 'ERR_CLOCK_DRIFT')
        assert.equal(ClockDriftError.code, 'ERR_CLOCK_DRIFT')
        assert.match(err.message, /1001 ms ahead .* 1000 ms/)
        return true
      })
      assert.deepEqual(clock.peek(), before)
    })

    it('allows 60 s of drift by default', () => {
      const clock = new HybridClock({ now: () => 0 })
      clock.update({ wallTime: 60_000, logical: 0 })
      assert.throws(() => { clock.update({ wallTime: 60_001, logical: 0 }) }, ClockDriftError)
    })

    it('rejects timestamps that are not integers in range', () => {
      const clock = new HybridClock({ now: () => 0 })
      for (const bad of [
        { wallTime: Number.NaN, logical: 0 },
        { wallTime: -1, logical: 0 },
        { wallTime: 1.5, logical: 0 },
        { wallTime: 0, logical: -1 },
        { wallTime: 0, logical: MAX_LOGICAL + 1 }
      ]) {
        assert.throws(() => { clock.update(bad) }, RangeError, JSON.stringify(bad))
      }
    })
  })
})
