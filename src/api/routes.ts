/**
 * The API's routes as a table: a method list and a path pattern (segments;
 * `:key` stands for one URL-decoded segment) to a handler. The table is
 * read in order by router.ts; the first pattern that matches serves.
 */
import { putBatch } from './batch.ts'
import { ApiError } from './errors.ts'
import { LOCAL_LIMITS, exportPage, localPage } from './export.ts'
import { lookupJson, ringJson } from './json.ts'
import { bounded, consistencyOf, flag, idOf, ttlOf } from './query.ts'
import { json } from './router.ts'
import { viewerAsset } from './viewer/index.ts'
import type { ApiContext, ApiResponse, HealthJson, RingWalkJson, StatsJson } from './router.ts'

/** What a handler gets: the matched request and the peer it runs on */
export interface RouteCall {
  ctx: ApiContext
  method: string
  /** the `:key` segment (never empty), or '' when the pattern has none */
  key: string
  query: URLSearchParams
  body: Uint8Array
  /** seconds since the API started */
  uptime(): number
}

export interface Route {
  /** segments of the path, e.g. ['keys', ':key', 'lookup']; [''] is / */
  path: string[]
  /** the methods served; absent: the handler takes any */
  methods?: string[]
  /** whether this peer serves the route at all (default yes) */
  when?(ctx: ApiContext): boolean
  handle(call: RouteCall): Promise<ApiResponse>
}

const encoder = new TextEncoder()
/** records and bytes asked of each replica per export page, unless the request says */
const PAGE = { records: 256, bytes: 1024 * 1024 }

async function health ({ ctx, uptime }: RouteCall): Promise<ApiResponse> {
  const joined = ctx.chord.joined
  const { writable, problem } = ctx.chord.storeStats()
  const status = !joined ? 'joining' : writable ? 'ok' : 'degraded'
  return json(joined ? 200 : 503, { status, peer: ctx.peer, joined, writable, problem, addrs: ctx.addrs(), uptime: uptime() } satisfies HealthJson)
}

async function ring ({ ctx, query }: RouteCall): Promise<ApiResponse> {
  ctx.traffic.request('ring')
  const state = ringJson(ctx.chord.getRingState(), ctx.chord.storeStats())
  if (!flag(query, 'peers') || ctx.walk === undefined) return json(200, state)
  return json(200, { ...state, peers: await ctx.walk() } satisfies RingWalkJson)
}

async function stats ({ ctx, query, uptime }: RouteCall): Promise<ApiResponse> {
  ctx.traffic.request('stats')
  const answer: StatsJson = { peer: ctx.peer, uptime: uptime(), store: ctx.chord.storeStats(), connections: ctx.connections(), traffic: ctx.traffic.toJSON() }
  if (ctx.metrics !== undefined) answer.network = await ctx.metrics.network()
  if (flag(query, 'peers') && ctx.walk !== undefined) answer.peers = (await ctx.walk()).map(p => ({ peer: p.peer, store: p.ring?.store, error: p.error }))
  return json(200, answer)
}

async function local ({ ctx, query }: RouteCall): Promise<ApiResponse> {
  const limit = bounded(query, 'limit', PAGE.records, LOCAL_LIMITS.records)
  const bytes = bounded(query, 'bytes', PAGE.bytes, LOCAL_LIMITS.bytes)
  return json(200, await localPage(ctx.chord, ctx.peer, idOf(query, 'after'), idOf(query, 'until'), limit, bytes, AbortSignal.timeout(ctx.timeout)))
}

async function exportRoute ({ ctx, query }: RouteCall): Promise<ApiResponse> {
  ctx.traffic.request('export')
  const page = await exportPage({
    chord: ctx.chord,
    limit: bounded(query, 'limit', PAGE.records, LOCAL_LIMITS.records),
    bytes: bounded(query, 'bytes', PAGE.bytes, LOCAL_LIMITS.bytes),
    signal: AbortSignal.timeout(ctx.timeout)
  }, query.has('after') ? idOf(query, 'after') : 0n)
  return json(200, page)
}

async function metrics ({ ctx }: RouteCall): Promise<ApiResponse> {
  const { contentType, body } = await ctx.metrics!.text()
  return { status: 200, headers: { 'content-type': contentType }, body: encoder.encode(body) }
}

async function batch ({ ctx, method, query, body }: RouteCall): Promise<ApiResponse> {
  if (method !== 'POST') throw missingKey()
  ctx.traffic.request('batch')
  return json(200, await putBatch(ctx.chord, body, { consistency: consistencyOf(query), ttl: ttlOf(query), signal: AbortSignal.timeout(ctx.timeout) }))
}

async function lookup ({ ctx, key }: RouteCall): Promise<ApiResponse> {
  ctx.traffic.request('lookup')
  return json(200, lookupJson(await ctx.chord.lookup(encoder.encode(key), { signal: AbortSignal.timeout(ctx.timeout) })))
}

async function keyValue ({ ctx, method, key, query, body }: RouteCall): Promise<ApiResponse> {
  const keyBytes = encoder.encode(key)
  const signal = AbortSignal.timeout(ctx.timeout)
  const consistency = consistencyOf(query)
  switch (method) {
    case 'PUT': {
      ctx.traffic.request('put')
      return json(200, { key, version: await ctx.chord.put(keyBytes, body, { signal, consistency, ttl: ttlOf(query) }) })
    }
    case 'DELETE': {
      ctx.traffic.request('delete')
      return json(200, { key, version: await ctx.chord.delete(keyBytes, { signal, consistency }) })
    }
    default: {
      ctx.traffic.request(method === 'HEAD' ? 'has' : 'get')
      const value = await ctx.chord.get(keyBytes, { signal, consistency })
      if (value === undefined) throw new ApiError(404, 'ERR_NOT_FOUND', `no value stored under ${JSON.stringify(key)}`)
      return { status: 200, headers: { 'content-type': 'application/octet-stream' }, body: method === 'HEAD' ? new Uint8Array(0) : value }
    }
  }
}

const asset = (name: string): Route => ({ path: [name], methods: ['GET', 'HEAD'], handle: async () => viewerAsset(name)! })

export function missingKey (): ApiError {
  return new ApiError(400, 'ERR_BAD_REQUEST', 'missing key: use /keys/<url-encoded key>')
}

export const ROUTES: readonly Route[] = [
  { path: ['health'], methods: ['GET'], handle: health },
  { path: ['ring'], methods: ['GET'], handle: ring },
  { path: ['stats'], methods: ['GET'], handle: stats },
  { path: ['local'], methods: ['GET'], handle: local },
  { path: ['export'], methods: ['GET'], handle: exportRoute },
  asset(''),
  asset('viewer'),
  asset('viewer.js'),
  { path: ['metrics'], methods: ['GET'], when: ctx => ctx.metrics !== undefined, handle: metrics },
  // POST /keys is a batch; any other method on /keys lacks the key
  { path: ['keys'], handle: batch },
  { path: ['keys', ':key', 'lookup'], methods: ['GET'], handle: lookup },
  { path: ['keys', ':key'], methods: ['GET', 'HEAD', 'PUT', 'DELETE'], handle: keyValue }
]
