/**
 * What the ring should look like, computed from the outside: the live
 * members sorted by id. Lookups are checked against it and the ring is
 * "converged" when every pointer matches it.
 */
import { fingerStart } from '../src/ring/id.ts'
import { nodeKey } from '../src/ring/node-ref.ts'
import type { RingPeer } from '../src/ring/ring-peer.ts'
import type { RingNode } from '../src/ring/ring-node.ts'
import type { Id } from '../src/ring/id.ts'
import type { NodeRef } from '../src/ring/types.ts'

export class Truth {
  /** every joined position of the given peers, by id */
  readonly sorted: NodeRef[]
  private readonly ids: Id[]
  private readonly index = new Map<string, number>()
  private readonly nodes: RingNode[]

  constructor (peers: Iterable<RingPeer>) {
    this.nodes = [...peers].flatMap(p => p.nodes.filter(n => n.joined))
    this.nodes.sort((a, b) => (a.self.id < b.self.id ? -1 : a.self.id > b.self.id ? 1 : 0))
    this.sorted = this.nodes.map(n => n.self)
    this.ids = this.sorted.map(n => n.id)
    this.sorted.forEach((n, i) => this.index.set(nodeKey(n), i))
  }

  get size (): number {
    return this.sorted.length
  }

  has (node: NodeRef): boolean {
    return this.index.has(nodeKey(node))
  }

  /** successor(key): the first member at or after the key, wrapping round */
  successor (key: Id): NodeRef {
    let lo = 0
    let hi = this.ids.length
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if (this.ids[mid] < key) lo = mid + 1
      else hi = mid
    }
    return this.sorted[lo % this.sorted.length]
  }

  /**
   * Differences from the ideal ring with lists of length r: each member's
   * successor list is the next min(r, M-1) members and its predecessor the
   * one before. With `firstOnly`, only the first successor and the
   * predecessor are checked (enough for lookups and joins to be right). With
   * `fingers`, every finger must be the true successor of its start. Returns
   * at most `limit` problems.
   */
  problems (r: number, options: { firstOnly?: boolean, fingers?: boolean, limit?: number } = {}): string[] {
    const limit = options.limit ?? 10
    const out: string[] = []
    const m = this.sorted.length
    const want = Math.min(options.firstOnly === true ? 1 : r, m - 1)
    for (let i = 0; i < m && out.length < limit; i++) {
      const s = this.nodes[i].getState()
      const name = nodeKey(s.self)
      const expected: string[] = []
      for (let j = 1; j <= want; j++) expected.push(nodeKey(this.sorted[(i + j) % m]))
      const actual = s.successors.slice(0, want).map(nodeKey)
      if (actual.join() !== expected.join()) out.push(`${name}: successors [${actual.slice(0, 3).join()}…] expected [${expected.slice(0, 3).join()}…]`)
      const pred = m > 1 ? nodeKey(this.sorted[(i - 1 + m) % m]) : undefined
      const actualPred = s.predecessor === undefined ? undefined : nodeKey(s.predecessor)
      if (actualPred !== pred) out.push(`${name}: predecessor ${actualPred ?? 'none'} expected ${pred ?? 'none'}`)
      if (options.fingers === true) {
        for (const { index, node } of s.fingers) {
          const owner = this.successor(fingerStart(s.self.id, index))
          if (nodeKey(owner) !== nodeKey(node)) out.push(`${name}: finger ${index} is ${nodeKey(node)} expected ${nodeKey(owner)}`)
        }
      }
    }
    return out.slice(0, limit)
  }
}

/**
 * The rings the members' first successors form: following successor() from
 * every joined position ends in a cycle; each distinct cycle is one ring.
 * Returns the ring sizes, largest first, and how many positions hang off a
 * ring (their successor chain leads into a ring they are not on) or lead to
 * a position outside `peers`.
 */
export function successorRings (peers: Iterable<RingPeer>): { sizes: number[], off: number } {
  const next = new Map<string, string | undefined>()
  for (const peer of peers) {
    for (const node of peer.nodes) {
      if (!node.joined) continue
      next.set(nodeKey(node.self), nodeKey(node.successor()))
    }
  }
  // 0 unvisited, 1 on the current walk, 2 done
  const mark = new Map<string, number>()
  const sizes: number[] = []
  for (const start of next.keys()) {
    const walk: string[] = []
    let at: string | undefined = start
    while (at !== undefined && next.has(at) && (mark.get(at) ?? 0) === 0) {
      mark.set(at, 1)
      walk.push(at)
      at = next.get(at)
    }
    // the walk closed on itself: the part from `at` on is a new ring
    if (at !== undefined && mark.get(at) === 1) sizes.push(walk.length - walk.indexOf(at))
    for (const k of walk) mark.set(k, 2)
  }
  sizes.sort((a, b) => b - a)
  return { sizes, off: next.size - sizes.reduce((a, b) => a + b, 0) }
}
