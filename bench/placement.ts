/**
 * Where keys should live, computed from the live peers' ring positions: the
 * owner (successor of the key) and the first r distinct peers from it.
 */
import { keyId } from '../src/ring/id.ts'
import type { RingState } from '../src/index.ts'
import type { Id } from '../src/ring/id.ts'

interface Position { id: Id, peer: string }

function sortedPositions (states: RingState[]): Position[] {
  return states.flatMap(s => s.positions.map(p => ({ id: p.self.id, peer: p.self.peer })))
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
}

/** index of the first position with id ≥ key, wrapping to 0 */
function successorIndex (sorted: Position[], id: Id): number {
  let lo = 0
  let hi = sorted.length
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    if (sorted[mid].id < id) lo = mid + 1
    else hi = mid
  }
  return lo === sorted.length ? 0 : lo
}

export const idsOf = (keys: Iterable<string>): Id[] => [...keys].map(k => keyId(new TextEncoder().encode(k)))

/** keys owned (as successor) per peer; every peer of `states` appears, zeros included */
export function ownedPerPeer (states: RingState[], ids: Id[]): Map<string, number> {
  const sorted = sortedPositions(states)
  const counts = new Map(states.map(s => [s.peer, 0]))
  for (const id of ids) {
    const peer = sorted[successorIndex(sorted, id)].peer
    counts.set(peer, (counts.get(peer) ?? 0) + 1)
  }
  return counts
}

/** records each peer should hold with r replicas per key */
export function heldPerPeer (states: RingState[], ids: Id[], r: number): Map<string, number> {
  const sorted = sortedPositions(states)
  const peers = new Set(sorted.map(p => p.peer)).size
  const counts = new Map(states.map(s => [s.peer, 0]))
  for (const id of ids) {
    const start = successorIndex(sorted, id)
    const seen = new Set<string>()
    for (let i = 0; i < sorted.length && seen.size < Math.min(r, peers); i++) seen.add(sorted[(start + i) % sorted.length].peer)
    for (const peer of seen) counts.set(peer, (counts.get(peer) ?? 0) + 1)
  }
  return counts
}
