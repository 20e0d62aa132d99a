/**
 * Length-prefixed Frame messages over a libp2p v3 stream, event-driven (no
 * async iteration per message) and with bounded frame sizes. Frames written
 * in the same tick leave as one contiguous buffer: one muxer message, one
 * noise message and a few socket writes for all of them (a list of chunks
 * would cost a cipher update and a socket write per chunk further down).
 */
import { allocUnsafe } from 'uint8arrays/alloc'
import * as varint from 'uint8-varint'
import { InvalidMessageError } from './errors.ts'
import { FrameDecoder } from './frame-decoder.ts'
import { Frame } from './pb/rpc.ts'
import type { Stream } from '@libp2p/interface'

/** a tick's frames are sent in buffers of about this size (one noise message holds 64 KiB) */
const BATCH_BYTES = 60 * 1024

export interface FrameStreamInit {
  maxFrameSize: number
  onFrame(frame: Frame): void
  /** called once when the stream is finished, with the reason if it failed */
  onClose(err?: Error): void
}

export class FrameStream {
  readonly stream: Stream
  private readonly maxFrameSize: number
  private drain: Promise<void> | undefined
  /** encoded frames waiting for the end of the tick */
  private queue: Uint8Array[] = []
  /** frames and stream.send calls so far (how well frames coalesce) */
  framesWritten = 0
  sends = 0

  constructor (stream: Stream, init: FrameStreamInit) {
    this.stream = stream
    this.maxFrameSize = init.maxFrameSize
    const decoder = new FrameDecoder(init.maxFrameSize)
    const onBytes = (bytes: Uint8Array): void => { init.onFrame(Frame.decode(bytes, { limits: {} })) }
    stream.addEventListener('message', (evt) => {
      try {
        decoder.push(evt.data, onBytes)
      } catch (err) {
        stream.abort(new InvalidMessageError(`bad frame: ${(err as Error).message}`))
      }
    })
    stream.addEventListener('close', (evt) => { init.onClose(evt.error) }, { once: true })
    stream.addEventListener('remoteCloseWrite', () => {
      // the remote will send nothing more; finish our half too
      stream.close().catch(err => { stream.abort(err) })
    }, { once: true })
  }

  /** we can still write: a stream half-closed by either side counts as finished */
  get open (): boolean {
    return this.stream.status === 'open' && this.stream.writeStatus === 'writable'
  }

  /**
   * Queue a frame, waiting first if the stream asked us to slow down. Frames
   * queued in the same tick go out together (see pack).
   */
  async write (frame: Frame): Promise<void> {
    const body = Frame.encode(frame)
    if (body.byteLength > this.maxFrameSize) {
      throw new InvalidMessageError(`frame of ${body.byteLength} bytes exceeds the ${this.maxFrameSize}-byte limit`)
    }
    while (this.drain !== undefined) await this.drain
    if (!this.open) throw new InvalidMessageError(`stream is ${this.stream.status}`)
    this.queue.push(body)
    if (this.queue.length === 1) queueMicrotask(() => { this.flush() })
  }

  private flush (): void {
    const queue = this.queue
    this.queue = []
    if (queue.length === 0 || !this.open) return
    this.framesWritten += queue.length
    try {
      let full = false
      for (let i = 0; i < queue.length;) {
        const [buffer, next] = pack(queue, i)
        i = next
        this.sends++
        if (!this.stream.send(buffer)) full = true
      }
      if (full) {
        // shared by every writer; a closed stream ends it too, and the next write sees that
        this.drain = this.stream.onDrain().catch(() => {}).finally(() => { this.drain = undefined })
      }
    } catch (err) {
      // the stream closed under us: end it, so requests waiting on it fail now, not at their timeout
      this.stream.abort(err as Error)
    }
  }
}

/** frames from `queue[from]` on, each after its length, in one buffer of about BATCH_BYTES at most; and the index after the last */
function pack (queue: Uint8Array[], from: number): [Uint8Array, number] {
  let size = 0
  let to = from
  while (to < queue.length) {
    const bytes = varint.encodingLength(queue[to].byteLength) + queue[to].byteLength
    if (to > from && size + bytes > BATCH_BYTES) break
    size += bytes
    to++
  }
  const buffer = allocUnsafe(size)
  let offset = 0
  for (let i = from; i < to; i++) {
    const frame = queue[i]
    varint.encode(frame.byteLength, buffer, offset)
    offset += varint.encodingLength(frame.byteLength)
    buffer.set(frame, offset)
    offset += frame.byteLength
  }
  return [buffer, to]
}
