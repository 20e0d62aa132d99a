import type { Clock } from './clock.ts'

/**
 * Runs `task` every `interval` ms on a Clock, never overlapping itself;
 * `runSoon()` pulls the next run forward (e.g. after a neighbour leaves).
 */
export class Periodic {
  private readonly task: () => Promise<void>
  private readonly interval: number
  private readonly clock: Clock
  private handle: unknown
  private running = false
  private rerun = false
  private stopped = true

  constructor (task: () => Promise<void>, interval: number, clock: Clock) {
    this.task = task
    this.interval = interval
    this.clock = clock
  }

  start (delay = this.interval): void {
    this.stopped = false
    this.schedule(delay)
  }

  stop (): void {
    this.stopped = true
    if (this.handle !== undefined) this.clock.clearTimeout(this.handle)
    this.handle = undefined
  }

  runSoon (): void {
    if (this.stopped) return
    if (this.running) {
      this.rerun = true
      return
    }
    this.schedule(0)
  }

  private schedule (delay: number): void {
    if (this.handle !== undefined) this.clock.clearTimeout(this.handle)
    this.handle = this.clock.setTimeout(() => { void this.run() }, delay)
  }

  private async run (): Promise<void> {
    this.handle = undefined
    if (this.stopped) return
    this.running = true
    try {
      await this.task()
    } catch {
      // tasks log their own failures; the schedule must survive them
    } finally {
      this.running = false
    }
    if (this.stopped) return
    this.schedule(this.rerun ? 0 : this.interval)
    this.rerun = false
  }
}
