/**
 * The churn schedule: which events happen and when, drawn from a seed, and
 * the choice of victims under the failure assumption the store is built for.
 *
 * The assumption: within one repair period, no key loses all r of its
 * copies. A key's copies sit on r consecutive peers of the ring, so victims
 * are only taken when, on the ring of live peers plus those that crashed or
 * left in the last repair period, every run of r consecutive peers keeps at
 * least one that was there, and a member, all through that period (a fresh
 * peer may not have received its copies yet; a leaving one counts as gone,
 * to be safe).
 */
import type { Random } from '../fixtures/random.ts'

export type EventKind = 'join' | 'leave' | 'crash' | 'crash-many' | 'crash-adjacent'

export interface PlannedEvent {
  /** ms after the churn began */
  at: number
  kind: EventKind
  /** peers joining, leaving or crashing at once */
  count: number
}

export interface PlanOptions {
  /** events in all (more only if the ring is too small for the required ones) */
  events: number
  /** ms between events, drawn uniformly from [minGap, maxGap] */
  minGap: number
  maxGap: number
  /** replication factor: crash-adjacent takes r − 1 neighbours at once */
  r: number
  /** peers at the start; the plan keeps the ring within [minPeers, maxPeers] */
  peers: number
  minPeers: number
  maxPeers: number
}

/**
 * Every kind at least once (two and more at once, r − 1 adjacent), the rest
 * drawn at random; a drawn departure that would take the ring below
 * minPeers becomes a join, a join above maxPeers a leave
 */
export function plan (rand: Random, options: PlanOptions): PlannedEvent[] {
  const { r } = options
  const countOf = (kind: EventKind): number => kind === 'crash-many' ? 2 + rand.int(2) : kind === 'crash-adjacent' ? r - 1 : 1
  const mix: EventKind[] = ['join', 'join', 'join', 'leave', 'crash', 'crash-many', 'crash-adjacent']
  const required: EventKind[] = rand.shuffle(['join', 'leave', 'crash', 'crash-many', 'crash-adjacent'])
  const events: PlannedEvent[] = []
  let at = 0
  let size = options.peers
  const add = (kind: EventKind, count: number): void => {
    size += kind === 'join' ? count : -count
    at += options.minGap + rand.int(options.maxGap - options.minGap + 1)
    events.push({ at, kind, count })
  }
  for (const kind of required) {
    const count = countOf(kind)
    // these must happen: make room first
    while (kind !== 'join' && size - count < options.minPeers) add('join', 1)
    if (kind === 'join' && size + 1 > options.maxPeers) add('leave', 1)
    add(kind, count)
  }
  while (events.length < options.events) {
    const kind = rand.pick(mix)
    const count = countOf(kind)
    if (kind !== 'join' && size - count < options.minPeers) add('join', 1)
    else if (kind === 'join' && size + 1 > options.maxPeers) add('leave', 1)
    else add(kind, count)
  }
  return events
}

export interface RingEntry {
  peer: string
  id: bigint
}

export interface Unavailable extends RingEntry {
  /** crashed: gone; joined: present but maybe without its copies yet */
  why: 'crashed' | 'left' | 'joined'
}

/**
 * Peers to crash for `kind`, chosen at random among the live ones so that
 * no run of r consecutive peers is left without one that held its copies
 * through the repair period, and `alsoSafe` agrees; undefined when no
 * choice keeps that true.
 */
export function chooseVictims (rand: Random, live: readonly RingEntry[], recent: readonly Unavailable[], kind: EventKind, count: number, r: number, alsoSafe: (victims: string[]) => boolean = () => true): string[] | undefined {
  const gone = recent.filter(u => u.why !== 'joined')
  const ring = [...live, ...gone].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
  const down = new Set(recent.map(u => u.peer))
  const order = [...live].sort((a, b) => (a.id < b.id ? -1 : 1)).map(e => e.peer)
  const safe = (victims: string[]): boolean => {
    const lacking = (peer: string): boolean => down.has(peer) || victims.includes(peer)
    for (let i = 0; i < ring.length; i++) {
      let lost = 0
      for (let j = 0; j < Math.min(r, ring.length); j++) if (lacking(ring[(i + j) % ring.length].peer)) lost++
      if (lost >= Math.min(r, ring.length)) return false
    }
    return true
  }
  for (let attempt = 0; attempt < 64; attempt++) {
    let victims: string[]
    if (kind === 'crash-adjacent') {
      const start = rand.int(order.length)
      victims = Array.from({ length: count }, (_, i) => order[(start + i) % order.length])
    } else {
      victims = rand.shuffle(order).slice(0, count)
      // "several at once" means apart: adjacent ones are the other kind
      if (kind === 'crash-many' && victims.some(v => victims.includes(order[(order.indexOf(v) + 1) % order.length]))) continue
    }
    if (new Set(victims).size === count && safe(victims) && alsoSafe(victims)) return victims
  }
  return undefined
}
