/**
 * What this peer can learn of the ring, for `GET /ring?peers=true` (the
 * viewer) and `GET /stats?peers=true` (keys per peer): follow the ring's
 * pointers (successor lists, predecessors, fingers) from this peer, asking
 * each peer found for its /ring, which carries both its store figures and
 * its neighbours. A peer that does not answer is listed with the error.
 */
import type { NodeJson, RingJson } from './json.ts'

export interface WalkedPeer {
  peer: string
  /** its answer to GET /ring */
  ring?: RingJson
  error?: string
}

export interface WalkOptions {
  signal: AbortSignal
  /** peers asked at most (default 256) */
  limit?: number
  /** requests in flight (default 8) */
  concurrency?: number
}

export async function walkRing (self: RingJson, ask: (node: NodeJson, signal: AbortSignal) => Promise<RingJson>, options: WalkOptions): Promise<WalkedPeer[]> {
  const limit = options.limit ?? 256
  const found = new Map<string, WalkedPeer>([[self.peer, { peer: self.peer, ring: self }]])
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
        entry.ring = ring
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

/**
 * `run` shared by callers: one in flight at a time, and its result reused
 * for `maxAge` ms, so viewers polling every second (several tabs, several
 * viewers) cost one walk a second, not one each.
 */
export function shared<T> (run: () => Promise<T>, maxAge: number): () => Promise<T> {
  let inFlight: Promise<T> | undefined
  let last: { at: number, value: T } | undefined
  return async () => {
    if (last !== undefined && Date.now() - last.at <= maxAge) return last.value
    inFlight ??= run()
      .then(value => {
        last = { at: Date.now(), value }
        return value
      })
      .finally(() => { inFlight = undefined })
    return inFlight
  }
}
