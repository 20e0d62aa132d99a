/**
 * The query parameters of the API's routes, checked: bad input is a 400
 * that names the parameter and what it takes.
 */
import { idFromHex } from '../index.ts'
import { ApiError } from './errors.ts'
import type { Consistency, Id } from '../index.ts'

const CONSISTENCY = new Set<string>(['ONE', 'QUORUM', 'ALL'])

/** a yes/no parameter: present and not false or 0 */
export function flag (query: URLSearchParams, name: string): boolean {
  const value = query.get(name)
  return value !== null && value !== 'false' && value !== '0'
}

/** a ring position given as 64 hex digits */
export function idOf (query: URLSearchParams, name: string): Id {
  const value = query.get(name)
  if (value === null || !/^[0-9a-fA-F]{64}$/.test(value)) throw new ApiError(400, 'ERR_BAD_REQUEST', `${name} must be a ring position of 64 hex digits, got ${JSON.stringify(value)}`)
  return idFromHex(value.toLowerCase())
}

export function bounded (query: URLSearchParams, name: string, fallback: number, max: number): number {
  const value = query.get(name)
  if (value === null) return fallback
  const n = Number(value)
  if (!Number.isSafeInteger(n) || n < 1 || n > max) throw new ApiError(400, 'ERR_BAD_REQUEST', `${name} must be a whole number from 1 to ${max}, got ${JSON.stringify(value)}`)
  return n
}

export function consistencyOf (query: URLSearchParams): Consistency | undefined {
  const value = query.get('consistency')
  if (value === null) return undefined
  const upper = value.toUpperCase()
  if (!CONSISTENCY.has(upper)) throw new ApiError(400, 'ERR_BAD_REQUEST', `consistency must be ONE, QUORUM or ALL, got ${JSON.stringify(value)}`)
  return upper as Consistency
}

export function ttlOf (query: URLSearchParams): number | undefined {
  const value = query.get('ttl')
  if (value === null) return undefined
  const ttl = Number(value)
  if (!Number.isSafeInteger(ttl) || ttl <= 0) throw new ApiError(400, 'ERR_BAD_REQUEST', `ttl must be a positive number of milliseconds, got ${JSON.stringify(value)}`)
  return ttl
}
