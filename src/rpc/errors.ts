/** Errors of the request/response layer; each carries a stable `code` */
import { ChordError } from '../util/errors.ts'

export class RpcTimeoutError extends ChordError {
  static readonly code = 'ERR_RPC_TIMEOUT'
  constructor (message: string) {
    super(message, RpcTimeoutError.code)
  }
}

/** The remote peer handled the request and answered with an error */
export class RemoteError extends ChordError {
  constructor (message: string, code: string) {
    super(message, code)
  }
}

/** The channel to the peer closed before the answer came */
export class ChannelClosedError extends ChordError {
  static readonly code = 'ERR_CHANNEL_CLOSED'
  constructor (message: string) {
    super(message, ChannelClosedError.code)
  }
}

/** A message from the network that does not follow the protocol */
export class InvalidMessageError extends ChordError {
  static readonly code = 'ERR_INVALID_MESSAGE'
  constructor (message: string) {
    super(message, InvalidMessageError.code)
  }
}

/** Too many requests in flight: to one peer locally, or from one peer remotely */
export class TooManyRequestsError extends ChordError {
  static readonly code = 'ERR_TOO_MANY_REQUESTS'
  constructor (message: string) {
    super(message, TooManyRequestsError.code)
  }
}

export function errorCode (err: unknown): string {
  if (typeof err === 'object' && err !== null && typeof (err as { code?: unknown }).code === 'string') {
    return (err as { code: string }).code
  }
  if (err instanceof Error && err.name !== 'Error') return err.name
  return 'ERR_INTERNAL'
}

/** Run a decoder over bytes from the network; anything it throws becomes an InvalidMessageError */
export function decodeWith<T> (decode: () => T): T {
  try {
    return decode()
  } catch (err) {
    if (err instanceof Error && typeof (err as { code?: unknown }).code === 'string') throw err
    throw new InvalidMessageError(`malformed message: ${(err as Error).message}`)
  }
}
