import { ChordError } from '../util/errors.ts'

/** A mistake in how the command was called: one line on stderr, exit 2 */
export class UsageError extends ChordError { static readonly code = 'ERR_USAGE' }

/** The daemon or peer could not be reached, or the ring could not serve the request: exit 1 */
export class FailureError extends ChordError { static readonly code = 'ERR_FAILURE' }

export const EXIT = {
  OK: 0,
  /** the operation failed (unreachable daemon or peer, ring error) */
  FAILURE: 1,
  /** bad arguments or input (including a value over the size limit) */
  USAGE: 2,
  /** get/has/lookup: no value is stored under the key */
  NOT_FOUND: 3
} as const

export function positiveInt (flag: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback
  const n = Number(value)
  if (!Number.isSafeInteger(n) || n < 1) throw new UsageError(`--${flag} must be a positive integer, got ${JSON.stringify(value)}`)
  return n
}

export function atMost (max: number, flag: string, n: number): number {
  if (n > max) throw new UsageError(`--${flag} must be at most ${max}, got ${n}`)
  return n
}

export interface HostPort {
  host: string
  port: number
}

/**
 * HOST:PORT, with [IPv6]:PORT; port 0 picks a free one. The URL the daemon
 * logs (http://HOST:PORT, with or without a final /) is taken too.
 */
export function parseHostPort (flag: string, text: string): HostPort {
  if (/^https:\/\//i.test(text)) throw new UsageError(`--${flag}: the HTTP API is plain http://, got ${JSON.stringify(text)}`)
  const bare = text.replace(/^http:\/\//i, '').replace(/\/$/, '')
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]\s/]+)):(\d{1,5})$/.exec(bare)
  const port = Number(match?.[3])
  if (match === null || port > 65535) throw new UsageError(`--${flag} must be HOST:PORT (e.g. 127.0.0.1:5001), got ${JSON.stringify(text)}`)
  return { host: match[1] ?? match[2], port }
}
