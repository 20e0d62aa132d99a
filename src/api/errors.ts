/**
 * How failures of the service map to HTTP statuses: the caller's mistake
 * (400, 404, 413) or the ring's state (503: not joined, too few replicas
 * answered, the peer is leaving; 507: too few replicas had disk space), so
 * a client can tell "retry later" from "fix your request".
 */

/** An error the API answers with as is: status, stable code, message */
export class ApiError extends Error {
  readonly status: number
  readonly code: string
  constructor (status: number, code: string, message: string) {
    super(message)
    this.name = 'ApiError'
    this.status = status
    this.code = code
  }
}

/** error codes of the service (local or relayed from another peer) that mean "the ring cannot serve this now" */
const UNAVAILABLE = new Set([
  'ERR_NOT_JOINED',
  'ERR_QUORUM_NOT_REACHED',
  'ERR_LOOKUP_FAILED',
  'ERR_LEAVING',
  'ERR_RPC_TIMEOUT',
  'ERR_CHANNEL_CLOSED',
  'ERR_TOO_MANY_REQUESTS',
  'ERR_STORE_CLOSED',
  'ERR_STORAGE',
  'TimeoutError',
  'AbortError'
])

export function toApiError (err: unknown): ApiError {
  if (err instanceof ApiError) return err
  const message = err instanceof Error ? err.message : String(err)
  const code = codeOf(err)
  if (code === 'ERR_RECORD_TOO_LARGE') return new ApiError(413, code, message)
  if (code === 'ERR_INVALID_RECORD') return new ApiError(400, code, message)
  if (code === 'ERR_DISK_FULL') return new ApiError(507, code, message)
  if (UNAVAILABLE.has(code)) return new ApiError(503, code, message)
  return new ApiError(500, code, message)
}

function codeOf (err: unknown): string {
  if (typeof err === 'object' && err !== null) {
    const { code, name } = err as { code?: unknown, name?: unknown }
    if (typeof code === 'string') return code
    if (typeof name === 'string' && name !== 'Error') return name
  }
  return 'ERR_INTERNAL'
}
