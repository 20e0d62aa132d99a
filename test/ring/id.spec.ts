import assert from 'node:assert/strict'
import { ID_BITS, RING_SIZE, add, between, betweenRightIncl, distance, fingerStart, idFromBytes, idFromHex, idToBytes, idToHex, keyId, nodeId } from '../../src/ring/id.ts'

const MAX = RING_SIZE - 1n

describe('identifier space', () => {
  it('hashes keys and peer positions to m-bit ids, deterministically', () => {
    const a = keyId(new TextEncoder().encode('hello'))
    assert.equal(a, keyId(new TextEncoder().encode('hello')))
    assert.notEqual(a, keyId(new TextEncoder().encode('hello!')))
    assert.ok(a >= 0n && a < RING_SIZE)
    const peer = new Uint8Array([1, 2, 3])
    assert.equal(nodeId(peer, 0), nodeId(peer, 0))
    assert.notEqual(nodeId(peer, 0), nodeId(peer, 1))
    assert.notEqual(nodeId(peer, 0), nodeId(new Uint8Array([1, 2, 4]), 0))
    assert.throws(() => nodeId(peer, -1), RangeError)
    assert.throws(() => nodeId(peer, 1.5), RangeError)
    assert.throws(() => nodeId(peer, 70000), RangeError)
  })

  it('wraps addition and distance around the circle', () => {
    assert.equal(add(MAX, 1n), 0n)
    assert.equal(add(MAX, 5n), 4n)
    assert.equal(distance(10n, 20n), 10n)
    assert.equal(distance(20n, 10n), RING_SIZE - 10n)
    assert.equal(distance(7n, 7n), 0n)
    assert.equal(distance(MAX, 0n), 1n)
    assert.equal(fingerStart(MAX, 0), 0n)
    assert.equal(fingerStart(0n, ID_BITS - 1), RING_SIZE / 2n)
  })

  describe('open interval (a, b)', () => {
    it('without wrap', () => {
      assert.equal(between(10n, 15n, 20n), true)
      assert.equal(between(10n, 10n, 20n), false)
      assert.equal(between(10n, 20n, 20n), false)
      assert.equal(between(10n, 5n, 20n), false)
      assert.equal(between(10n, 25n, 20n), false)
    })
    it('across zero', () => {
      assert.equal(between(MAX - 5n, MAX, 5n), true)
      assert.equal(between(MAX - 5n, 0n, 5n), true)
      assert.equal(between(MAX - 5n, 3n, 5n), true)
      assert.equal(between(MAX - 5n, 5n, 5n), false)
      assert.equal(between(MAX - 5n, MAX - 5n, 5n), false)
      assert.equal(between(MAX - 5n, 100n, 5n), false)
    })
    it('a == b is the whole circle but a', () => {
      assert.equal(between(7n, 7n, 7n), false)
      assert.equal(between(7n, 8n, 7n), true)
      assert.equal(between(7n, 6n, 7n), true)
      assert.equal(between(7n, 0n, 7n), true)
    })
    it('adjacent ids leave nothing between', () => {
      assert.equal(between(7n, 7n, 8n), false)
      assert.equal(between(7n, 8n, 8n), false)
      assert.equal(between(MAX, 0n, 0n), false)
    })
  })

  describe('half-open interval (a, b]', () => {
    it('includes b, excludes a', () => {
      assert.equal(betweenRightIncl(10n, 20n, 20n), true)
      assert.equal(betweenRightIncl(10n, 10n, 20n), false)
      assert.equal(betweenRightIncl(10n, 11n, 20n), true)
      assert.equal(betweenRightIncl(10n, 21n, 20n), false)
    })
    it('across zero', () => {
      assert.equal(betweenRightIncl(MAX - 1n, 0n, 0n), true)
      assert.equal(betweenRightIncl(MAX - 1n, MAX, 0n), true)
      assert.equal(betweenRightIncl(MAX - 1n, MAX - 1n, 0n), false)
      assert.equal(betweenRightIncl(MAX - 1n, 1n, 0n), false)
    })
    it('a == b is the full circle', () => {
      for (const x of [0n, 7n, 8n, MAX]) assert.equal(betweenRightIncl(7n, x, 7n), true)
    })
  })

  it('agrees with a brute-force definition on a small sample of the circle', () => {
    // walk clockwise from a in steps; membership must match position on the walk
    const points = [0n, 1n, 2n, RING_SIZE / 3n, RING_SIZE / 2n, MAX - 1n, MAX]
    for (const a of points) {
      for (const b of points) {
        for (const x of points) {
          const dx = distance(a, x)
          const db = distance(a, b)
          const open = a === b ? x !== a : dx > 0n && dx < db
          const half = a === b ? true : dx > 0n && dx <= db
          assert.equal(between(a, x, b), open, `between(${a}, ${x}, ${b})`)
          assert.equal(betweenRightIncl(a, x, b), half, `betweenRightIncl(${a}, ${x}, ${b})`)
        }
      }
    }
  })

  it('encodes ids canonically and rejects malformed encodings', () => {
    for (const id of [0n, 1n, MAX, keyId(new Uint8Array([9]))]) {
      assert.equal(idFromBytes(idToBytes(id)), id)
      assert.equal(idToBytes(id).length, ID_BITS / 8)
      assert.equal(idFromHex(idToHex(id)), id)
    }
    assert.throws(() => idFromBytes(new Uint8Array(31)), RangeError)
    assert.throws(() => idFromBytes(new Uint8Array(33)), RangeError)
    assert.throws(() => idFromHex('xyz'), RangeError)
    assert.throws(() => idFromHex(''), RangeError)
  })
})
