/**
 * An in-memory network carrying ChordRpc between RingPeers in virtual time:
 * every request and every reply is an event delayed by a latency drawn from
 * the seeded generator. A crashed peer answers nothing: its requests fail
 * after the request timeout, or at once as "connection refused". A
 * partition splits the peers into groups that cannot reach each other: a
 * request across the cut fails like one to a crashed peer.
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

export type Method = 'findSuccessorStep' | 'getPredecessor' | 'getSuccessorList' | 'notify' | 'ping' | 'positions' | 'leave'

export class SimNetwork {
  private readonly handlers = new Map<string, ChordHandler>()
  private readonly scheduler: Scheduler
  private readonly random: Random
  readonly options: NetworkOptions
  /** sees every request as its answer arrives (debugging) */
  trace: ((from: string, to: NodeRef, method: Method, answer: unknown) => void) | undefined
  /** requests sent, by method */
  readonly sent: Record<Method, number> = { findSuccessorStep: 0, getPredecessor: 0, getSuccessorList: 0, notify: 0, ping: 0, positions: 0, leave: 0 }
  /** requests and answers lost at a partition's cut, by the method of the request */
  readonly cut: Record<Method, number> = { findSuccessorStep: 0, getPredecessor: 0, getSuccessorList: 0, notify: 0, ping: 0, positions: 0, leave: 0 }
  /** while partitioned: each named peer's group; peers named in no group share one more group */
  private groups: Map<string, number> | undefined

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

  /**
   * Split the network: peers in different groups cannot reach each other
   * (peers named in no group, e.g. ones created later, form one more group
   * together). Reachability is judged when a message arrives, so a request
   * or answer in flight when the cut comes is lost; one sent before a heal
   * that arrives after it is delivered. Replaces any earlier partition.
   */
  partition (groups: string[][]): void {
    const of = new Map<string, number>()
    groups.forEach((group, i) => {
      for (const peer of group) {
        if (of.has(peer)) throw new Error(`partition: peer ${peer} is in two groups`)
        of.set(peer, i)
      }
    })
    this.groups = of
  }

  /** every peer can reach every other again */
  heal (): void {
    this.groups = undefined
  }

  get partitioned (): boolean {
    return this.groups !== undefined
  }

  /** whether a message from one peer gets to the other (ignoring crashes) */
  reachable (from: string, to: string): boolean {
    if (this.groups === undefined) return true
    return (this.groups.get(from) ?? -1) === (this.groups.get(to) ?? -1)
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
      positions: async (to: NodeRef) => this.request(from, to, 'positions', h => h.getPositions()),
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
    // the asker's own failures: nothing travels, no cut to cross
    const fail = (err: Error, delay = this.latency()): void => { answer(false, err, delay, false) }
    const timedOut = (): void => { fail(new Error(`request to ${to.peer} timed out`), sentAt + this.options.requestTimeout - this.scheduler.now()) }
    // the answer travels back, and is lost if the asker crashed meanwhile; one
    // lost at a cut leaves the asker waiting until its request times out
    const answer = (ok: boolean, value: unknown, delay = this.latency(), travels = true): void => {
      this.scheduler.setTimeout(() => {
        if (!this.isUp(from)) return
        if (travels && !this.reachable(to.peer, from)) {
          this.cut[method]++
          timedOut()
          return
        }
        this.trace?.(from, to, method, value)
        if (ok) resolve(value as T)
        else reject(value)
      }, delay)
    }
    this.scheduler.setTimeout(() => {
      const handler = this.handlers.get(to.peer)
      const across = !this.reachable(from, to.peer)
      if (across) this.cut[method]++
      if (handler === undefined || across) {
        // an unreachable host and a crashed one look the same to the asker
        if (this.options.deadPeer === 'refused') fail(new Error(`connection refused by ${to.peer}`))
        else timedOut()
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
