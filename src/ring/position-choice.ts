/**
 * Where a joining peer sits: bounded id choice for load balance.
 *
 * One hashed position per peer leaves the busiest peer holding several
 * times the mean. Instead a peer may take any of `choices` positions
 * hash(peer id, i), i < choices — still derived from its id, so nobody can
 * sit at an arbitrary point — and takes the one that evens out the load
 * best (Karger and Ruhl, "Simple efficient load balancing algorithms for
 * peer-to-peer systems", SPAA 2004, choose among O(log N) hashed ids; here
 * with many more, since the joiner sees the ring). The load it evens out is
 * what `chord stats` counts: the records each member holds with r
 * replicas, that is the sum of its own arc and the r − 1 arcs before it.
 * Maintenance stays that of one position per peer.
 */
import { ID_BITS, between, distance, nodeId } from './id.ts'
import { compareIds, nodeKey } from './node-ref.ts'
import type { Id } from './id.ts'
import { NotJoinedError } from './errors.ts'
import type { ChordRpc, NodeRef, RequestOptions } from './types.ts'
import type { RingPeerInit } from './ring-peer-init.ts'
import type { Log } from '../util/log.ts'

export interface Candidate { vnode: number, id: Id }

/** The positions a peer may choose from: hash(peer, i) for i < count */
export function candidatePositions (peerBytes: Uint8Array, count: number): Candidate[] {
  return Array.from({ length: count }, (_, vnode) => ({ vnode, id: nodeId(peerBytes, vnode) }))
}

/**
 * Read the ring through `via` and pick the position of peer `self` among
 * its first `choices`: 0 when none of them falls inside what was read
 */
export async function choosePeerPosition (rpc: ChordRpc, via: NodeRef, peer: string, init: ChoiceSettings, log: Log, random?: () => number): Promise<{ vnode: number, gap: Gap | undefined }> {
  const choices = init.positionChoices ?? 1
  const segment = await walkRing(rpc, via, init.maxWalkRequests ?? 32)
  // a peer rejoining may still be named in lists: it is not a member to balance against
  const others = { ...segment, members: segment.members.filter(m => m.peer !== peer) }
  const chosen = others.members.length === 0
    ? undefined
    : await chooseChecked(rpc, others, candidatePositions(init.peerBytes, choices), init.replicas ?? 3, random)
  const vnode = chosen?.candidate.vnode ?? 0
  log('chose position %d among %d after reading %d members%s', vnode, choices, others.members.length, segment.complete ? ' (the whole ring)' : '')
  return { vnode, gap: chosen?.gap }
}

/** The members the walk saw on either side of a chosen point */
export interface Gap { before: NodeRef, next: NodeRef }

/** What a choice needs of the peer's settings (RingPeerInit) */
export type ChoiceSettings = Pick<RingPeerInit, 'peerBytes' | 'positionChoices' | 'replicas' | 'maxWalkRequests'>

/** A member's first position, for a peer known by its address only */
export async function positionOf (rpc: ChordRpc, contact: NodeRef, options?: RequestOptions): Promise<NodeRef> {
  const [position] = await rpc.positions(contact, options)
  if (position === undefined) throw new NotJoinedError(`${contact.peer} is not a ring member`)
  return position
}

/** times a peer crowded at its chosen point chooses again */
export const MAX_RECHOICES = 6
/** a member this close after us, in the gap we chose, took nearly the same point: share of the distance to the gap's end */
const CROWDED = 0.25

/**
 * After joining at `self`, chosen in `gap`: is `successor` a peer that
 * joined at the same moment and took nearly the same point?
 */
export function crowdedBy (self: NodeRef, successor: NodeRef, gap: Gap): boolean {
  if (successor.peer === gap.next.peer || !between(self.id, successor.id, gap.next.id)) return false
  return fraction(distance(self.id, successor.id)) < CROWDED * fraction(distance(self.id, gap.next.id))
}

/** Members in ring order from `entry`, read off successor lists; `complete` once the walk came round */
export interface RingSegment { members: NodeRef[], complete: boolean }

/**
 * Walk the ring from `entry` along successor lists, at most `maxRequests`
 * requests (about successorListLength members each). A small ring is read
 * whole; a large one gives the joiner the stretch after its entry point.
 */
export async function walkRing (rpc: ChordRpc, entry: NodeRef, maxRequests: number, signal?: AbortSignal): Promise<RingSegment> {
  const members = [entry]
  const seen = new Set([nodeKey(entry)])
  let complete = false
  let current = entry
  for (let i = 0; i < maxRequests && !complete; i++) {
    const list = await rpc.getSuccessorList(current, { signal })
    const fresh = list.findIndex(node => seen.has(nodeKey(node)))
    const added = fresh < 0 ? list : list.slice(0, fresh)
    for (const node of added) seen.add(nodeKey(node))
    members.push(...added)
    complete = fresh >= 0 || added.length === 0
    current = members[members.length - 1]
  }
  return withNewcomers(rpc, { members, complete }, seen, signal)
}

/**
 * Peers that joined a moment ago are in no successor list until the next
 * stabilize, but their successors took them as predecessors at once (they
 * notified): ask each member walked for its predecessor.
 */
