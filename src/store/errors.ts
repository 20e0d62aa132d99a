/** Errors of the key–value store; each carries a stable `code` */
import { ChordError } from '../util/errors.ts'

/** A remote timestamp is further ahead of the local clock than the allowed drift */
export class ClockDriftError extends ChordError { static readonly code = 'ERR_CLOCK_DRIFT' }

/** Bytes or fields that do not make a well-formed record */
export class InvalidRecordError extends ChordError { static readonly code = 'ERR_INVALID_RECORD' }

/** A key or value over the configured size limit */
export class RecordTooLargeError extends ChordError { static readonly code = 'ERR_RECORD_TOO_LARGE' }

/** The store was used before `open()` or after `close()` */
export class StoreClosedError extends ChordError {
  static readonly code = 'ERR_STORE_CLOSED'
  constructor (message = 'the local store is not open') {
    super(message)
  }
}

/** Too few replicas answered for the requested consistency */
export class QuorumError extends ChordError { static readonly code = 'ERR_QUORUM_NOT_REACHED' }

/** The peer is leaving the ring and takes no new data */
export class LeavingError extends ChordError {
  static readonly code = 'ERR_LEAVING'
  constructor (message = 'this peer is leaving the ring') {
    super(message)
  }
}

/** The disk under the datastore is full: the write was not stored (HTTP 507) */
export class DiskFullError extends ChordError { static readonly code = 'ERR_DISK_FULL' }

/** The datastore cannot write for another reason (a read-only or failing disk) */
export class StorageError extends ChordError { static readonly code = 'ERR_STORAGE' }
