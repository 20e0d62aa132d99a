/**
 * The API's routes, independent of how requests arrive: the HTTP server
 * (src/api/http-server.ts) and the libp2p protocol that `chord --peer` uses
 * (src/api/remote.ts) both hand requests to the same handler.
 *
 *   GET    /health                200 when this peer is a ring member, else 503
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
import { idFromHex } from '../ring/id.ts'
import { putBatch } from './batch.ts'
import { ApiError, toApiError } from './errors.ts'
import { LOCAL_LIMITS, exportPage, localPage } from './export.ts'
import { lookupJson, ringJson } from './json.ts'
import { viewerAsset } from './viewer/index.ts'
import type { LocalPageJson } from './export.ts'
import type { NodeJson, RingJson } from './json.ts'
import type { NetworkJson } from './network.ts'
import type { WalkedPeer } from './ring-walk.ts'
import type { Traffic, TrafficJson } from './traffic.ts'
import type { Chord, Consistency, Id, StoreStats } from '../index.ts'

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
  status: 'ok' | 'joining'
  peer: string
  joined: boolean
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
  /** GET `path` from another peer's API (over libp2p; this peer in process); rejects unless 200 */
  ask?(node: NodeJson, path: string, signal: AbortSignal): Promise<unknown>
  /** r: the replicas of a range asked during an export (default 3) */
  replicas?: number
  /** the node's metrics, when it collects them */
  metrics?: {
    network(): Promise<NetworkJson>
    /** Prometheus text exposition */
    text(): Promise<{ contentType: string, body: string }>
  }
}

const CONSISTENCY = new Set<string>(['ONE', 'QUORUM', 'ALL'])
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

  const route = async (method: string, segments: string[], query: URLSearchParams, body: Uint8Array): Promise<ApiResponse> => {
    const [first, key, sub, ...rest] = segments
    if (first === 'health' && segments.length === 1) {
      allow(method, ['GET'])
      const health: HealthJson = { status: ctx.chord.joined ? 'ok' : 'joining', peer: ctx.peer, joined: ctx.chord.joined, addrs: ctx.addrs(), uptime: uptime() }
      return json(ctx.chord.joined ? 200 : 503, health)
    }
    if (first === 'ring' && segments.length === 1) {
      allow(method, ['GET'])
      ctx.traffic.request('ring')
      const ring = ringJson(ctx.chord.getRingState(), ctx.chord.storeStats())
      if (!flag(query, 'peers') || ctx.walk === undefined) return json(200, ring)
      return json(200, { ...ring, peers: await ctx.walk() } satisfies RingWalkJson)
    }
    if (first === 'stats' && segments.length === 1) {
      allow(method, ['GET'])
      ctx.traffic.request('stats')
      const stats: StatsJson = { peer: ctx.peer, uptime: uptime(), store: ctx.chord.storeStats(), connections: ctx.connections(), traffic: ctx.traffic.toJSON() }
      if (ctx.metrics !== undefined) stats.network = await ctx.metrics.network()
      if (flag(query, 'peers') && ctx.walk !== undefined) stats.peers = (await ctx.walk()).map(p => ({ peer: p.peer, store: p.ring?.store, error: p.error }))
      return json(200, stats)
    }
    if (first === 'local' && segments.length === 1) {
      allow(method, ['GET'])
      const page = await localPage(ctx.chord, ctx.peer, idOf(query, 'after'), idOf(query, 'until'),
        bounded(query, 'limit', 256, LOCAL_LIMITS.records), bounded(query, 'bytes', 1024 * 1024, LOCAL_LIMITS.bytes), AbortSignal.timeout(ctx.timeout))
      return json(200, page)
    }
    if (first === 'export' && segments.length === 1 && ctx.ask !== undefined) {
      allow(method, ['GET'])
      ctx.traffic.request('export')
      const ask = ctx.ask
      const page = await exportPage({
        chord: ctx.chord,
        replicas: ctx.replicas ?? 3,
        ask: async (node, path, signal) => await ask(node, path, signal) as LocalPageJson,
        limit: bounded(query, 'limit', 256, LOCAL_LIMITS.records),
        bytes: bounded(query, 'bytes', 1024 * 1024, LOCAL_LIMITS.bytes),
        signal: AbortSignal.timeout(ctx.timeout)
      }, query.has('after') ? idOf(query, 'after') : 0n)
      return json(200, page)
    }
    const asset = segments.length === 1 ? viewerAsset(first) : undefined
    if (asset !== undefined) {
      allow(method, ['GET', 'HEAD'])
      return asset
    }
    if (first === 'metrics' && segments.length === 1 && ctx.metrics !== undefined) {
      allow(method, ['GET'])
      const { contentType, body } = await ctx.metrics.text()
      return { status: 200, headers: { 'content-type': contentType }, body: encoder.encode(body) }
    }
    if (first !== 'keys' || rest.length > 0 || (sub !== undefined && sub !== 'lookup')) {
      throw new ApiError(404, 'ERR_NO_ROUTE', `no such endpoint: ${method} /${segments.join('/')}`)
    }
    if (key === undefined && method === 'POST') {
      ctx.traffic.request('batch')
      return json(200, await putBatch(ctx.chord, body, { consistency: consistencyOf(query), ttl: ttlOf(query), signal: AbortSignal.timeout(ctx.timeout) }))
    }
    if (key === undefined || key === '') throw new ApiError(400, 'ERR_BAD_REQUEST', 'missing key: use /keys/<url-encoded key>')
    const keyBytes = encoder.encode(key)
    const signal = AbortSignal.timeout(ctx.timeout)
    if (sub === 'lookup') {
      allow(method, ['GET'])
      ctx.traffic.request('lookup')
      return json(200, lookupJson(await ctx.chord.lookup(keyBytes, { signal })))
    }
    allow(method, ['GET', 'HEAD', 'PUT', 'DELETE'])
    const consistency = consistencyOf(query)
    switch (method) {
      case 'PUT': {
        ctx.traffic.request('put')
        const version = await ctx.chord.put(keyBytes, body, { signal, consistency, ttl: ttlOf(query) })
        return json(200, { key, version })
      }
      case 'DELETE': {
        ctx.traffic.request('delete')
        const version = await ctx.chord.delete(keyBytes, { signal, consistency })
        return json(200, { key, version })
      }
      default: {
        ctx.traffic.request(method === 'HEAD' ? 'has' : 'get')
        const value = await ctx.chord.get(keyBytes, { signal, consistency })
        if (value === undefined) throw new ApiError(404, 'ERR_NOT_FOUND', `no value stored under ${JSON.stringify(key)}`)
        return { status: 200, headers: { 'content-type': 'application/octet-stream' }, body: method === 'HEAD' ? new Uint8Array(0) : value }
      }
    }
  }

  return async (request) => {
    try {
      const { segments, query } = parsePath(request.path)
      return await route(request.method.toUpperCase(), segments, query, request.body)
    } catch (err) {
      return errorResponse(toApiError(err), err instanceof MethodNotAllowed ? { allow: err.allowed.join(', ') } : {})
    }
  }
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

