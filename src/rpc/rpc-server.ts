/**
 * The answering side: reads request frames from an inbound stream, runs the
 * registered method, writes the response with the request's id. Requests on
 * one stream run concurrently up to a bound; past it they are refused.
 */
import { TooManyRequestsError, errorCode } from './errors.ts'
import { FrameStream } from './frame-stream.ts'
import type { Connection, PeerId, Stream } from '@libp2p/interface'
import type { Log } from '../util/log.ts'

export type MethodHandler = (body: Uint8Array, from: PeerId) => Uint8Array<ArrayBuffer> | Promise<Uint8Array<ArrayBuffer>>

export interface RpcServerInit {
  maxFrameSize: number
  /** concurrent requests served per inbound stream */
  maxInFlightPerStream: number
  log: Log
  /** told of every request answered */
  onServe?(): void
}

export class RpcServer {
  private readonly methods = new Map<number, MethodHandler>()
  private readonly init: RpcServerInit
  private readonly streams = new Set<Stream>()

  constructor (init: RpcServerInit) {
    this.init = init
  }

  register (method: number, handler: MethodHandler): void {
    this.methods.set(method, handler)
  }

  /**
   * A server answering only `methods`, with the handlers registered here
   * (for a protocol that offers part of this one: what clients may ask)
   */
  subset (methods: readonly number[]): RpcServer {
    const server = new RpcServer(this.init)
    for (const method of methods) {
      const handler = this.methods.get(method)
      if (handler === undefined) throw new RangeError(`method ${method} is not registered`)
      server.register(method, handler)
    }
    return server
  }

  /** The libp2p stream handler for the protocol */
  handleStream (stream: Stream, connection: Connection): void {
    const from = connection.remotePeer
    let inFlight = 0
    this.streams.add(stream)
    const frames: FrameStream = new FrameStream(stream, {
      maxFrameSize: this.init.maxFrameSize,
      onClose: () => { this.streams.delete(stream) },
      onFrame: (frame) => {
        if (frame.response) return // a response on a request stream: not ours to answer
        const reply = async (body: Uint8Array<ArrayBuffer>, error?: string, code?: string): Promise<void> =>
          frames.write({ id: frame.id, response: true, method: frame.method, body, error, errorCode: code })
            .catch(err => { this.init.log('could not answer %p: %s', from, (err as Error).message) })
        const handler = this.methods.get(frame.method)
        if (handler === undefined) {
          void reply(new Uint8Array(0), `unknown method ${frame.method}`, 'ERR_UNKNOWN_METHOD')
          return
        }
        if (inFlight >= this.init.maxInFlightPerStream) {
          void reply(new Uint8Array(0), `more than ${this.init.maxInFlightPerStream} requests in flight`, TooManyRequestsError.code)
          return
        }
        inFlight++
        this.init.onServe?.()
        // a request counts until its answer is queued, even one answered at once
        const release = (): void => { inFlight-- }
        const done = (body: Uint8Array<ArrayBuffer>): void => { void reply(body).then(release) }
        const failed = (err: unknown): void => {
          void reply(new Uint8Array(0), err instanceof Error ? err.message : String(err), errorCode(err)).then(release)
        }
        // no promise chain per request: most answers are ready now or after one await
        try {
          const answer = handler(frame.body, from)
          if (answer instanceof Promise) answer.then(done, failed)
          else done(answer)
        } catch (err) {
          failed(err)
        }
      }
    })
  }

  /** Abort every inbound stream (on stop) */
  close (): void {
    for (const stream of this.streams) stream.abort(new Error('node stopping'))
    this.streams.clear()
  }
}
