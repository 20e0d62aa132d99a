/**
 * The Chord identifier space: m-bit integers on a circle.
 *
 * Positions come from SHA-256, so a peer cannot pick where it sits: a ring
 * position is the hash of the peer's id bytes and its virtual-node index, a
 * key's position is the hash of the key bytes.
 */
import { sha256 } from '@noble/hashes/sha2.js'
import { fromString as uint8ArrayFromString } from 'uint8arrays/from-string'
import { toString as uint8ArrayToString } from 'uint8arrays/to-string'

/** m, the number of bits in an identifier */
export const ID_BITS = 256
/** 2^m, the size of the circle */
export const RING_SIZE = 1n << BigInt(ID_BITS)
const MASK = RING_SIZE - 1n
/** bytes in the canonical big-endian encoding of an identifier */
export const ID_BYTES = ID_BITS / 8

export type Id = bigint

function digest (...parts: Uint8Array[]): Id {
  // @noble/hashes: the same SHA-256 in Node and in browsers, synchronous
  const hash = sha256.create()
  for (const part of parts) hash.update(part)
  return bytesToId(hash.digest())
}

/** two hex digits per byte value: hashing keys runs per record moved, and a table beats a generic base16 encoder */
const HEX_BYTE = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'))

function bytesToId (bytes: Uint8Array): Id {
  let hex = '0x'
  for (let i = 0; i < bytes.length; i++) hex += HEX_BYTE[bytes[i]]
  return BigInt(hex) & MASK
}

/** Position of a key on the ring */
export function keyId (key: Uint8Array): Id {
  return bytesToId(sha256(key))
}

/**
 * Position of virtual node `vnode` of the peer whose id bytes are `peer`.
 * Virtual node 0 is the peer's primary position.
 */
export function nodeId (peer: Uint8Array, vnode: number): Id {
  if (!Number.isInteger(vnode) || vnode < 0 || vnode > 0xffff) {
    throw new RangeError(`virtual node index must be an integer in [0, 65535], got ${vnode}`)
  }
  const index = new Uint8Array(4)
  new DataView(index.buffer).setUint32(0, vnode)
  return digest(peer, index)
}

/** (a + b) mod 2^m */
export function add (a: Id, b: Id): Id {
  return (a + b) & MASK
}

/** Clockwise distance from a to b: (b - a) mod 2^m, 0 when equal */
export function distance (a: Id, b: Id): Id {
  return (b - a) & MASK
}

/**
 * x in the open interval (a, b), walking clockwise from a.
 * When a == b the interval is the whole circle except a.
 */
export function between (a: Id, x: Id, b: Id): boolean {
  if (a === b) return x !== a
  const d = distance(a, x)
  return d > 0n && d < distance(a, b)
}

/**
 * x in the half-open interval (a, b].
 * When a == b the interval is the whole circle.
 */
export function betweenRightIncl (a: Id, x: Id, b: Id): boolean {
  if (a === b) return true
  const d = distance(a, x)
  return d > 0n && d <= distance(a, b)
}

/** Start of finger i of node n: n + 2^i (0 ≤ i < m) */
export function fingerStart (n: Id, i: number): Id {
  return add(n, 1n << BigInt(i))
}

/** Canonical big-endian bytes of an identifier */
export function idToBytes (id: Id): Uint8Array<ArrayBuffer> {
  const hex = id.toString(16).padStart(ID_BYTES * 2, '0')
  return Uint8Array.from(uint8ArrayFromString(hex, 'base16'))
}

/** Parse the canonical encoding; rejects anything that is not exactly ID_BYTES long */
export function idFromBytes (bytes: Uint8Array): Id {
  if (bytes.length !== ID_BYTES) {
    throw new RangeError(`an identifier is ${ID_BYTES} bytes, got ${bytes.length}`)
  }
  return BigInt('0x' + uint8ArrayToString(bytes, 'base16'))
}

/** Hex form used in logs and inspection output */
export function idToHex (id: Id): string {
  return id.toString(16).padStart(ID_BYTES * 2, '0')
}

export function idFromHex (hex: string): Id {
  if (!/^[0-9a-fA-F]{1,64}$/.test(hex)) throw new RangeError(`not a hexadecimal identifier: ${JSON.stringify(hex)}`)
  return BigInt('0x' + hex)
}
