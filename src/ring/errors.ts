/** Errors of the ring; each carries a stable `code` */
import { ChordError } from '../util/errors.ts'

export class LookupFailedError extends ChordError {
  static readonly code = 'ERR_LOOKUP_FAILED'
  constructor (message: string) {
    super(message, LookupFailedError.code)
  }
}

export class NotJoinedError extends ChordError {
  static readonly code = 'ERR_NOT_JOINED'
  constructor (message = 'this peer has not joined a ring yet') {
    super(message, NotJoinedError.code)
  }
}
