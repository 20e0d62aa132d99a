/**
 * Whether this peer can store what it is sent. A datastore that knows (the
 * daemon's, src/persistence/durable-level.ts) reports it through
 * `storageHealth()`; any other datastore counts as writable.
 */
import type { Datastore } from 'interface-datastore'

export interface StorageHealth {
  /** writes are being stored; false while the disk is full or failing */
  writable: boolean
  /** why not, while not writable */
  problem?: string
  /** writes refused for lack of space or a failing disk, since start */
  failedWrites: number
}

export interface StorageHealthSource {
  storageHealth(): StorageHealth
}

export function storageHealthOf (datastore: Datastore): StorageHealth {
  const source = datastore as Partial<StorageHealthSource>
  if (typeof source.storageHealth === 'function') return source.storageHealth()
  return { writable: true, failedWrites: 0 }
}
