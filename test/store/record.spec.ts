import assert from 'node:assert/strict'
import { InvalidRecordError } from '../../src/store/errors.ts'
import { Record as PbRecord } from '../../src/store/pb/store.ts'
import { compareVersions, decodeRecord, DEFAULT_LIMITS, encodeRecord, isExpired, newer, recordDigest } from '../../src/store/record.ts'
import { put, randomBytes, seeded, tombstone, version } from '../fixtures/records.ts'
import type { StoreRecord, Version } from '../../src/store/record.ts'

function rejects (bytes: Uint8Array, pattern: RegExp, limits = DEFAULT_LIMITS): void {
  assert.throws(() => decodeRecord(bytes, limits), (err: unknown) => {
    assert.ok(err instanceof InvalidRecordError, `expected InvalidRecordError, got ${String(err)}`)
    assert.equal(err.code, 'ERR_INVALID_RECORD')
    assert.match(err.message, pattern)
    return true
  })
}

/** Protobuf bytes for fields encodeRecord would never produce */
function raw (fields: Partial<PbRecord>): Uint8Array {
  return PbRecord.encode({ key: new Uint8Array([1]), version: { wallTime: 1n, logical: 0, writer: 'peerA' }, ...fields })
}

describe('records', () => {
  describe('version order', () => {
    it('orders by wall time, then logical counter, then writer', () => {
      const ordered: Version[] = [
        version(1, 5, 'z'),
        version(2, 0, 'b'),
        version(2, 1, 'a'),
        version(2, 1, 'b'),
        version(2, 1, 'ba'),
        version(3, 0, 'a')
      ]
      for (let i = 0; i < ordered.length; i++) {
        for (let j = 0; j < ordered.length; j++) {
          assert.equal(Math.sign(compareVersions(ordered[i], ordered[j])), Math.sign(i - j), `${i} vs ${j}`)
          assert.equal(newer(ordered[i], ordered[j]), i > j)
        }
      }
    })

    it('sorts any shuffle of the same versions the same way', () => {
      const random = seeded(7)
      const versions: Version[] = []
      for (let i = 0; i < 200; i++) {
        versions.push(version(Math.floor(random() * 3), Math.floor(random() * 3), ['a', 'b', 'c'][Math.floor(random() * 3)]))
      }
      const once = [...versions].sort(compareVersions)
      const shuffled = [...versions].sort(() => random() - 0.5).sort(compareVersions)
      assert.deepEqual(shuffled, once)
    })
  })

  it('knows when a record has expired', () => {
    const record = put('k', 'v', version(1), { expiresAt: 100 })
    assert.equal(isExpired(record, 99), false)
    assert.equal(isExpired(record, 100), true)
    assert.equal(isExpired(put('k', 'v', version(1)), Number.MAX_SAFE_INTEGER), false)
  })

  describe('encoding', () => {
    it('round-trips records and tombstones', () => {
      const records: StoreRecord[] = [
        put('hello', 'world', version(1_700_000_000_000, 3, '12D3KooWExample')),
        put(new Uint8Array(0), '', version(0)),
        tombstone('gone', version(Number.MAX_SAFE_INTEGER, 0xffff_ffff, 'w')),
        put('ttl', 'x', version(5), { expiresAt: 0 }),
        put('ttl2', 'x', version(5), { expiresAt: 1_800_000_000_000 })
      ]
      for (const record of records) {
        const decoded = decodeRecord(encodeRecord(record))
        assert.deepEqual({ ...decoded, key: [...decoded.key], value: [...decoded.value] },
          { ...record, key: [...record.key], value: [...record.value] })
      }
    })

    it('rejects random bytes with InvalidRecordError only', () => {
      const random = seeded(42)
      let rejected = 0
      for (let i = 0; i < 2000; i++) {
        const bytes = randomBytes(random, 1 + Math.floor(random() * 64))
        try {
          decodeRecord(bytes)
        } catch (err) {
          assert.ok(err instanceof InvalidRecordError, `bytes ${Buffer.from(bytes).toString('hex')} threw ${String(err)}`)
          rejected++
        }
      }
      assert.equal(rejected, 2000)
    })

    it('rejects truncations of a valid encoding, but for a cut between fields', () => {
      const bytes = encodeRecord(put('key', 'value', version(123456, 7, 'writer'), { expiresAt: 99 }))
      // the last field, expiresAt = 99, takes 2 bytes; without it the record is still valid
      const boundary = bytes.length - 2
      for (let length = 0; length < bytes.length; length++) {
        if (length === boundary) {
          assert.equal(decodeRecord(bytes.subarray(0, length)).expiresAt, undefined)
        } else {
          assert.throws(() => decodeRecord(bytes.subarray(0, length)), InvalidRecordError, `length ${length}`)
        }
      }
    })

    it('rejects malformed protobuf', () => {
      rejects(Uint8Array.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f]), /not a protobuf record/) // key length far past the end
      rejects(Uint8Array.from([0x0f]), /not a protobuf record/) // wire type 7
      rejects(Uint8Array.from([0x08, ...new Array(11).fill(0xff)]), /not a protobuf record/) // varint over 10 bytes
    })

    it('rejects fields out of range', () => {
      rejects(raw({ version: undefined }), /no version/)
      rejects(raw({ version: { wallTime: 2n ** 63n, logical: 0, writer: 'w' } }), /wall time .* safe integer/)
      rejects(raw({ expiresAt: 2n ** 64n - 1n }), /expiresAt .* safe integer/)
      rejects(raw({ version: { wallTime: 1n, logical: 0, writer: '' } }), /writer/)
      rejects(raw({ version: { wallTime: 1n, logical: 0, writer: 'has space' } }), /writer/)
      rejects(raw({ version: { wallTime: 1n, logical: 0, writer: 'é' } }), /writer/)
      rejects(raw({ version: { wallTime: 1n, logical: 0, writer: 'w'.repeat(129) } }), /writer/)
      rejects(raw({ deleted: true, value: new Uint8Array([1]) }), /tombstone must have an empty value/)
    })

    it('rejects keys and values over the limits it is given', () => {
      const limits = { maxKeyBytes: 4, maxValueBytes: 8 }
      assert.equal(decodeRecord(raw({ key: new Uint8Array(4), value: new Uint8Array(8) }), limits).key.length, 4)
      rejects(raw({ key: new Uint8Array(5) }), /key is 5 bytes, over the limit of 4 bytes/, limits)
      rejects(raw({ value: new Uint8Array(9) }), /value is 9 bytes, over the limit of 8 bytes/, limits)
      // refused on length alone, before parsing
      rejects(new Uint8Array(4 + 8 + 128 + 64 + 1), /record of 205 bytes is over the limits \(key ≤ 4 bytes, value ≤ 8 bytes\)/, limits)
    })
  })

  it('passes a decoded record on as the bytes it came in, unless they carry padding past its fields', () => {
    const record = put('key', 'value', version(5, 1, 'w'))
    const plain = encodeRecord(record)
    const decoded = decodeRecord(plain)
    assert.equal(encodeRecord(decoded), plain)
    // an unknown field of 5,000 bytes: decoded alike, sent on without it
    const unknown = new Uint8Array([(10 << 3) | 2, 0x88, 0x27, ...new Uint8Array(5000)])
    const padded = new Uint8Array([...plain, ...unknown])
    const fromPadded = decodeRecord(padded)
    assert.deepEqual(fromPadded, decoded)
    assert.deepEqual(encodeRecord(fromPadded), plain)
  })

  describe('digest', () => {
    it('names the write: key, version and deleted flag, not the value', () => {
      const base = put('k', 'v1', version(1, 0, 'a'))
      const digest = recordDigest(base)
      assert.equal(digest.length, 32)
      assert.deepEqual(recordDigest({ ...base, value: new Uint8Array([9]) }), digest)
      assert.notDeepEqual(recordDigest({ ...base, key: new Uint8Array([0x6b, 0]) }), digest)
      assert.notDeepEqual(recordDigest({ ...base, version: version(2, 0, 'a') }), digest)
      assert.notDeepEqual(recordDigest({ ...base, version: version(1, 1, 'a') }), digest)
      assert.notDeepEqual(recordDigest({ ...base, version: version(1, 0, 'b') }), digest)
      assert.notDeepEqual(recordDigest({ ...base, deleted: true, value: new Uint8Array(0) }), digest)
    })

    it('does not let key bytes run into the version', () => {
      // same concatenated bytes, split differently between key and writer
      const a = recordDigest(put('ab', '', version(1, 0, 'c')))
      const b = recordDigest(put('a', '', version(1, 0, 'bc')))
      assert.notDeepEqual(a, b)
    })
  })
})
