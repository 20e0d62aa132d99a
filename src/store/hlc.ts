/**
 * Hybrid logical clock (Kulkarni, Demirbas et al., "Logical Physical Clocks",
 * OPODIS 2014).
 *
 * A reading is (wallTime, logical): wallTime is the largest physical time seen,
 * here or in a message received; logical orders events that share a wallTime.
 * Readings only grow, even when the physical clock steps back, and a reading
 * taken after receiving a message is greater than the message's, so versions
 * stamped with it order causally related writes correctly.
 */
import { ClockDriftError } from './errors.ts'

export interface Timestamp {
  /** ms since the epoch */
  wallTime: number
  logical: number
}

/** logical travels as a uint32; past this the clock moves wallTime on by 1 ms instead */
export const MAX_LOGICAL = 0xffff_ffff

export interface HybridClockInit {
  /** physical time source in ms, `Date.now` unless a test injects one */
  now?: () => number
  /**
   * how far ahead of local physical time a remote reading may be, in ms
   * (default 60 s); a peer with a clock far in the future would otherwise
   * drag every clock it talks to along with it
   */
  maxDrift?: number
}

export class HybridClock {
  private readonly physical: () => number
  private readonly maxDrift: number
  private wallTime = 0
  private logical = 0

  constructor (init: HybridClockInit = {}) {
    this.physical = init.now ?? Date.now
    this.maxDrift = init.maxDrift ?? 60_000
    if (!(this.maxDrift >= 0)) throw new RangeError(`maxDrift must be a non-negative number, got ${this.maxDrift}`)
  }

  /** A reading for a local event (a write); strictly greater than every earlier one */
  now (): Timestamp {
    const pt = Math.floor(this.physical())
    if (pt > this.wallTime) {
      this.wallTime = pt
      this.logical = 0
    } else {
      this.tick()
    }
    return { wallTime: this.wallTime, logical: this.logical }
  }

  /**
   * Merge a reading received from another peer, so the next `now()` is greater
   * than it. Throws ClockDriftError, leaving the clock as it was, when the
   * remote wall time is more than maxDrift ahead of local physical time.
   */
  update (remote: Timestamp): void {
    if (!Number.isSafeInteger(remote.wallTime) || remote.wallTime < 0 ||
      !Number.isInteger(remote.logical) || remote.logical < 0 || remote.logical > MAX_LOGICAL) {
      throw new RangeError(`not a valid timestamp: ${JSON.stringify(remote)}`)
    }
    const pt = Math.floor(this.physical())
    if (remote.wallTime - pt > this.maxDrift) {
      throw new ClockDriftError(`remote wall time ${remote.wallTime} is ${remote.wallTime - pt} ms ahead of local time ${pt}, more than the allowed ${this.maxDrift} ms`)
    }

    const wallTime = Math.max(this.wallTime, remote.wallTime, pt)
    if (wallTime === this.wallTime && wallTime === remote.wallTime) {
      this.logical = Math.max(this.logical, remote.logical)
      this.tick()
    } else if (wallTime === this.wallTime) {
      this.tick()
    } else if (wallTime === remote.wallTime) {
      this.wallTime = wallTime
      this.logical = remote.logical
      this.tick()
    } else {
      this.wallTime = wallTime
      this.logical = 0
    }
  }

  /**
   * Move the clock up to `floor` if it is below: the next reading is greater.
   * No drift check: for a bound this peer wrote itself (clock-mark.ts).
   */
  advanceTo (floor: Timestamp): void {
    if (compareTimestamps(floor, this.peek()) > 0) {
      this.wallTime = floor.wallTime
      this.logical = floor.logical
    }
  }

  /** The last reading handed out or merged, without advancing the clock */
  peek (): Timestamp {
    return { wallTime: this.wallTime, logical: this.logical }
  }

  private tick (): void {
    if (this.logical < MAX_LOGICAL) {
      this.logical++
    } else {
      // borrowing a millisecond keeps readings growing and logical within a uint32
      this.wallTime++
      this.logical = 0
    }
  }
}

/** Orders two readings: negative when a is earlier, 0 when equal, positive when later */
export function compareTimestamps (a: Timestamp, b: Timestamp): number {
  if (a.wallTime !== b.wallTime) return a.wallTime < b.wallTime ? -1 : 1
  if (a.logical !== b.logical) return a.logical < b.logical ? -1 : 1
  return 0
}
