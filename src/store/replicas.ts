import type { NodeRef } from '../ring/types.ts'

/**
 * The replica set of a key from the members that follow it: the first `r`
 * distinct peers, in ring order, starting at successor(key). Virtual nodes of
 * one peer count once; `exclude` drops a peer (one that is leaving).
 */
export function replicaSet (successors: readonly NodeRef[], r: number, exclude?: string): NodeRef[] {
  const peers = new Set<string>()
  const out: NodeRef[] = []
  for (const node of successors) {
    if (node.peer === exclude || peers.has(node.peer)) continue
    peers.add(node.peer)
    out.push(node)
    if (out.length === r) break
  }
  return out
}

/** Acknowledgements a consistency level needs out of `n` replicas */
export function required (consistency: 'ONE' | 'QUORUM' | 'ALL', n: number): number {
  switch (consistency) {
    case 'ONE': return Math.min(1, n)
    case 'QUORUM': return Math.floor(n / 2) + 1
    case 'ALL': return n
  }
}
