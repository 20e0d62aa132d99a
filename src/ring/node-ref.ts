import { distance } from './id.ts'
import type { Id } from './id.ts'
import type { NodeRef } from './types.ts'

/** A string naming one ring member: peer and virtual-node index */
export function nodeKey (node: Pick<NodeRef, 'peer' | 'vnode'>): string {
  return `${node.peer}/${node.vnode}`
}

export function sameNode (a: NodeRef | undefined, b: NodeRef | undefined): boolean {
  return a !== undefined && b !== undefined && a.peer === b.peer && a.vnode === b.vnode
}

/**
 * A successor list as Chord wants it: clockwise from `self`, without `self`,
 * without duplicates, at most `length` entries.
 */
export function normalizeSuccessors (self: NodeRef, nodes: Iterable<NodeRef>, length: number): NodeRef[] {
  const seen = new Set<string>([nodeKey(self)])
  const list: NodeRef[] = []
  for (const node of nodes) {
    const key = nodeKey(node)
    if (seen.has(key)) continue
    seen.add(key)
    list.push(node)
  }
  list.sort((a, b) => compareIds(distance(self.id, a.id), distance(self.id, b.id)))
  return list.slice(0, length)
}

export function compareIds (a: Id, b: Id): number {
  return a < b ? -1 : a > b ? 1 : 0
}

/** Short human-readable form for logs: peer suffix, vnode and id prefix */
export function describeNode (node: NodeRef | undefined): string {
  if (node === undefined) return 'none'
  return `${node.peer.slice(-8)}/${node.vnode}@${node.id.toString(16).padStart(64, '0').slice(0, 8)}`
}
