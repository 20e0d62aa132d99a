/**
 * An in-memory network carrying ChordRpc between RingPeers in virtual time:
 * every request and every reply is an event delayed by a latency drawn from
 * the seeded generator. A crashed peer answers nothing: its requests fail
 * after the request timeout, or at once as "connection refused".
 */
import type { Random } from './random.ts'
import type { Scheduler } from './scheduler.ts'
import type { Id } from '../src/ring/id.ts'
import type { ChordHandler, ChordRpc, NodeRef, StepResult } from '../src/ring/types.ts'

export interface NetworkOptions {
  /** one-way latency in ms, uniform in [min, max] */
  minLatency: number
  maxLatency: number
  /** how a request to a crashed peer ends */
  deadPeer: 'timeout' | 'refused'
  /** ms before a request to a silent peer fails */
  requestTimeout: number
}

export const defaultNetwork: NetworkOptions = { minLatency: 1, maxLatency: 50, deadPeer: 'timeout', requestTimeout: 500 }

export type Method = 'findSuccessorStep' | 'getPredecessor' | 'getSuccessorList' | 'notify' | 'ping' | 'leave'

export class SimNetwork {
  private readonly handlers = new Map<string, ChordHandler>()
  private readonly scheduler: Scheduler
  private readonly random: Random
  readonly options: NetworkOptions
  /** sees every request as its answer arrives (debugging) */
  trace: ((from: string, to: NodeRef, method: Method, answer: unknown) => void) | undefined
  /** requests sent, by method */
  readonly sent: Record<Method, number> = { findSuccessorStep: 0, getPredecessor: 0, getSuccessorList: 0, notify: 0, ping: 0, leave: 0 }

  constructor (scheduler: Scheduler, random: Random, options: Partial<NetworkOptions> = {}) {
    this.scheduler = scheduler
    this.random = random
    this.options = { ...defaultNetwork, ...options }
  }

  /** a peer comes up and answers requests */
  attach (peer: string, handler: ChordHandler): void {
    this.handlers.set(peer, handler)
  }

  /** a peer stops answering and sending, without a word */
  crash (peer: string): void {
    this.handlers.delete(peer)
  }

  isUp (peer: string): boolean {
    return this.handlers.has(peer)
  }

  /** the ChordRpc a peer sends through */
  endpoint (from: string): ChordRpc {
    return {
      findSuccessorStep: async (to: NodeRef, key: Id): Promise<StepResult> =>
        this.request(from, to, 'findSuccessorStep', h => h.findSuccessorStep(to.vnode, key)),
      getPredecessor: async (to: NodeRef) => this.request(from, to, 'getPredecessor', h => h.getPredecessor(to.vnode)),
      getSuccessorList: async (to: NodeRef) => this.request(from, to, 'getSuccessorList', h => h.getSuccessorList(to.vnode)),
      notify: async (to: NodeRef, node: NodeRef) => this.request(from, to, 'notify', async h => { await h.notify(to.vnode, node) }),
      ping: async (to: NodeRef) => this.request(from, to, 'ping', h => { h.ping(to.vnode) }),
      leave: async (to, leaving, predecessor, successors) =>
        this.request(from, to, 'leave', h => h.onLeave(to.vnode, leaving, predecessor, successors))
    }
  }

  private latency (): number {
    return this.random.int(this.options.minLatency, this.options.maxLatency)
  }

  private request<T> (from: string, to: NodeRef, method: Method, serve: (handler: ChordHandler) => T | Promise<T>): Promise<T> {
    // a crashed peer sends nothing, and whatever it was waiting for never comes
    if (!this.isUp(from)) return new Promise<T>(() => {})
    this.sent[method]++
    const sentAt = this.scheduler.now()
    const { promise, resolve, reject } = Promise.withResolvers<T>()
    // the answer travels back, and is lost if the asker crashed meanwhile
    const answer = (ok: boolean, value: unknown, delay = this.latency()): void => {
      this.scheduler.setTimeout(() => {
        if (!this.isUp(from)) return
        this.trace?.(from, to, method, value)
        if (ok) resolve(value as T)
        else reject(value)
      }, delay)
    }
    this.scheduler.setTimeout(() => {
      const handler = this.handlers.get(to.peer)
      if (handler === undefined) {
        if (this.options.deadPeer === 'refused') answer(false, new Error(`connection refused by ${to.peer}`))
        else answer(false, new Error(`request to ${to.peer} timed out`), sentAt + this.options.requestTimeout - this.scheduler.now())
        return
      }
      try {
        const value = serve(handler)
        if (value instanceof Promise) value.then(v => { answer(true, v) }, (err: unknown) => { answer(false, err) })
        else answer(true, value)
      } catch (err) {
        answer(false, err)
      }
    }, this.latency())
    return promise
  }
}
