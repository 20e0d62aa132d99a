/**
 * The asking side: one long-lived outbound stream per remote peer, shared by
 * all requests to it and matched by request id. This avoids a stream open
 * and protocol negotiation per request (about 0.5 ms each, measured), the
 * per-connection stream caps, and mplex's new-stream rate limit.
 */
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { onAbort } from './abort-listeners.ts'
import { ChannelClosedError, RemoteError, RpcTimeoutError, TooManyRequestsError } from './errors.ts'
import { FrameStream } from './frame-stream.ts'
import type { Connection, PeerId, Stream } from '@libp2p/interface'
import type { ConnectionManager } from '@libp2p/interface-internal'
import type { Multiaddr } from '@multiformats/multiaddr'
import type { Log } from '../util/log.ts'

export interface RpcClientInit {
  protocol: string
  connectionManager: ConnectionManager
  maxFrameSize: number
  /** outstanding requests per remote peer before new ones are refused */
  maxPendingPerPeer: number
  /** default time to wait for an answer, ms */
  requestTimeout: number
  /** time to dial and open the stream, ms */
  dialTimeout: number
  log: Log
  /** told of every call: method, round trip in seconds, success */
  onCall?(method: number, seconds: number, ok: boolean): void
  /** a request stream unused this long is closed, and its connection if no other stream is on it, ms (0 or absent: never) */
  idleTimeout?: number
}

export interface CallOptions {
  signal?: AbortSignal
  /** overrides the default request timeout, ms */
  timeout?: number
}

interface Pending {
  resolve(body: Uint8Array): void
  reject(err: Error): void
}

/** One remote peer's request stream */
class Channel {
  private readonly frames: FrameStream
  private readonly pending = new Map<number, Pending>()
  private nextId = 1
  private closed = false
  private readonly maxPending: number
  /** when the last request went out, ms (performance.now()) */
  lastUsed = performance.now()

  constructor (stream: Stream, maxFrameSize: number, maxPending: number) {
    this.maxPending = maxPending
    this.frames = new FrameStream(stream, {
      maxFrameSize,
      onFrame: frame => { if (frame.response) this.onResponse(frame.id, frame.body, frame.error, frame.errorCode) },
      onClose: err => { this.onClose(err) }
    })
  }

  get usable (): boolean {
    return !this.closed && this.frames.open
  }

  /** no request waiting and none sent for `ms` */
  idle (ms: number, now: number): boolean {
    return this.pending.size === 0 && now - this.lastUsed >= ms
  }

  private onResponse (id: number, body: Uint8Array, error: string | undefined, code: string | undefined): void {
    const pending = this.pending.get(id)
    if (pending === undefined) return // timed out or cancelled already
    this.pending.delete(id)
    if (error !== undefined) pending.reject(new RemoteError(error, code ?? 'ERR_REMOTE'))
    else pending.resolve(body)
  }

  private onClose (err?: Error): void {
    this.closed = true
    const reason = new ChannelClosedError(`stream closed${err !== undefined ? `: ${err.message}` : ''}`)
    for (const pending of this.pending.values()) pending.reject(reason)
    this.pending.clear()
  }

  async call (method: number, body: Uint8Array<ArrayBuffer>, timeout: number, signal?: AbortSignal): Promise<Uint8Array> {
    if (this.pending.size >= this.maxPending) {
      throw new TooManyRequestsError(`${this.pending.size} requests already waiting on this peer`)
    }
    const id = this.nextId
    this.lastUsed = performance.now()
    this.nextId = this.nextId >= 0xffffffff ? 1 : this.nextId + 1
    const { promise, resolve, reject } = Promise.withResolvers<Uint8Array>()
    // the stream may close, or the timer fire, while the write still waits for a drain:
    // the rejection is seen by the await below, or by nobody if the write fails first
    promise.catch(() => {})
    const timer = setTimeout(() => {
      this.pending.delete(id)
      reject(new RpcTimeoutError(`no answer to method ${method} within ${timeout} ms`))
    }, timeout)
    const cancel = signal === undefined
      ? undefined
      : onAbort(signal, () => {
        this.pending.delete(id)
        reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'))
      })
    this.pending.set(id, { resolve, reject })
    try {
      await this.frames.write({ id, response: false, method, body })
      return await promise
    } finally {
      clearTimeout(timer)
      cancel?.()
      this.pending.delete(id)
    }
  }

  close (): void {
    this.frames.stream.abort(new ChannelClosedError('client closing'))
  }

  get stream (): Stream {
    return this.frames.stream
  }
}

export class RpcClient {
  private readonly init: RpcClientInit
  private readonly channels = new Map<string, Promise<Channel>>()
  /** the open channels: found without awaiting `channels` on every request, and swept when idle */
  private readonly ready = new Map<string, Channel>()
  private readonly opening = new Set<AbortController>()
  private idleTimer: ReturnType<typeof setInterval> | undefined
  private stopped = false
  private protocol: string

  constructor (init: RpcClientInit) {
    this.init = init
    this.protocol = init.protocol
  }

  /** Send requests on `protocol` from now on; streams opened on another are closed */
  setProtocol (protocol: string): void {
    if (protocol === this.protocol) return
    this.protocol = protocol
    this.closeChannels()
  }

