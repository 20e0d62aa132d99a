/**
 * The API of a running peer: one handler (router.ts) served over local HTTP
 * and over libp2p (/chord/api/1.0.0, for clients that dial the peer).
 */
import { multiaddr } from '@multiformats/multiaddr'
import { startHttpApi } from './http-server.ts'
import { ringJson } from './json.ts'
import { networkFigures } from './network.ts'
import { callRemoteApi, serveRemoteApi } from './remote.ts'
import { shared, walkRing } from './ring-walk.ts'
import { createApiHandler } from './router.ts'
import { Traffic } from './traffic.ts'
import type { HttpApi } from './http-server.ts'
import type { NodeJson, RingJson } from './json.ts'
import type { WalkedPeer } from './ring-walk.ts'
import type { ApiContext, ApiHandler } from './router.ts'
import type { Chord } from '../index.ts'
import type { Libp2p } from '@libp2p/interface'
import type { Registry } from 'prom-client'

export { API_PROTOCOL, callRemoteApi } from './remote.ts'
export { isLoopback } from './http-server.ts'
export type { ApiRequest, ApiResponse, ErrorJson, HealthJson, StatsJson, PeerStatsJson, RingWalkJson } from './router.ts'
export type { LookupJson, NodeJson, RingJson } from './json.ts'
export type { WalkedPeer } from './ring-walk.ts'
export type { BatchJson } from './batch.ts'
export type { ExportPageJson, LocalPageJson } from './export.ts'
export type { Entry, RecordLine } from './lines.ts'
export type { TrafficJson } from './traffic.ts'
export type { NetworkJson } from './network.ts'
export type { HttpApi }

export interface ApiInit {
  /** serve HTTP here; absent: libp2p only */
  http?: { host: string, port: number }
  /** serve /chord/api/1.0.0 to other libp2p peers (default true) */
  remote?: boolean
  /** ms one request may take (default 30000) */
  timeout?: number
  /** the registry given to createChordNode as metricsRegistry: adds GET /metrics and network figures to /stats */
  metrics?: Registry
}

/** a ring walk is reused this long, ms: viewers poll every second */
const WALK_MAX_AGE = 500

export interface RunningApi {
  readonly http: HttpApi | undefined
  readonly handler: ApiHandler
  stop(): Promise<void>
}

/**
 * Serve the API of `node`'s chord service. What the service already knows
 * (its replication factor, its largest value) is read from it, not passed.
 */
export async function startApi (node: Libp2p<{ chord: Chord }>, init: ApiInit = {}): Promise<RunningApi> {
  const chord = node.services.chord
  const timeout = init.timeout ?? 30_000
  // a request body is one value (PUT) or a batch of lines; both are held to the service's largest value
  const maxBodyBytes = chord.limits.maxValueBytes
  const handler: ApiHandler = createApiHandler({
    chord,
    peer: node.peerId.toString(),
    addrs: () => node.getMultiaddrs().map(a => a.toString()),
    connections: () => node.getConnections().length,
    traffic: new Traffic(chord),
    timeout,
    walk: ringWalk(node, () => handler, timeout),
    metrics: init.metrics === undefined ? undefined : metricsOf(init.metrics)
  })
  const stopRemote = init.remote === false ? undefined : await serveRemoteApi(node, { handler, maxBodyBytes, timeout: timeout + 5000 })
  let http: HttpApi | undefined
  try {
    http = init.http === undefined ? undefined : await startHttpApi({ ...init.http, handler, maxBodyBytes })
  } catch (err) {
    await stopRemote?.()
    throw err
  }
  return {
    http,
    handler,
    stop: async () => {
      await http?.close()
      await stopRemote?.()
    }
  }
}

/** Walk the ring, asking each peer found for its GET /ring (this peer in process) */
function ringWalk (node: Libp2p<{ chord: Chord }>, handler: () => ApiHandler, timeout: number): () => Promise<WalkedPeer[]> {
  const chord = node.services.chord
  const self = node.peerId.toString()
  const askRing = async (peer: NodeJson, signal: AbortSignal): Promise<RingJson> => {
    const request = { method: 'GET', path: '/ring', body: new Uint8Array(0) }
    const targets = peer.addrs.map(a => multiaddr(a.includes('/p2p/') ? a : `${a}/p2p/${peer.peer}`))
    const response = peer.peer === self ? await handler()(request) : await callRemoteApi(node, targets, request, { signal })
    const text = new TextDecoder().decode(response.body)
    if (response.status !== 200) throw new Error(`answered ${response.status}: ${errorText(text)}`)
    return JSON.parse(text) as RingJson
  }
  return shared(async () => walkRing(ringJson(chord.getRingState(), chord.storeStats()), askRing, { signal: AbortSignal.timeout(timeout) }), WALK_MAX_AGE)
}

function metricsOf (registry: Registry): ApiContext['metrics'] {
  return {
    network: async () => networkFigures(registry),
    text: async () => ({ contentType: registry.contentType, body: await registry.metrics() })
  }
}

function errorText (body: string): string {
  try {
    return (JSON.parse(body) as { error?: string }).error ?? body
  } catch {
    return body
  }
}
