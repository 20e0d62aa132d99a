/**
 * The hybrid clock's high-water mark on disk, so that versions this peer
 * issues after a restart are above every version it issued before, even
 * when its wall clock stepped back in between.
 *
 * As HLC implementations commonly do, the mark is a bound written ahead: a
 * reading is handed out only below a wall time already stored durably
 * (`reserved`), and the bound moves `window` ms ahead of the clock when a
 * reading reaches it. That costs one datastore write per `window` of
 * activity, not one per version. After a restart the clock starts at the
 * stored bound. `window` stays well below the drift other peers accept
 * (HybridClockInit.maxDrift), so a restarted peer's versions are not
 * refused as running ahead.
 */
import { InvalidRecordError } from './errors.ts'
import { CLOCK_MARK, metaKey } from './meta-keys.ts'
import type { HybridClock, Timestamp } from './hlc.ts'
import type { AbortOptions } from '@libp2p/interface'

export interface MarkStore {
  getMeta(name: string, options?: AbortOptions): Promise<Uint8Array | undefined>
  putMeta(name: string, value: Uint8Array, options?: AbortOptions): Promise<void>
}

export interface ClockMarkInit {
  hlc: HybridClock
  store: MarkStore
  /** how far ahead of the clock the bound is written, in ms (default 10 s) */
  window?: number
}

export class ClockMark {
  private readonly hlc: HybridClock
  private readonly store: MarkStore
  private readonly window: number
  /** readings are handed out only with a wall time below this, stored durably */
  private reserved = -Infinity
  /** the highest bound asked for */
  private wanted = -Infinity
  private loading: Promise<void> | undefined
  private writing: Promise<void> | undefined

  constructor (init: ClockMarkInit) {
    this.hlc = init.hlc
    this.store = init.store
    this.window = init.window ?? 10_000
  }

  /** A reading for a new version: the clock's next, once it lies below the stored bound */
  async stamp (): Promise<Timestamp> {
    this.loading ??= this.load()
    await this.loading
    const reading = this.hlc.now()
    if (reading.wallTime >= this.reserved) {
      await this.reserve(reading.wallTime + this.window)
    } else if (reading.wallTime >= this.reserved - this.window / 2) {
      // move the bound before a reading needs it; a failure shows at that reading
      this.reserve(reading.wallTime + this.window).catch(() => {})
    }
    return reading
  }

  /** Start the clock at the stored bound: every reading issued before the restart was below it */
  private async load (): Promise<void> {
    try {
      const bytes = await this.store.getMeta(CLOCK_MARK)
      if (bytes === undefined) return
      const bound = Number(new TextDecoder().decode(bytes))
      if (!Number.isSafeInteger(bound) || bound < 0) throw new InvalidRecordError(`stored clock mark ${metaKey(CLOCK_MARK).toString()} is corrupt`)
      this.hlc.advanceTo({ wallTime: bound, logical: 0 })
      this.reserved = bound
    } catch (err) {
      this.loading = undefined
      throw err
    }
  }

  private async reserve (upTo: number): Promise<void> {
    this.wanted = Math.max(this.wanted, upTo)
    while (this.reserved < upTo) {
      this.writing ??= this.writeBound().finally(() => { this.writing = undefined })
      await this.writing
    }
  }

  private async writeBound (): Promise<void> {
    const bound = this.wanted
    await this.store.putMeta(CLOCK_MARK, new TextEncoder().encode(String(bound)))
    this.reserved = Math.max(this.reserved, bound)
  }
}