function flag (query: URLSearchParams, name: string): boolean {
  const value = query.get(name)
  return value !== null && value !== 'false' && value !== '0'
}

/** a ring position given as 64 hex digits */
function idOf (query: URLSearchParams, name: string): Id {
  const value = query.get(name)
  if (value === null || !/^[0-9a-fA-F]{64}$/.test(value)) throw new ApiError(400, 'ERR_BAD_REQUEST', `${name} must be a ring position of 64 hex digits, got ${JSON.stringify(value)}`)
  return idFromHex(value.toLowerCase())
}

function bounded (query: URLSearchParams, name: string, fallback: number, max: number): number {
  const value = query.get(name)
  if (value === null) return fallback
  const n = Number(value)
  if (!Number.isSafeInteger(n) || n < 1 || n > max) throw new ApiError(400, 'ERR_BAD_REQUEST', `${name} must be a whole number from 1 to ${max}, got ${JSON.stringify(value)}`)
  return n
}

function consistencyOf (query: URLSearchParams): Consistency | undefined {
  const value = query.get('consistency')
  if (value === null) return undefined
  const upper = value.toUpperCase()
  if (!CONSISTENCY.has(upper)) throw new ApiError(400, 'ERR_BAD_REQUEST', `consistency must be ONE, QUORUM or ALL, got ${JSON.stringify(value)}`)
  return upper as Consistency
}

function ttlOf (query: URLSearchParams): number | undefined {
  const value = query.get('ttl')
  if (value === null) return undefined
  const ttl = Number(value)
  if (!Number.isSafeInteger(ttl) || ttl <= 0) throw new ApiError(400, 'ERR_BAD_REQUEST', `ttl must be a positive number of milliseconds, got ${JSON.stringify(value)}`)
  return ttl
}
