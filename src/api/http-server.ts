/**
 * The daemon's local HTTP API: node:http in front of the API handler, with
 * a bounded request body and, on a loopback address, a Host check so a web
 * page cannot reach the API through DNS rebinding.
 */
import { createServer } from 'node:http'
import { isIP } from 'node:net'
import { ApiError } from './errors.ts'
import { errorResponse } from './router.ts'
import type { ApiHandler, ApiResponse } from './router.ts'
import type { IncomingMessage, ServerResponse } from 'node:http'

export interface HttpApiInit {
  host: string
  /** 0 picks a free port */
  port: number
  handler: ApiHandler
  /** largest request body, bytes (the service's maxValueBytes) */
  maxBodyBytes: number
}

export interface HttpApi {
  /** e.g. http://127.0.0.1:5001 */
  readonly url: string
  readonly port: number
  close(): Promise<void>
}

/** past the limit, a body is read and dropped up to this much more so the client gets its 413 instead of a reset */
const DRAIN_BYTES = 64 * 1024 * 1024

export async function startHttpApi (init: HttpApiInit): Promise<HttpApi> {
  const loopback = isLoopback(init.host)
  const server = createServer((req, res) => {
    serve(req, res).catch((err: Error) => {
      // the handler answers every error itself; this is a failure to write the answer
      if (!res.headersSent) send(res, 'GET', errorResponse(new ApiError(500, 'ERR_INTERNAL', err.message)))
      else res.destroy(err)
    })
  })

  const serve = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const method = req.method ?? 'GET'
    if (loopback && !isLoopback(hostname(req.headers.host ?? ''))) {
      req.resume()
      send(res, method, errorResponse(new ApiError(403, 'ERR_FORBIDDEN_HOST', 'this API only answers requests addressed to a loopback host')))
      return
    }
    const declared = Number(req.headers['content-length'] ?? 0)
    const body = declared > init.maxBodyBytes + DRAIN_BYTES ? undefined : await readBody(req, init.maxBodyBytes)
    if (body === undefined) {
      res.setHeader('connection', 'close')
      send(res, method, errorResponse(new ApiError(413, 'ERR_RECORD_TOO_LARGE', `request body over the limit of ${init.maxBodyBytes} bytes`)))
      res.once('finish', () => { req.destroy() })
      return
    }
    send(res, method, await init.handler({ method, path: req.url ?? '/', body }))
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(init.port, init.host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  const address = server.address()
  const port = typeof address === 'object' && address !== null ? address.port : init.port
  const host = isIP(init.host) === 6 ? `[${init.host}]` : init.host
  return {
    url: `http://${host}:${port}`,
    port,
    close: async () => {
      server.closeAllConnections()
      await new Promise<void>(resolve => { server.close(() => { resolve() }) })
    }
  }
}

function send (res: ServerResponse, method: string, response: ApiResponse): void {
  res.writeHead(response.status, { ...response.headers, 'content-length': response.body.byteLength })
  res.end(method === 'HEAD' ? undefined : response.body)
}

/** The whole body, or undefined once it passes `max` bytes (the rest is drained, up to a bound) */
async function readBody (req: IncomingMessage, max: number): Promise<Uint8Array | undefined> {
  const chunks: Buffer[] = []
  let total = 0
  for await (const chunk of req as AsyncIterable<Buffer>) {
    total += chunk.byteLength
    if (total > max + DRAIN_BYTES) return undefined
    if (total <= max) chunks.push(chunk)
  }
  return total > max ? undefined : new Uint8Array(Buffer.concat(chunks, total))
}

function hostname (host: string): string {
  if (host.startsWith('[')) return host.slice(1, host.indexOf(']'))
  const colon = host.lastIndexOf(':')
  return colon < 0 ? host : host.slice(0, colon)
}

export function isLoopback (host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host)
}
