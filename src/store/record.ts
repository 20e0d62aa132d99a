/**
 * Stored records, their last-writer-wins order, wire/disk encoding and the
 * digest that range hashes are built from.
 */
import { sha256 } from '@noble/hashes/sha2.js'
import { InvalidRecordError } from './errors.ts'
import { compareTimestamps, MAX_LOGICAL } from './hlc.ts'
import { reader as createReader } from 'protons-runtime'
import { Record as PbRecord, Version as PbVersion } from './pb/store.ts'
import type { Timestamp } from './hlc.ts'

/** A hybrid clock reading plus the writer that took it: unique per write */
export interface Version extends Timestamp {
  /** peer id string of the writing peer */
  writer: string
}

/**
 * One key as stored. Named StoreRecord so it does not shadow TypeScript's
 * `Record<K, V>` in modules that import it.
 */
export interface StoreRecord {
  key: Uint8Array
  /** empty for a tombstone */
  value: Uint8Array
  version: Version
  /** a tombstone: the key was deleted at `version` */
  deleted: boolean
  /** ms since the epoch after which the record may be dropped */
  expiresAt?: number
}

export interface RecordLimits {
  maxKeyBytes: number
  maxValueBytes: number
}

export const DEFAULT_LIMITS: Readonly<RecordLimits> = {
  maxKeyBytes: 1024,
  maxValueBytes: 1024 * 1024
}

/** no size limits: for records already stored, which passed the limits in force when they were applied */
export const NO_LIMITS: Readonly<RecordLimits> = { maxKeyBytes: Infinity, maxValueBytes: Infinity }

/**
 * Peer id strings (base58btc, base32 or base36 CIDs) are short and ASCII; the
 * restriction also makes the writer tie-break mean the same in any language.
 */
const MAX_WRITER_LENGTH = 128
const WRITER = /^[\x21-\x7e]+$/

/** Encoded fields other than key, value and writer stay well under this */
const ENVELOPE_BYTES = 64

/**
 * Total order on versions: wallTime, then logical, then writer. Every peer
 * sorts the same way, so replicas that saw the same writes keep the same one.
 */
export function compareVersions (a: Version, b: Version): number {
  const byTime = compareTimestamps(a, b)
  if (byTime !== 0) return byTime
  if (a.writer === b.writer) return 0
  return a.writer < b.writer ? -1 : 1
}

/** a is strictly newer than b */
export function newer (a: Version, b: Version): boolean {
  return compareVersions(a, b) > 0
}

/** The record has passed its TTL at time `now` (ms) */
export function isExpired (record: StoreRecord, now: number): boolean {
  return record.expiresAt != null && record.expiresAt <= now
}

/**
 * Why the record breaks the size limits, or undefined when it does not; one
 * check, reported as RecordTooLargeError on apply and InvalidRecordError on decode.
 */
export function sizeProblem (record: StoreRecord, limits: RecordLimits): string | undefined {
  if (record.key.byteLength > limits.maxKeyBytes) {
    return `key is ${record.key.byteLength} bytes, over the limit of ${limits.maxKeyBytes} bytes`
  }
  if (record.value.byteLength > limits.maxValueBytes) {
    return `value is ${record.value.byteLength} bytes, over the limit of ${limits.maxValueBytes} bytes`
  }
  return undefined
}

/** Throws InvalidRecordError unless every field holds a value the store can keep */
export function assertWellFormed (record: StoreRecord): void {
  const { version } = record
  if (!Number.isSafeInteger(version.wallTime) || version.wallTime < 0) {
    throw new InvalidRecordError(`version wall time must be a non-negative safe integer, got ${version.wallTime}`)
  }
  if (!Number.isInteger(version.logical) || version.logical < 0 || version.logical > MAX_LOGICAL) {
    throw new InvalidRecordError(`version logical counter must be a uint32, got ${version.logical}`)
  }
  if (version.writer.length > MAX_WRITER_LENGTH || !WRITER.test(version.writer)) {
    throw new InvalidRecordError(`version writer must be 1 to ${MAX_WRITER_LENGTH} printable ASCII characters, got ${JSON.stringify(version.writer.slice(0, MAX_WRITER_LENGTH + 1))}`)
  }
  if (record.deleted && record.value.byteLength !== 0) {
    throw new InvalidRecordError(`a tombstone must have an empty value, got ${record.value.byteLength} bytes`)
  }
  if (record.expiresAt != null && (!Number.isSafeInteger(record.expiresAt) || record.expiresAt < 0)) {
    throw new InvalidRecordError(`expiresAt must be a non-negative safe integer, got ${record.expiresAt}`)
  }
}

/**
 * The bytes a record was decoded from: a record read from disk is sent on
 * as it was read, and one from a peer is stored as it came, with no
 * encoding per record in a transfer. Records are not changed once decoded
 * (a new version is a new object), so the bytes stay true to the record.
 */
const encodings = new WeakMap<StoreRecord, Uint8Array>()

export function encodeRecord (record: StoreRecord): Uint8Array {
  const known = encodings.get(record)
  if (known !== undefined) return known
  return PbRecord.encode({
    key: record.key as Uint8Array<ArrayBuffer>,
    value: record.value as Uint8Array<ArrayBuffer>,
    version: {
      wallTime: BigInt(record.version.wallTime),
      logical: record.version.logical,
      writer: record.version.writer
    },
    deleted: record.deleted,
    expiresAt: record.expiresAt == null ? undefined : BigInt(record.expiresAt)
  })
}

