/** Deterministic inputs for the store tests */
import { keyId } from '../../src/ring/id.ts'
import type { StoreRecord, Version } from '../../src/store/record.ts'

/** mulberry32: a small seeded generator, so every run sees the same "random" keys */
export function seeded (seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32
  }
}

export function randomBytes (random: () => number, length: number): Uint8Array {
  const bytes = new Uint8Array(length)
  for (let i = 0; i < length; i++) bytes[i] = Math.floor(random() * 256)
  return bytes
}

/** A random 256-bit ring position */
export function randomId (random: () => number): bigint {
  return BigInt('0x' + Buffer.from(randomBytes(random, 32)).toString('hex'))
}

export function version (wallTime: number, logical = 0, writer = 'peerA'): Version {
  return { wallTime, logical, writer }
}

export function put (key: string | Uint8Array, value: string, v: Version, extra: Partial<StoreRecord> = {}): StoreRecord {
  return {
    key: typeof key === 'string' ? new TextEncoder().encode(key) : key,
    value: new TextEncoder().encode(value),
    version: v,
    deleted: false,
    ...extra
  }
}

export function tombstone (key: string | Uint8Array, v: Version): StoreRecord {
  return put(key, '', v, { deleted: true })
}

export function text (bytes: Uint8Array): string {
  return new TextDecoder().decode(bytes)
}

export function idOf (record: StoreRecord): bigint {
  return keyId(record.key)
}

export async function collect<T> (source: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = []
  for await (const item of source) out.push(item)
  return out
}
