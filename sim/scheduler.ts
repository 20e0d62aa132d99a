/**
 * Virtual time: a discrete-event scheduler that implements the ring's Clock.
 * Time moves only when the queue is processed, jumping from one event time
 * to the next, so a minute of ring maintenance costs only the CPU of the
 * messages it sends.
 */
import { Heap } from './heap.ts'
import type { Clock } from '../src/ring/types.ts'

interface Event {
  readonly time: number
  readonly seq: number
  readonly fn: () => void
  cancelled: boolean
}

/** let every queued promise continuation run: setImmediate fires after the microtask queue is empty */
const drainMicrotasks = async (): Promise<void> => { await new Promise<void>(resolve => { setImmediate(resolve) }) }

export class Scheduler implements Clock {
  private time = 0
  private seq = 0
  private readonly queue = new Heap<Event>((a, b) => a.time < b.time || (a.time === b.time && a.seq < b.seq))
  /** events run so far, for the report */
  processed = 0

  now (): number {
    return this.time
  }

  /** delays are whole virtual milliseconds, so events batch on the same tick */
  setTimeout (fn: () => void, ms: number): unknown {
    const event: Event = { time: this.time + Math.max(0, Math.ceil(ms)), seq: this.seq++, fn, cancelled: false }
    this.queue.push(event)
    return event
  }

  clearTimeout (handle: unknown): void {
    if (handle !== null && typeof handle === 'object') (handle as Event).cancelled = true
  }

  get pending (): number {
    return this.queue.size
  }

  /**
   * Run events in time order until `done()` holds or nothing is due by
   * `deadline`. All events of one tick run together, then every promise
   * continuation they caused runs before the clock moves on: async code
   * sees the same virtual time it would see on a real event loop.
   */
  async run (done: () => boolean = () => false, deadline = Infinity): Promise<void> {
    for (;;) {
      await drainMicrotasks()
      if (done()) return
      const first = this.queue.peek()
      if (first === undefined || first.time > deadline) break
      this.time = first.time
      while (this.queue.peek()?.time === this.time) {
        const event = this.queue.pop() as Event
        if (event.cancelled) continue
        this.processed++
        event.fn()
      }
    }
    if (deadline !== Infinity && deadline > this.time) this.time = deadline
  }

  /** advance the clock by `ms`, running everything due on the way */
  async advance (ms: number): Promise<void> {
    await this.run(() => false, this.time + ms)
  }

  /** run the simulation until `promise` settles; fails if the queue empties first */
  async settle<T> (promise: Promise<T>): Promise<T> {
    let settled = false
    const watched = promise.finally(() => { settled = true })
    watched.catch(() => {})
    await this.run(() => settled)
    if (!settled) throw new Error('simulation deadlock: no events left but the awaited work has not finished')
    return watched
  }
}
