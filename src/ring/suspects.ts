/**
 * Members seen dead, kept out of successor lists learned from others for a
 * while: in a ring smaller than the successor list the lists wrap round,
 * and a dead member would otherwise travel round them for ever.
 */
import { nodeKey } from './node-ref.ts'
import type { NodeRef } from './types.ts'
import type { Clock } from '../util/clock.ts'

/** entries kept before expired ones are swept out */
const SWEEP_ABOVE = 1024

export class Suspects {
  private readonly until = new Map<string, number>()
  private readonly clock: Clock
  private readonly time: number

  /** `time`: ms a member stays suspect after it was last seen dead */
  constructor (clock: Clock, time: number) {
    this.clock = clock
    this.time = time
  }

  add (node: NodeRef): void {
    const now = this.clock.now()
    if (this.until.size > SWEEP_ABOVE) {
      for (const [key, until] of this.until) if (until <= now) this.until.delete(key)
    }
    this.until.set(nodeKey(node), now + this.time)
  }

  /** The member answered or wrote to us: no longer suspect */
  clear (node: NodeRef): void {
    this.until.delete(nodeKey(node))
  }

  has (node: NodeRef): boolean {
    if (this.until.size === 0) return false // the common case, on every operation's guess
    const key = nodeKey(node)
    const until = this.until.get(key)
    if (until === undefined) return false
    if (until > this.clock.now()) return true
    this.until.delete(key)
    return false
  }
}
