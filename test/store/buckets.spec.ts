import assert from 'node:assert/strict'
import { RING_SIZE } from '../../src/ring/id.ts'
import { BucketLayout } from '../../src/store/buckets.ts'
import type { Segment } from '../../src/store/buckets.ts'

const MAX = RING_SIZE - 1n

describe('BucketLayout', () => {
  const layout = new BucketLayout(4)
  const size = RING_SIZE / 16n

  function segments (from: bigint, to: bigint): Segment[] {
    return [...layout.segments(from, to)]
  }

  it('maps ids to buckets by their top bits, in fixed-width hex', () => {
    assert.equal(layout.bucketOf(0n), 0)
    assert.equal(layout.bucketOf(size - 1n), 0)
    assert.equal(layout.bucketOf(size), 1)
    assert.equal(layout.bucketOf(MAX), 15)
    assert.equal(new BucketLayout(12).toHex(5), '005')
    assert.equal(new BucketLayout(9).toHex(511), '1ff')
    assert.throws(() => new BucketLayout(0), RangeError)
    assert.throws(() => new BucketLayout(17), RangeError)
  })

  it('cuts an interval inside one bucket into one segment', () => {
    assert.deepEqual(segments(size + 10n, size + 20n), [{ bucket: 1, lo: size + 11n, hi: size + 20n }])
  })

  it('cuts at bucket boundaries, whole in the middle', () => {
    const parts = segments(size - 2n, 3n * size + 1n)
    assert.deepEqual(parts, [
      { bucket: 0, lo: size - 1n, hi: size - 1n },
      { bucket: 1, lo: size, hi: 2n * size - 1n },
      { bucket: 2, lo: 2n * size, hi: 3n * size - 1n },
      { bucket: 3, lo: 3n * size, hi: 3n * size + 1n }
    ])
    assert.deepEqual(parts.map(p => layout.isWhole(p)), [false, true, true, false])
  })

  it('wraps round zero', () => {
    assert.deepEqual(segments(MAX - 1n, 1n), [
      { bucket: 15, lo: MAX, hi: MAX },
      { bucket: 0, lo: 0n, hi: 1n }
    ])
    assert.deepEqual(segments(MAX, 0n), [{ bucket: 0, lo: 0n, hi: 0n }])
  })

  it('covers the whole ring when from === to, visiting the split bucket twice', () => {
    const parts = segments(size + 5n, size + 5n)
    assert.equal(parts.length, 17)
    assert.deepEqual(parts[0], { bucket: 1, lo: size + 6n, hi: 2n * size - 1n })
    assert.deepEqual(parts[16], { bucket: 1, lo: size, hi: size + 5n })
    const covered = parts.reduce((sum, p) => sum + p.hi - p.lo + 1n, 0n)
    assert.equal(covered, RING_SIZE)
  })

  it('covers the whole ring in 16 whole buckets when it starts at a boundary', () => {
    const parts = segments(MAX, MAX)
    assert.deepEqual(parts.map(p => p.bucket), [...Array(16).keys()])
    assert.ok(parts.every(p => layout.isWhole(p)))
  })
})
