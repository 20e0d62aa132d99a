/**
 * Reading the local store's datastore: a missing key reads as undefined,
 * and many keys are read in one request where the datastore can.
 */
import type { AbortOptions } from '@libp2p/interface'
import type { Datastore, Key } from 'interface-datastore'

/**
 * A datastore that reads many keys in one call (LevelDB's getMany): one
 * request for a whole transfer batch instead of one per record. Missing
 * keys read as undefined.
 */
export interface BulkReads {
  getValues(keys: Key[], options?: AbortOptions): Promise<Array<Uint8Array | undefined>>
}

/**
 * A datastore that lists a key range in order, many entries per request
 * (LevelDB's iterator with nextv), without a Key object per entry.
 */
export interface RangeReads {
  /** [key, value] pairs (value undefined when `values` is false) with gte ≤ key ≤ lte, in key order, up to `block` per step */
  entriesIn(gte: string, lte: string, values: boolean, block: number, options?: AbortOptions): AsyncGenerator<Array<[string, Uint8Array | undefined]>>
}

export function hasRangeReads (datastore: object): datastore is RangeReads {
  return typeof (datastore as Partial<RangeReads>).entriesIn === 'function'
}

function hasBulkReads (datastore: object): datastore is BulkReads {
  return typeof (datastore as Partial<BulkReads>).getValues === 'function'
}

/** The datastore's value at `key`, undefined when there is none */
export async function getBytes (datastore: Datastore, key: Key, options?: AbortOptions): Promise<Uint8Array | undefined> {
  try {
    return await datastore.get(key, options)
  } catch (err) {
    if ((err as Error).name === 'NotFoundError') return undefined
    throw err
  }
}

/** The values at `keys`, in order: one request where the datastore reads in bulk, else one read per key, concurrently */
export async function getManyBytes (datastore: Datastore, keys: Key[], options?: AbortOptions): Promise<Array<Uint8Array | undefined>> {
  if (hasBulkReads(datastore)) return datastore.getValues(keys, options)
  return Promise.all(keys.map(async key => getBytes(datastore, key, options)))
}
