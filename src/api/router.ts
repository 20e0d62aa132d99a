/**
 * The API's routes, independent of how requests arrive: the HTTP server
 * (src/api/http-server.ts) and the libp2p protocol that `chord --peer` uses
 * (src/api/remote.ts) both hand requests to the same handler.
 *
 *   GET    /health                200 when this peer is a ring member (status "degraded" while
 *                                 its disk refuses writes), else 503
 *   PUT    /keys/:key             body = the value's bytes; ?ttl=MS&consistency=ONE|QUORUM|ALL
 *   GET    /keys/:key             the value's bytes; 404 when absent
 *   HEAD   /keys/:key             200 or 404, no body
 *   DELETE /keys/:key             writes a tombstone
 *   GET    /keys/:key/lookup      owner, replica set and what each replica holds
 *   GET    /ring                  this peer's positions, neighbours, fingers, keys held
 *   GET    /stats[?peers=true]    store use and traffic; with peers, every peer's store
 *   GET    /metrics               Prometheus text, when the node collects metrics
 *   GET    /ring?peers=true       …and every peer found by walking the ring, with its /ring
 *   POST   /keys                  many puts: JSON lines (lines.ts); ?ttl=MS&consistency=…
 *   GET    /export[?after=ID]     one page of every key of the ring, in ring order (export.ts)
 *   GET    /local?after=ID&until=ID  the records this peer holds in (after, until], for /export
 *   GET    /, /viewer, /viewer.js the ring viewer (viewer/)
 */
import { ApiError, toApiError } from './errors.ts'
import { ROUTES, missingKey } from './routes.ts'
import type { Route } from './routes.ts'
import type { RingJson } from './json.ts'
import type { NetworkJson } from './network.ts'
import type { WalkedPeer } from './ring-walk.ts'
import type { Traffic, TrafficJson } from './traffic.ts'
import type { Chord, StoreStats } from '../index.ts'

export interface ApiRequest {
  method: string
  /** path and query, e.g. /keys/a%20b?ttl=1000 */
  path: string
  body: Uint8Array
}

export interface ApiResponse {
  status: number
  headers: Record<string, string>
  body: Uint8Array
}

export type ApiHandler = (request: ApiRequest) => Promise<ApiResponse>

export interface HealthJson {
  /** degraded: a member that serves reads and lookups but cannot store writes (a full or failing disk) */
  status: 'ok' | 'degraded' | 'joining'
  peer: string
  joined: boolean
  /** the datastore takes writes */
  writable: boolean
  /** why it does not, while it does not */
  problem?: string
  addrs: string[]
  /** seconds since the API started */
  uptime: number
}

export interface PeerStatsJson {
  peer: string
  store?: StoreStats
  error?: string
}

export interface StatsJson {
  peer: string
  uptime: number
  store: StoreStats
  /** open libp2p connections */
  connections: number
  traffic: TrafficJson
  /** bytes and requests on the wire, when the node collects metrics */
  network?: NetworkJson
  /** every peer found by walking the ring (with ?peers=true) */
  peers?: PeerStatsJson[]
}

/** GET /ring?peers=true: this peer's ring, and every peer found by walking it */
export interface RingWalkJson extends RingJson {
  peers: WalkedPeer[]
}

export interface ErrorJson {
  error: string
  code: string
}

export interface ApiContext {
  chord: Chord
  peer: string
  addrs(): string[]
  connections(): number
  traffic: Traffic
  /** ms one key operation may take before the API gives up with 503 */
  timeout: number
  /** walk the ring, asking every peer found for its /ring */
  walk?(): Promise<WalkedPeer[]>
  /** the node's metrics, when it collects them */
  metrics?: {
    network(): Promise<NetworkJson>
    /** Prometheus text exposition */
    text(): Promise<{ contentType: string, body: string }>
  }
}

const encoder = new TextEncoder()

export function json (status: number, value: unknown): ApiResponse {
  return { status, headers: { 'content-type': 'application/json' }, body: encoder.encode(JSON.stringify(value) + '\n') }
}

export function errorResponse (err: ApiError, headers: Record<string, string> = {}): ApiResponse {
  const response = json(err.status, { error: err.message, code: err.code } satisfies ErrorJson)
  Object.assign(response.headers, headers)
  return response
}

export function createApiHandler (ctx: ApiContext): ApiHandler {
  const started = Date.now()
  const uptime = (): number => Math.round((Date.now() - started) / 1000)
  const routes = ROUTES.filter(r => r.when?.(ctx) ?? true)
  return async (request) => {
    try {
      const { segments, query } = parsePath(request.path)
      const method = request.method.toUpperCase()
      const found = match(routes, segments)
      if (found === undefined) throw new ApiError(404, 'ERR_NO_ROUTE', `no such endpoint: ${method} /${segments.join('/')}`)
      if (found.route.methods !== undefined) allow(method, found.route.methods)
      return await found.route.handle({ ctx, method, key: found.key, query, body: request.body, uptime })
    } catch (err) {
      return errorResponse(toApiError(err), err instanceof MethodNotAllowed ? { allow: err.allowed.join(', ') } : {})
    }
  }
}

/** The first route whose pattern fits the segments, and its `:key` (an empty key is a 400, whatever the method) */
function match (routes: readonly Route[], segments: string[]): { route: Route, key: string } | undefined {
  for (const route of routes) {
    if (route.path.length !== segments.length) continue
    let key = ''
    const fits = route.path.every((part, i) => {
      if (part !== ':key') return part === segments[i]
      key = segments[i]
      return true
    })
    if (!fits) continue
    if (route.path.includes(':key') && key === '') throw missingKey()
    return { route, key }
  }
  return undefined
}

class MethodNotAllowed extends ApiError {
  readonly allowed: string[]
  constructor (method: string, allowed: string[]) {
    super(405, 'ERR_METHOD_NOT_ALLOWED', `${method} is not allowed here; use ${allowed.join(', ')}`)
    this.allowed = allowed
  }
}

function allow (method: string, allowed: string[]): void {
  if (!allowed.includes(method)) throw new MethodNotAllowed(method, allowed)
}

/** Split /a/b%2Fc?x=1 into decoded segments and the query; no URL base, so //x cannot become a host */
function parsePath (path: string): { segments: string[], query: URLSearchParams } {
  if (!path.startsWith('/')) throw new ApiError(400, 'ERR_BAD_REQUEST', `bad request path ${JSON.stringify(path)}`)
  const q = path.indexOf('?')
  const pathname = q < 0 ? path : path.slice(0, q)
  const segments = pathname.slice(1).split('/').map(s => {
    try {
      return decodeURIComponent(s)
    } catch {
      throw new ApiError(400, 'ERR_BAD_REQUEST', `bad percent-encoding in ${JSON.stringify(s)}`)
    }
  })
  // a trailing slash names the same resource
  if (segments.length > 1 && segments.at(-1) === '') segments.pop()
  return { segments, query: new URLSearchParams(q < 0 ? '' : path.slice(q + 1)) }
}
