/**
 * How a client command reaches the API: a daemon's local HTTP API, or any
 * peer over libp2p (--peer), through a temporary libp2p node that is not a
 * ring member. libp2p is only loaded for --peer, so HTTP commands start fast.
 */
import { request } from 'node:http'
import { FailureError } from './usage.ts'
import type { ApiRequest, ApiResponse } from '../api/index.ts'
import type { HostPort } from './usage.ts'

export interface Transport {
  /** for error messages: what was asked */
  readonly target: string
  request(request: ApiRequest): Promise<ApiResponse>
  close(): Promise<void>
}

export function httpTransport ({ host, port }: HostPort, timeout: number): Transport {
  // node:http rather than fetch: fetch refuses some ports (e.g. 6000) outright
  const base = `http://${host.includes(':') ? `[${host}]` : host}:${port}`
  const unreachable = (why: string): FailureError =>
    new FailureError(`cannot reach the daemon API at ${base} (${why}); is "chord daemon" running? use --api HOST:PORT or --peer MULTIADDR`)
  return {
    target: base,
    request: async ({ method, path, body }) => new Promise<ApiResponse>((resolve, reject) => {
      const withBody = method === 'PUT' || method === 'POST'
      const req = request({ host, port, method, path, agent: false, headers: { 'content-length': withBody ? body.byteLength : 0 } }, res => {
        const chunks: Buffer[] = []
        res.on('data', (chunk: Buffer) => { chunks.push(chunk) })
        res.on('error', err => { reject(unreachable(err.message)) })
        res.on('end', () => {
          clearTimeout(timer)
          const headers = Object.fromEntries(Object.entries(res.headers).map(([k, v]) => [k, String(v)]))
          resolve({ status: res.statusCode ?? 500, headers, body: new Uint8Array(Buffer.concat(chunks)) })
        })
      })
      const timer = setTimeout(() => { req.destroy(new Error(`no answer within ${timeout} ms`)) }, timeout)
      req.on('error', (err: NodeJS.ErrnoException) => {
        clearTimeout(timer)
        reject(unreachable(err.code ?? err.message))
      })
      req.end(withBody ? body : undefined)
    }),
    close: async () => {}
  }
}

export async function peerTransport (addr: string, psk: Uint8Array | undefined, timeout: number): Promise<Transport> {
  const { startPeerClient } = await import('./peer-client.ts')
  return startPeerClient(addr, psk, timeout)
}
