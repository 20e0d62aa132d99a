/**
 * The API over libp2p (/chord/api/1.0.0), for `chord --peer MULTIADDR`: the
 * client dials any peer and sends one API request per stream; that peer
 * runs it like an HTTP request — coordinating the operation through the
 * ring — and answers. The client never becomes a ring member, so asking a
 * question moves no data.
 *
 * Each message is a 4-byte big-endian length, a JSON header of that length,
 * then `bodyLength` raw bytes:
 *   request  { method, path, bodyLength }
 *   response { status, headers, bodyLength }
 * The body length comes first so an oversized body is answered with 413
 * (after draining it, as the HTTP server does) instead of a reset stream.
 */
import { byteStream } from '@libp2p/utils'
import { ApiError } from './errors.ts'
import { errorResponse } from './router.ts'
import type { ApiHandler, ApiRequest, ApiResponse } from './router.ts'
import type { Libp2p, Stream } from '@libp2p/interface'
import type { ByteStream } from '@libp2p/utils'
import type { Multiaddr } from '@multiformats/multiaddr'

export const API_PROTOCOL = '/chord/api/1.0.0'

const MAX_HEADER_BYTES = 64 * 1024
/** past the limit, a body is read and dropped up to this much more so the client gets its 413 */
const DRAIN_BYTES = 64 * 1024 * 1024
const CHUNK = 64 * 1024

export interface RemoteApiInit {
  handler: ApiHandler
  /** largest request body, bytes (the service's maxValueBytes) */
  maxBodyBytes: number
  /** ms a request may take, reading to answering */
  timeout: number
  /** API streams accepted at once per connection (default 16) */
  maxInboundStreams?: number
}

/** Answer API requests from other libp2p peers; returns a function that stops */
export async function serveRemoteApi (node: Pick<Libp2p, 'handle' | 'unhandle'>, init: RemoteApiInit): Promise<() => Promise<void>> {
  await node.handle(API_PROTOCOL, async (stream) => {
    const signal = AbortSignal.timeout(init.timeout)
    const bytes = byteStream(stream, { maxBufferSize: Math.max(4 * 1024 * 1024, init.maxBodyBytes + CHUNK) })
    let response: ApiResponse
    try {
      const header = parseRequestHeader(await readHeader(bytes, signal))
      if (header.bodyLength > init.maxBodyBytes) {
        if (header.bodyLength > init.maxBodyBytes + DRAIN_BYTES) throw new Error(`request body of ${header.bodyLength} bytes refused`)
        await drain(bytes, header.bodyLength, signal)
        response = errorResponse(new ApiError(413, 'ERR_RECORD_TOO_LARGE', `request body over the limit of ${init.maxBodyBytes} bytes`))
      } else {
        const body = header.bodyLength === 0 ? new Uint8Array(0) : (await bytes.read({ bytes: header.bodyLength, signal })).subarray()
        response = await init.handler({ method: header.method, path: header.path, body })
      }
    } catch (err) {
      if (!(err instanceof ApiError)) throw err // a broken stream: the handler's rejection aborts it
      response = errorResponse(err)
    }
    await writeMessage(bytes, { status: response.status, headers: response.headers }, response.body, signal)
    await stream.close({ signal })
  }, { maxInboundStreams: init.maxInboundStreams ?? 16, maxOutboundStreams: 16 })
  return async () => { await node.unhandle(API_PROTOCOL) }
}

export interface RemoteCallOptions {
  signal: AbortSignal
  /** largest response body accepted (default 64 MiB) */
  maxBodyBytes?: number
}

/** Send one API request to the peer at `target` */
export async function callRemoteApi (node: Pick<Libp2p, 'dialProtocol'>, target: Multiaddr | Multiaddr[], request: ApiRequest, options: RemoteCallOptions): Promise<ApiResponse> {
  const { signal } = options
  const stream: Stream = await node.dialProtocol(target, API_PROTOCOL, { signal })
  try {
    const bytes = byteStream(stream, { maxBufferSize: (options.maxBodyBytes ?? DRAIN_BYTES) + CHUNK })
    // read while writing: a peer refusing a large body answers before it has read all of it
    const writing = writeMessage(bytes, { method: request.method, path: request.path }, request.body, signal)
    const header = parseResponseHeader(await readHeader(bytes, signal), options.maxBodyBytes ?? DRAIN_BYTES)
    const body = header.bodyLength === 0 ? new Uint8Array(0) : (await bytes.read({ bytes: header.bodyLength, signal })).subarray()
    // the answer is in; a request body the peer stopped reading does not matter any more
    await writing.catch(() => {})
    await stream.close({ signal })
    return { status: header.status, headers: header.headers, body }
  } catch (err) {
    stream.abort(err instanceof Error ? err : new Error(String(err)))
    throw err
  }
}

async function writeMessage (bytes: ByteStream<Stream>, header: object, body: Uint8Array, signal: AbortSignal): Promise<void> {
  const json = new TextEncoder().encode(JSON.stringify({ ...header, bodyLength: body.byteLength }))
  const prefix = new Uint8Array(4)
  new DataView(prefix.buffer).setUint32(0, json.byteLength)
  await bytes.write(prefix, { signal })
  await bytes.write(json, { signal })
  if (body.byteLength > 0) await bytes.write(body, { signal })
}

async function readHeader (bytes: ByteStream<Stream>, signal: AbortSignal): Promise<unknown> {
  const prefix = (await bytes.read({ bytes: 4, signal })).subarray()
  const length = new DataView(prefix.buffer, prefix.byteOffset, 4).getUint32(0)
  if (length > MAX_HEADER_BYTES) throw new ApiError(400, 'ERR_BAD_REQUEST', `message header of ${length} bytes, over ${MAX_HEADER_BYTES}`)
  try {
    return JSON.parse(new TextDecoder().decode((await bytes.read({ bytes: length, signal })).subarray()))
  } catch (err) {
    if (err instanceof SyntaxError) throw new ApiError(400, 'ERR_BAD_REQUEST', `message header is not JSON: ${err.message}`)
    throw err
  }
}

async function drain (bytes: ByteStream<Stream>, length: number, signal: AbortSignal): Promise<void> {
  for (let left = length; left > 0; left -= CHUNK) await bytes.read({ bytes: Math.min(CHUNK, left), signal })
}

function parseRequestHeader (header: unknown): { method: string, path: string, bodyLength: number } {
  const { method, path, bodyLength } = (header ?? {}) as Record<string, unknown>
  if (typeof method !== 'string' || typeof path !== 'string' || !isLength(bodyLength)) {
    throw new ApiError(400, 'ERR_BAD_REQUEST', 'request header needs method, path and bodyLength')
  }
  return { method, path, bodyLength }
}

function parseResponseHeader (header: unknown, maxBodyBytes: number): { status: number, headers: Record<string, string>, bodyLength: number } {
  const { status, headers, bodyLength } = (header ?? {}) as Record<string, unknown>
  if (typeof status !== 'number' || typeof headers !== 'object' || headers === null || !isLength(bodyLength)) {
    throw new Error('malformed API response from the peer')
  }
  if (bodyLength > maxBodyBytes) throw new Error(`API response of ${bodyLength} bytes, over the limit of ${maxBodyBytes}`)
  return { status, headers: headers as Record<string, string>, bodyLength }
}

function isLength (n: unknown): n is number {
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0
}
