/**
 * Virtual time: a discrete-event scheduler that implements the ring's Clock.
 * Time moves only when the queue is processed, jumping from one event time
 * to the next, so a minute of ring maintenance costs only the CPU of the
 * messages it sends.
 */
import { Heap } from './heap.ts'
import type { Clock } from '../src/util/clock.ts'

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

  /** whole virtual milliseconds, like Node's timers; same-time events run in the order they were set */
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
   * `deadline`. After each event every promise continuation it caused runs
   * before the next event, as Node drains microtasks between two timer or
   * socket callbacks: async code sees the virtual time and the interleavings
   * it would see on a real event loop.
   */
  async run (done: () => boolean = () => false, deadline = Infinity): Promise<void> {
    for (;;) {
      await drainMicrotasks()
      if (done()) return
      let event = this.queue.pop()
      while (event?.cancelled === true) event = this.queue.pop()
      if (event === undefined) break
      if (event.time > deadline) {
        this.queue.push(event)
        break
      }
      this.time = event.time
      this.processed++
      event.fn()
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
