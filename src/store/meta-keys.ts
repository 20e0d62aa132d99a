/**
 * Where the store keeps its own bookkeeping in the datastore, beside the
 * records: `/chord/meta/<name>`. The daemon's datastore treats these keys
 * specially (always synced; the clock's mark in a file of its own), so every
 * module names them from here.
 */
import { Key } from 'interface-datastore'

export const META_PREFIX = '/chord/meta/'

/** the hybrid clock's stored bound (clock-mark.ts) */
export const CLOCK_MARK = 'hlc'
/** the peer a data directory's datastore belongs to (persistence/data-dir.ts) */
export const PEER_MARK = 'peer'
/** the ring position a peer chose, to return to after a restart (position-mark.ts) */
export const POSITION_MARK = 'position'

export function metaKey (name: string): Key {
  return new Key(META_PREFIX + name, false)
}
