/** Errors of the ring; each carries a stable `code` */
import { ChordError } from '../util/errors.ts'

export class LookupFailedError extends ChordError { static readonly code = 'ERR_LOOKUP_FAILED' }

export class NotJoinedError extends ChordError {
  static readonly code = 'ERR_NOT_JOINED'
  constructor (message = 'this peer has not joined a ring yet') {
    super(message)
  }
}

/** A client-mode peer knows no ring member to send its request to */
export class NoMembersError extends ChordError {
  static readonly code = 'ERR_NO_MEMBERS'
  constructor (message = 'client mode: no ring member is known — give bootstrap addresses of members, or connect to one') {
    super(message)
  }
}
