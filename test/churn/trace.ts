/**
 * A diagnostic trace of where the copies of keys went (CHURN_TRACE=1): every
 * copy a live peer dropped after a handoff, and what each crashing or
 * leaving peer held. For a key the history checker flags, it tells a copy
 * lost to crashes from one a live peer dropped.
 */
import type { Peer } from '../../harness/peers.ts'
import type { LocalStore } from '../../src/store/local-store.ts'

interface TraceEvent {
  at: number
  peer: string
  what: string
}

export class Trace {
  private readonly events = new Map<string, TraceEvent[]>()
  private readonly keys: Set<string>

  constructor (keys: string[]) {
    this.keys = new Set(keys)
  }

  /** Record the copies `peer` drops from now on */
  watch (peer: Peer): void {
    const local = (peer.services.chord as unknown as { local: LocalStore }).local
    const drop = local.delete.bind(local)
    const name = peer.peerId.toString().slice(-6)
    local.delete = async (key, options) => {
      const removed = await drop(key, options)
      const text = new TextDecoder().decode(key)
      if (removed && this.keys.has(text)) this.add(text, name, 'dropped its copy (handoff)')
      return removed
    }
  }

  /** Record which keys `peer` holds as it crashes or leaves */
  async departs (peer: Peer, how: string): Promise<void> {
    const name = peer.peerId.toString().slice(-6)
    await Promise.all([...this.keys].map(async key => {
      const record = await peer.services.chord.getLocalRecord(key).catch(() => undefined)
      if (record !== undefined) this.add(key, name, `${how} holding it`)
    }))
  }

  /** The events of `key`, at ms of performance.now() like the history's */
  of (key: string): string {
    return (this.events.get(key) ?? []).map(e => `${e.at.toFixed(0)} ms ${e.peer} ${e.what}`).join('; ')
  }

  private add (key: string, peer: string, what: string): void {
    const list = this.events.get(key) ?? []
    // the history's time base
    list.push({ at: performance.now(), peer, what })
    this.events.set(key, list)
  }
}
