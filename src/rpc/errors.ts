/** Errors of the request/response layer; each carries a stable `code` */

export class RpcTimeoutError extends Error {
  static readonly code = 'ERR_RPC_TIMEOUT'
  readonly code = RpcTimeoutError.code
  constructor (message: string) {
    super(message)
    this.name = 'RpcTimeoutError'
  }
}

/** The remote peer handled the request and answered with an error */
export class RemoteError extends Error {
  readonly code: string
  constructor (message: string, code: string) {
    super(message)
    this.name = 'RemoteError'
    this.code = code
  }
}

/** The channel to the peer closed before the answer came */
export class ChannelClosedError extends Error {
  static readonly code = 'ERR_CHANNEL_CLOSED'
  readonly code = ChannelClosedError.code
  constructor (message: string) {
    super(message)
    this.name = 'ChannelClosedError'
  }
}

/** A message from the network that does not follow the protocol */
export class InvalidMessageError extends Error {
  static readonly code = 'ERR_INVALID_MESSAGE'
  readonly code = InvalidMessageError.code
  constructor (message: string) {
    super(message)
    this.name = 'InvalidMessageError'
  }
}

/** Too many requests in flight: to one peer locally, or from one peer remotely */
export class TooManyRequestsError extends Error {
  static readonly code = 'ERR_TOO_MANY_REQUESTS'
  readonly code = TooManyRequestsError.code
  constructor (message: string) {
    super(message)
    this.name = 'TooManyRequestsError'
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
