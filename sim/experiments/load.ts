/**
 * Keys per peer with and without virtual nodes (Chord paper Figs. 8–9):
 * pure consistent hashing, no network. Peer positions are the ring's own
 * nodeId (SHA-256 of the peer id bytes and the virtual-node index), keys are
 * keyId of random key bytes, and each key goes to the peer holding the
 * first position at or after it.
 */
import { keyId, nodeId } from '../../src/ring/id.ts'
import { Random } from '../random.ts'
import { summarize } from '../stats.ts'
import type { Id } from '../../src/ring/id.ts'
import type { Summary } from '../stats.ts'

export interface LoadRow {
  n: number
  keys: number
  virtualNodes: number
  perPeer: Summary
  /** peers holding no key at all */
  empty: number
  p1OverMean: number
  p99OverMean: number
  maxOverMean: number
}

export interface LoadOptions {
  seed: number
  n: number
  keysPerPeer: number
  virtualNodes: number[]
}

export function load (options: LoadOptions): LoadRow[] {
  const random = new Random(options.seed * 1000 + 800)
  const peers = Array.from({ length: options.n }, () => random.bytes(32))
  const keyCount = options.keysPerPeer * options.n
  const keys: Id[] = Array.from({ length: keyCount }, () => keyId(random.bytes(16)))
  return options.virtualNodes.map(v => {
    const positions: Array<{ id: Id, peer: number }> = []
    peers.forEach((bytes, peer) => { for (let j = 0; j < v; j++) positions.push({ id: nodeId(bytes, j), peer }) })
    positions.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    const ids = positions.map(p => p.id)
    const counts = new Array<number>(options.n).fill(0)
    for (const key of keys) counts[positions[successorIndex(ids, key)].peer]++
    const perPeer = summarize(counts)
    return {
      n: options.n,
      keys: keyCount,
      virtualNodes: v,
      perPeer,
      empty: counts.filter(c => c === 0).length,
      p1OverMean: perPeer.p1 / perPeer.mean,
      p99OverMean: perPeer.p99 / perPeer.mean,
      maxOverMean: perPeer.max / perPeer.mean
    }
  })
}

/** index of the first id at or after `key`, wrapping round */
function successorIndex (ids: readonly Id[], key: Id): number {
  let lo = 0
  let hi = ids.length
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    if (ids[mid] < key) lo = mid + 1
    else hi = mid
  }
  return lo % ids.length
}