  /**
   * Send `body` to `method` at `peer` (a peer id string), dialling `addrs`
   * if not connected yet; resolves with the response body.
   */
  async call (peer: string, addrs: readonly string[], method: number, body: Uint8Array<ArrayBuffer>, options: CallOptions = {}): Promise<Uint8Array> {
    options.signal?.throwIfAborted()
    const started = performance.now()
    try {
      const channel = this.readyChannel(peer) ?? await this.channel(peer, addrs)
      const response = await channel.call(method, body, options.timeout ?? this.init.requestTimeout, options.signal)
      this.init.onCall?.(method, (performance.now() - started) / 1000, true)
      return response
    } catch (err) {
      this.init.onCall?.(method, (performance.now() - started) / 1000, false)
      throw err
    }
  }

  private readyChannel (peer: string): Channel | undefined {
    const channel = this.ready.get(peer)
    if (channel === undefined || channel.usable) return channel
    this.ready.delete(peer)
    return undefined
  }

  private async channel (peer: string, addrs: readonly string[]): Promise<Channel> {
    const existing = this.channels.get(peer)
    if (existing !== undefined) {
      const channel = await existing.catch(() => undefined)
      if (channel?.usable === true) return channel
      if (this.channels.get(peer) === existing) this.channels.delete(peer)
    }
    if (this.stopped) throw new ChannelClosedError('RPC client is stopped')
    const opening = this.openChannel(peer, addrs)
    this.channels.set(peer, opening)
    opening.then(channel => {
      if (this.channels.get(peer) === opening) this.ready.set(peer, channel)
    }, () => {
      if (this.channels.get(peer) === opening) this.channels.delete(peer)
    })
    return opening
  }

  private async openChannel (peer: string, addrs: readonly string[]): Promise<Channel> {
    const controller = new AbortController()
    this.opening.add(controller)
    const timer = setTimeout(() => { controller.abort(new RpcTimeoutError(`could not reach ${peer} within ${this.init.dialTimeout} ms`)) }, this.init.dialTimeout)
    try {
      const peerId = peerIdFromString(peer)
      const connection = await this.connect(peerId, addrs, controller.signal)
      const stream = await connection.newStream(this.protocol, { signal: controller.signal })
      return new Channel(stream, this.init.maxFrameSize, this.init.maxPendingPerPeer)
    } finally {
      clearTimeout(timer)
      this.opening.delete(controller)
    }
  }

  private async connect (peerId: PeerId, addrs: readonly string[], signal: AbortSignal): Promise<Connection> {
    const { connectionManager } = this.init
    const open = connectionManager.getConnections(peerId).find(c => c.status === 'open')
    if (open !== undefined) return open
    const targets: Multiaddr[] = []
    for (const addr of addrs) {
      try {
        const ma = multiaddr(addr)
        targets.push(ma.getComponents().some(c => c.name === 'p2p') ? ma : ma.encapsulate(`/p2p/${peerId.toString()}`))
      } catch {
        // a bad address from the network: skip it
      }
    }
    const connection = await connectionManager.openConnection(targets.length > 0 ? targets : peerId, { signal })
    if (!connection.remotePeer.equals(peerId)) {
      throw new ChannelClosedError(`dialled ${peerId.toString()} but reached ${connection.remotePeer.toString()}`)
    }
    return connection
  }

  /** Close every channel and cancel dials in progress */
  stop (): void {
    this.stopped = true
    clearInterval(this.idleTimer)
    this.idleTimer = undefined
    this.closeChannels()
  }

  /**
   * Close channels idle for idleTimeout, and a channel's connection when
   * nothing else is on it. Without this a peer stays connected to every
   * member it ever asked something, and libp2p pings each connection: idle
   * cost per peer grew with N. Connections the app or other services opened
   * are not ours to close.
   */
  private closeIdle (idleMs: number): void {
    const now = performance.now()
    for (const [peer, channel] of this.ready) {
      if (!channel.idle(idleMs, now)) continue
      this.ready.delete(peer)
      this.channels.delete(peer)
      const connection = this.init.connectionManager.getConnections(peerIdFromString(peer)).find(c => c.streams.includes(channel.stream))
      channel.close()
      // nothing else on it (the remote's own requests would be a stream of theirs): close it now
      if (connection !== undefined && connection.streams.every(s => s === channel.stream)) connection.close().catch(err => { connection.abort(err as Error) })
    }
  }

  private closeChannels (): void {
    for (const controller of this.opening) controller.abort(new ChannelClosedError('RPC client is stopped'))
    for (const opening of this.channels.values()) {
      opening.then(channel => { channel.close() }, () => {})
    }
    this.channels.clear()
    this.ready.clear()
  }

  start (): void {
    this.stopped = false
    const idleMs = this.init.idleTimeout ?? 0
    if (idleMs > 0 && this.idleTimer === undefined) {
      this.idleTimer = setInterval(() => { this.closeIdle(idleMs) }, idleMs / 2)
      // in Node the sweep must not keep a process alive; browsers have no unref
      const timer = this.idleTimer as { unref?: () => void }
      timer.unref?.()
    }
  }
}
