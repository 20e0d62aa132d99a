/**
 * The physical reference for handoff: the bytes per second one libp2p
 * stream carries between two peers of one process, on the stack the rings
 * use (TCP on 127.0.0.1, noise, the bench's muxer). The sender writes
 * CHUNK-sized messages as fast as the stream drains; the receiver counts
 * bytes and answers once it has them all. Measured from the first write to
 * that answer.
 */
import { createBareNode } from './bare-node.ts'
import type { Muxer } from './types.ts'

const PROTOCOL = '/bench/raw-stream/1.0.0'
/** bytes per send: the size of a handoff batch's frame is of this order */
const CHUNK = 64 * 1024

export interface RawStreamResult {
  bytes: number
  ms: number
  mbPerSec: number
}

export async function measureRawStream (muxer: Muxer, bytes: number): Promise<RawStreamResult> {
  const server = await createBareNode(muxer, {})
  const client = await createBareNode(muxer, {})
  try {
    await server.handle(PROTOCOL, (stream) => {
      let received = 0
      stream.addEventListener('message', evt => {
        received += evt.data.byteLength
        if (received >= bytes) {
          stream.send(new Uint8Array([1]))
          void stream.close().catch(() => {})
        }
      })
    })
    await client.dial(server.getMultiaddrs()[0])
    const stream = await client.dialProtocol(server.peerId, PROTOCOL)
    const done = new Promise<void>((resolve, reject) => {
      stream.addEventListener('message', () => { resolve() })
      stream.addEventListener('close', evt => { reject(evt.error ?? new Error('raw stream closed before the answer')) })
    })
    const chunk = new Uint8Array(CHUNK).fill(7)
    const t0 = performance.now()
    for (let sent = 0; sent < bytes; sent += CHUNK) {
      const part = bytes - sent < CHUNK ? chunk.subarray(0, bytes - sent) : chunk
      if (!stream.send(part)) await stream.onDrain()
    }
    await done
    const ms = performance.now() - t0
    await stream.close().catch(() => {})
    return { bytes, ms, mbPerSec: bytes / 1e6 / ms * 1000 }
  } finally {
    await Promise.all([client.stop(), server.stop()])
  }
}
