/**
 * Length-prefixed Frame messages over a libp2p v3 stream, event-driven (no
 * async iteration per message) and with bounded frame sizes.
 */
import { LengthPrefixedDecoder } from '@libp2p/utils'
import { Uint8ArrayList } from 'uint8arraylist'
import * as varint from 'uint8-varint'
import { InvalidMessageError } from './errors.ts'
import { Frame } from './pb/rpc.ts'
import type { Stream } from '@libp2p/interface'

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
  /** length prefixes and frames waiting for the end of the tick */
  private queue: Uint8Array[] = []

  constructor (stream: Stream, init: FrameStreamInit) {
    this.stream = stream
    this.maxFrameSize = init.maxFrameSize
    const decoder = new LengthPrefixedDecoder({ maxDataLength: init.maxFrameSize, maxBufferSize: init.maxFrameSize + 10 })
    stream.addEventListener('message', (evt) => {
      try {
        for (const bytes of decoder.decode(evt.data)) {
          init.onFrame(Frame.decode(bytes, { limits: {} }))
        }
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
   * queued in the same tick go out as one write: under load that is one
   * muxer message, one noise frame and one syscall for many requests.
   */
  async write (frame: Frame): Promise<void> {
    const body = Frame.encode(frame)
    if (body.byteLength > this.maxFrameSize) {
      throw new InvalidMessageError(`frame of ${body.byteLength} bytes exceeds the ${this.maxFrameSize}-byte limit`)
    }
    while (this.drain !== undefined) await this.drain
    if (!this.open) throw new InvalidMessageError(`stream is ${this.stream.status}`)
    this.queue.push(varint.encode(body.byteLength), body)
    if (this.queue.length === 2) queueMicrotask(() => { this.flush() })
  }

  private flush (): void {
    if (this.queue.length === 0 || !this.open) {
      this.queue = []
      return
    }
    const data = new Uint8ArrayList(...this.queue)
    this.queue = []
    try {
      if (!this.stream.send(data)) {
        // shared by every writer; a closed stream ends it too, and the next write sees that
        this.drain = this.stream.onDrain().catch(() => {}).finally(() => { this.drain = undefined })
      }
    } catch (err) {
      // the stream closed under us: end it, so requests waiting on it fail now, not at their timeout
      this.stream.abort(err as Error)
    }
  }
}
