/**
 * The trivial request/response protocol behind the floor: an echo, either
 * over one long-lived stream with request ids (frames are length-prefixed
 * `[u32 id | payload]`, answered in any order) or over a new stream per
 * request (one length-prefixed message each way, then close).
 */
import { LengthPrefixedDecoder, lpStream } from '@libp2p/utils'
import * as varint from 'uint8-varint'
import { Uint8ArrayList } from 'uint8arraylist'
import type { Libp2p, PeerId, Stream } from '@libp2p/interface'

export const LONG = '/bench/floor/long/1.0.0'
export const SHORT = '/bench/floor/new/1.0.0'
const LIMITS = { maxInboundStreams: 1024, maxOutboundStreams: 1024 }

function lp (body: Uint8Array): Uint8ArrayList {
  return new Uint8ArrayList(varint.encode(body.byteLength), body)
}

function onFrames (stream: Stream, onFrame: (frame: Uint8Array) => void): void {
  const decoder = new LengthPrefixedDecoder()
  stream.addEventListener('message', evt => {
    for (const frame of decoder.decode(evt.data)) onFrame(frame.subarray())
  })
}

/** Serve both patterns: echo each frame back */
export async function serveFloor (node: Libp2p): Promise<void> {
  await node.handle(LONG, (stream) => {
    onFrames(stream, frame => { stream.send(lp(frame)) })
  }, LIMITS)
  await node.handle(SHORT, async (stream) => {
    const s = lpStream(stream)
    const request = await s.read()
    await s.write(request)
    await stream.close()
  }, LIMITS)
}

export interface FloorClient {
  call(payload: Uint8Array): Promise<Uint8Array>
  close(): Promise<void>
}

/** One long-lived stream; requests are matched to answers by id */
export async function longLivedClient (node: Libp2p, peer: PeerId): Promise<FloorClient> {
  const stream = await node.dialProtocol(peer, LONG, LIMITS)
  const pending = new Map<number, PromiseWithResolvers<Uint8Array>>()
  let nextId = 0
  onFrames(stream, frame => {
    const id = new DataView(frame.buffer, frame.byteOffset, 4).getUint32(0)
    pending.get(id)?.resolve(frame.subarray(4))
    pending.delete(id)
  })
  stream.addEventListener('close', () => {
    for (const p of pending.values()) p.reject(new Error('stream closed'))
    pending.clear()
  })
  return {
    async call (payload) {
      const id = nextId++ >>> 0
      const frame = new Uint8Array(4 + payload.byteLength)
      new DataView(frame.buffer).setUint32(0, id)
      frame.set(payload, 4)
      const p = Promise.withResolvers<Uint8Array>()
      pending.set(id, p)
      if (!stream.send(lp(frame))) await stream.onDrain()
      return p.promise
    },
    async close () { await stream.close() }
  }
}

/** A new stream (and protocol negotiation) per request, as kad-dht does */
export function newStreamClient (node: Libp2p, peer: PeerId): FloorClient {
  return {
    async call (payload) {
      const stream = await node.dialProtocol(peer, SHORT, LIMITS)
      const s = lpStream(stream)
      await s.write(payload)
      const answer = await s.read()
      await stream.close()
      return answer.subarray()
    },
    async close () {}
  }
}
