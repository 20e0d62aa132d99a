/** Errors of the key–value store; each carries a stable `code` */

/** A remote timestamp is further ahead of the local clock than the allowed drift */
export class ClockDriftError extends Error {
  static readonly code = 'ERR_CLOCK_DRIFT'
  readonly code = ClockDriftError.code
  constructor (message: string) {
    super(message)
    this.name = 'ClockDriftError'
  }
}

/** Bytes or fields that do not make a well-formed record */
export class InvalidRecordError extends Error {
  static readonly code = 'ERR_INVALID_RECORD'
  readonly code = InvalidRecordError.code
  constructor (message: string) {
    super(message)
    this.name = 'InvalidRecordError'
  }
}

/** A key or value over the configured size limit */
export class RecordTooLargeError extends Error {
  static readonly code = 'ERR_RECORD_TOO_LARGE'
  readonly code = RecordTooLargeError.code
  constructor (message: string) {
    super(message)
    this.name = 'RecordTooLargeError'
  }
}

/** The store was used before `open()` or after `close()` */
export class StoreClosedError extends Error {
  static readonly code = 'ERR_STORE_CLOSED'
  readonly code = StoreClosedError.code
  constructor (message = 'the local store is not open') {
    super(message)
    this.name = 'StoreClosedError'
  }
}