/**
 * The encoding of a record to keep: a record that came from a peer is kept
 * as it came, but as a copy of its own, so a datastore that keeps what it is
 * given (the in-memory one) does not hold on to the whole message.
 */
export function encodeToKeep (record: StoreRecord): Uint8Array {
  const bytes = encodeRecord(record)
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : bytes.slice()
}

/**
 * Decode bytes from a peer or from disk. The bytes are not trusted: anything
 * malformed, out of range or over `limits` throws InvalidRecordError. Key and
 * value are views into `bytes`, not copies.
 */
export function decodeRecord (bytes: Uint8Array, limits: RecordLimits = DEFAULT_LIMITS): StoreRecord {
  // refuse before parsing, so a huge message costs no work
  const maxBytes = limits.maxKeyBytes + limits.maxValueBytes + MAX_WRITER_LENGTH + ENVELOPE_BYTES
  if (bytes.byteLength > maxBytes) {
    throw new InvalidRecordError(`record of ${bytes.byteLength} bytes is over the limits (key ≤ ${limits.maxKeyBytes} bytes, value ≤ ${limits.maxValueBytes} bytes)`)
  }

  let pb: PbRecord
  try {
    pb = decodePb(bytes)
  } catch (err) {
    throw new InvalidRecordError(`not a protobuf record: ${(err as Error).message}`)
  }
  if (pb.version == null) throw new InvalidRecordError('record has no version')

  const record: StoreRecord = {
    key: pb.key,
    value: pb.value,
    version: {
      wallTime: toSafeNumber(pb.version.wallTime, 'version wall time'),
      logical: pb.version.logical,
      writer: pb.version.writer
    },
    deleted: pb.deleted
  }
  if (pb.expiresAt != null) record.expiresAt = toSafeNumber(pb.expiresAt, 'expiresAt')

  assertWellFormed(record)
  const tooLarge = sizeProblem(record, limits)
  if (tooLarge != null) throw new InvalidRecordError(tooLarge)
  // bytes padded (unknown or repeated fields) past what a record needs are not passed on: re-encoded, they lose it
  if (bytes.byteLength - record.key.byteLength - record.value.byteLength <= MAX_WRITER_LENGTH + ENVELOPE_BYTES) encodings.set(record, bytes)
  return record
}

const EMPTY = new Uint8Array(0)

/**
 * Record (pb/store.proto) as the generated decoder reads it, field for
 * field (Version through the generated codec), without its two fresh empty
 * arrays per record for absent key and value: decoding runs for every
 * record read from disk or received.
 */
function decodePb (bytes: Uint8Array): PbRecord {
  const reader = createReader(bytes)
  const pb: PbRecord = { key: EMPTY as Uint8Array<ArrayBuffer>, value: EMPTY as Uint8Array<ArrayBuffer>, deleted: false }
  while (reader.pos < reader.len) {
    const tag = reader.uint32()
    switch (tag >>> 3) {
      case 1: pb.key = reader.bytes() as Uint8Array<ArrayBuffer>; break
      case 2: pb.value = reader.bytes() as Uint8Array<ArrayBuffer>; break
      case 3: pb.version = PbVersion.codec().decode(reader, reader.uint32()); break
      case 4: pb.deleted = reader.bool(); break
      case 5: pb.expiresAt = reader.uint64(); break
      default: reader.skipType(tag & 7)
    }
  }
  return pb
}

function toSafeNumber (value: bigint, field: string): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new InvalidRecordError(`${field} ${value} is larger than a safe integer`)
  }
  return Number(value)
}

/**
 * SHA-256 over key, version and the deleted flag, not the value: a version
 * names one write, so equal digests mean the same write. Fields are length
 * prefixed so no two records share an input.
 */
export function recordDigest (record: StoreRecord): Uint8Array {
  const writer = writerBytes(record.version.writer)
  const keyLength = record.key.byteLength
  // one buffer and one hash call: this runs for every record stored, moved or dropped
  const input = new Uint8Array(4 + keyLength + 17 + writer.byteLength)
  const view = new DataView(input.buffer)
  view.setUint32(0, keyLength)
  input.set(record.key, 4)
  let at = 4 + keyLength
  view.setBigUint64(at, BigInt(record.version.wallTime))
  view.setUint32(at + 8, record.version.logical)
  view.setUint32(at + 12, writer.byteLength)
  view.setUint8(at + 16, record.deleted ? 1 : 0)
  at += 17
  input.set(writer, at)
  return sha256(input)
}

/** UTF-8 of writer ids: a ring has few writers, each seen on many records */
const writers = new Map<string, Uint8Array>()
const MAX_CACHED_WRITERS = 4096

function writerBytes (writer: string): Uint8Array {
  let bytes = writers.get(writer)
  if (bytes === undefined) {
    bytes = new TextEncoder().encode(writer)
    if (writers.size >= MAX_CACHED_WRITERS) writers.clear()
    writers.set(writer, bytes)
  }
  return bytes
}
