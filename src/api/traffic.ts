/**
 * What went in and out of this peer since it started: records moved to and
 * from other peers (from the service's transfer:progress events, by reason)
 * and the API requests served.
 */
import type { Chord, TransferProgress } from '../index.ts'

export interface Volume {
  keys: number
  bytes: number
}

type Reason = TransferProgress['reason']

export interface TrafficJson {
  /** records sent to other peers, by reason */
  pushed: Record<Reason, Volume>
  /** records fetched from other peers, by reason */
  pulled: Record<Reason, Volume>
  /** API requests served, by operation */
  requests: Record<string, number>
}

const volumes = (): Record<Reason, Volume> => ({ sync: { keys: 0, bytes: 0 }, handoff: { keys: 0, bytes: 0 }, leave: { keys: 0, bytes: 0 } })

export class Traffic {
  private readonly pushed = volumes()
  private readonly pulled = volumes()
  private readonly requests: Record<string, number> = {}

  /** Count the service's transfers from now on */
  constructor (chord: Chord) {
    chord.addEventListener('transfer:progress', ({ detail }) => {
      const volume = (detail.direction === 'push' ? this.pushed : this.pulled)[detail.reason]
      if (volume === undefined) return
      volume.keys += detail.keys
      volume.bytes += detail.bytes
    })
  }

  request (operation: string): void {
    this.requests[operation] = (this.requests[operation] ?? 0) + 1
  }

  toJSON (): TrafficJson {
    return { pushed: structuredClone(this.pushed), pulled: structuredClone(this.pulled), requests: { ...this.requests } }
  }
}
