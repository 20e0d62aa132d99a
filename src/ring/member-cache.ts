/**
 * A location cache over Chord routing: ring members learned from lookups,
 * sorted by id. A lookup starts from the cached member closest before the
 * key, so once warm it asks the key's predecessor straight away. That member
 * still answers from its own successor pointer, so the ring — not the cache
 * — decides the owner; a stale entry costs a step or a retry, never a wrong
 * answer (One Hop Lookups, Gupta et al., as a cache on top of Chord).
 */
import { distance } from './id.ts'
import { nodeKey } from './node-ref.ts'
import type { Id } from './id.ts'
import type { RingNode } from './ring-node.ts'
import type { NodeRef } from './types.ts'

export class MemberCache {
  private readonly capacity: number
  /** sorted by id */
  private members: NodeRef[] = []
  private readonly keys = new Set<string>()

  constructor (capacity: number) {
    this.capacity = capacity
  }

  get size (): number {
    return this.members.length
  }

  add (node: NodeRef): void {
    if (this.capacity === 0) return
    const key = nodeKey(node)
    if (this.keys.has(key)) return
    if (this.members.length >= this.capacity) {
      // evict a random member: cheap, and keeps the cache spread round the ring
      const victim = Math.floor(Math.random() * this.members.length)
      this.keys.delete(nodeKey(this.members[victim]))
      this.members.splice(victim, 1)
    }
    const at = this.indexAfter(node.id)
    this.members.splice(at, 0, node)
    this.keys.add(key)
  }

  remove (node: Pick<NodeRef, 'peer' | 'vnode'>): void {
    const key = nodeKey(node)
    if (!this.keys.delete(key)) return
    this.members = this.members.filter(m => nodeKey(m) !== key)
  }

  /** The cached member closest before `key` (strictly), if any */
  closestBefore (key: Id): NodeRef | undefined {
    if (this.members.length === 0) return undefined
    // first member with id >= key; the one before it (wrapping) precedes the key
    let at = this.indexAtOrAfter(key) - 1
    if (at < 0) at = this.members.length - 1
    return this.members[at]
  }

  /** Cached members clockwise from `key` on (the first at or after it), each once */
  * from (key: Id): Generator<NodeRef> {
    const n = this.members.length
    const start = this.indexAtOrAfter(key)
    for (let i = 0; i < n; i++) yield this.members[(start + i) % n]
  }

  /** index of the first member with id > `id` */
  private indexAfter (id: Id): number {
    let lo = 0
    let hi = this.members.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (this.members[mid].id <= id) lo = mid + 1
      else hi = mid
    }
    return lo
  }

  /** index of the first member with id >= `id` */
  private indexAtOrAfter (id: Id): number {
    let lo = 0
    let hi = this.members.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (this.members[mid].id < id) lo = mid + 1
      else hi = mid
    }
    return lo
  }
}

/**
 * The first `count` distinct peers from `key` on among the cached members
 * and what a peer's own positions know first hand (themselves, their
 * successor lists and predecessors), skipping members that are not `usable`
 */
export function knownSuccessors (key: Id, count: number, cache: MemberCache, own: readonly RingNode[], usable: (node: NodeRef) => boolean): NodeRef[] {
  // cached members from the key on, until `count` distinct peers...
  const seen = new Set<string>()
  const known: NodeRef[] = []
  for (const node of cache.from(key)) {
    if (!usable(node)) continue
    known.push(node)
    seen.add(node.peer)
    if (seen.size >= count) break
  }
  // ...and what our own positions know first hand, merged in ring order
  for (const n of own) {
    known.push(n.self, ...n.getSuccessorList().filter(usable))
    const predecessor = n.getPredecessor()
    if (predecessor !== undefined && usable(predecessor)) known.push(predecessor)
  }
  const from = (node: NodeRef): Id => distance(key, node.id)
  known.sort((a, b) => { const d = from(a) - from(b); return d < 0n ? -1 : d > 0n ? 1 : 0 })
  const peers = new Set<string>()
  const out: NodeRef[] = []
  for (const node of known) {
    if (peers.has(node.peer)) continue
    peers.add(node.peer)
    out.push(node)
    if (out.length === count) break
  }
  return out
}
