/**
 * Keys per peer for `GET /stats?peers=true`: follow the ring's pointers
 * (successor lists, predecessors, fingers) from this peer, asking each peer
 * found for its /ring, which carries both its store figures and its
 * neighbours. A peer that does not answer is listed with the error.
 */
import type { NodeJson, RingJson } from './json.ts'
import type { PeerStatsJson } from './router.ts'

export interface WalkOptions {
  signal: AbortSignal
  /** peers asked at most (default 256) */
  limit?: number
  /** requests in flight (default 8) */
  concurrency?: number
}

export async function walkRing (self: RingJson, ask: (node: NodeJson, signal: AbortSignal) => Promise<RingJson>, options: WalkOptions): Promise<PeerStatsJson[]> {
  const limit = options.limit ?? 256
  const found = new Map<string, PeerStatsJson>([[self.peer, { peer: self.peer, store: self.store }]])
  const queue: NodeJson[] = []
  const enqueue = (ring: RingJson): void => {
    for (const node of neighbours(ring)) {
      if (found.has(node.peer) || found.size >= limit) continue
      found.set(node.peer, { peer: node.peer })
      queue.push(node)
    }
  }
  enqueue(self)
  await Promise.all(Array.from({ length: options.concurrency ?? 8 }, async () => {
    for (let node = queue.shift(); node !== undefined; node = queue.shift()) {
      const entry = found.get(node.peer)!
      try {
        const ring = await ask(node, options.signal)
        entry.store = ring.store
        enqueue(ring)
      } catch (err) {
        entry.error = (err as Error).message
      }
    }
  }))
  return [...found.values()].sort((a, b) => a.peer.localeCompare(b.peer))
}

function neighbours (ring: RingJson): NodeJson[] {
  return ring.positions.flatMap(p => [...(p.predecessor === null ? [] : [p.predecessor]), ...p.successors, ...p.fingers.map(f => f.node)])
    .filter(n => n.peer !== ring.peer)
}