async function withNewcomers (rpc: ChordRpc, segment: RingSegment, seen: Set<string>, signal?: AbortSignal): Promise<RingSegment> {
  // a bounded number of members, a few at a time: a joiner must not dial a large ring all at once
  const asked = segment.members.slice(0, MAX_PREDECESSOR_CHECKS)
  const predecessors: Array<NodeRef | undefined> = []
  for (let i = 0; i < asked.length; i += PREDECESSOR_CHECKS_AT_ONCE) {
    predecessors.push(...await Promise.all(asked.slice(i, i + PREDECESSOR_CHECKS_AT_ONCE).map(async m => rpc.getPredecessor(m, { signal }).catch(() => undefined))))
  }
  let members = segment.members
  for (const node of predecessors) {
    if (node === undefined || seen.has(nodeKey(node))) continue
    seen.add(nodeKey(node))
    const sorted = segment.complete ? sortById(members) : members
    const at = insertionIndex(sorted, node.id, segment.complete)
    if (at !== undefined) members = [...sorted.slice(0, at), node, ...sorted.slice(at)]
  }
  return { members, complete: segment.complete }
}

/** members of the walked stretch asked for their predecessor, and how many at once */
const MAX_PREDECESSOR_CHECKS = 64
const PREDECESSOR_CHECKS_AT_ONCE = 16

const SHIFT = BigInt(ID_BITS - 53)
/** An id as a fraction of the circle (53 bits are plenty to compare loads) */
const fraction = (id: Id): number => Number(id >> SHIFT) / 2 ** 53
const arcBetween = (a: number, b: number): number => ((b - a) % 1 + 1) % 1

/**
 * The candidate that leaves the walked members' load most even: the least
 * sum of squares of the records held per member (own arc plus the r − 1
 * before it), plus that of the arcs themselves (so that, in a ring smaller
 * than r where everyone holds everything, the arcs still split evenly).
 * Only candidates inside the walked stretch are weighed; undefined when
 * none is. With `random` (a second choice, after a crowd): one at random
 * among the gaps nearly as good as the best.
 */
export function choosePosition (segment: RingSegment, candidates: readonly Candidate[], replicas: number, random?: () => number): Candidate | undefined {
  const members = segment.complete ? sortById(segment.members) : segment.members
  const points = members.map(m => fraction(m.id))
  // the best candidate of each gap between members
  const gaps = new Map<number, { candidate: Candidate, score: number }>()
  for (const candidate of candidates) {
    if (members.some(m => m.id === candidate.id)) continue
    const at = insertionIndex(members, candidate.id, segment.complete)
    if (at === undefined) continue
    const withCandidate = [...points.slice(0, at), fraction(candidate.id), ...points.slice(at)]
    const score = loadScore(withCandidate, replicas, segment.complete)
    if (score < (gaps.get(at)?.score ?? Infinity)) gaps.set(at, { candidate, score })
  }
  const best = [...gaps.values()].sort((a, b) => a.score - b.score)
  if (random === undefined || best.length === 0) return best[0]?.candidate
  // choosing again after a crowd: spread over the gaps nearly as good as the best
  const now = loadScore(points, replicas, segment.complete)
  const good = best.filter(g => now - g.score >= NEARLY_AS_GOOD * (now - best[0].score))
  return good[Math.floor(random() * good.length)].candidate
}

/** a gap whose best candidate evens the load out at least this share of the best gap's is as good a second choice */
const NEARLY_AS_GOOD = 0.5

/**
 * choosePosition, checked against members the walk could not see: a peer
 * that joined a moment ago is in no successor list before the next
 * stabilize, but its successor already took it as predecessor (it
 * notified). Ask the member after the chosen point for its predecessor;
 * one inside the chosen gap is added and the choice made again.
 */
export async function chooseChecked (rpc: ChordRpc, segment: RingSegment, candidates: readonly Candidate[], replicas: number, random?: () => number): Promise<{ candidate: Candidate, gap: Gap } | undefined> {
  let members = segment.members
  for (let round = 0; ; round++) {
    const candidate = choosePosition({ members, complete: segment.complete }, candidates, replicas, random)
    if (candidate === undefined) return undefined
    const sorted = segment.complete ? sortById(members) : members
    const at = insertionIndex(sorted, candidate.id, segment.complete) ?? 0
    const before = sorted[(at - 1 + sorted.length) % sorted.length]
    const next = sorted[at % sorted.length]
    if (round === MAX_CHECKS) return { candidate, gap: { before, next } }
    // a member that does not answer tells nothing: keep the choice
    const newcomer = await rpc.getPredecessor(next).catch(() => undefined)
    if (newcomer === undefined || !between(before.id, newcomer.id, next.id)) return { candidate, gap: { before, next } }
    members = [...sorted.slice(0, at), newcomer, ...sorted.slice(at)]
  }
}

/** members looked for between a chosen point and the next member the walk saw */
const MAX_CHECKS = 8

function sortById (members: readonly NodeRef[]): NodeRef[] {
  return [...members].sort((a, b) => compareIds(a.id, b.id))
}

/** Where `id` goes among `members` (in ring order); undefined outside a stretch that did not come round */
function insertionIndex (members: readonly NodeRef[], id: Id, circular: boolean): number | undefined {
  for (let i = 1; i < members.length; i++) {
    if (between(members[i - 1].id, id, members[i].id)) return i
  }
  // past the last member: on a whole ring that is the arc back to the first
  return circular ? members.length : undefined
}

/** Σ held² + Σ arc² over the members whose r arcs are all known */
function loadScore (points: readonly number[], replicas: number, circular: boolean): number {
  const n = points.length
  const arcs = points.map((p, i) => i > 0 ? arcBetween(points[i - 1], p) : circular ? arcBetween(points[n - 1], p) : NaN)
  const window = Math.min(replicas, n)
  let score = 0
  for (let i = 0; i < n; i++) {
    if (!Number.isNaN(arcs[i])) score += arcs[i] ** 2
    if (!circular && i < window) continue
    let held = 0
    for (let t = 0; t < window; t++) held += arcs[(i - t + n) % n]
    score += held ** 2
  }
  return score
}
