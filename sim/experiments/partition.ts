/**
 * A network partition and its heal (issue 14, point 5): an ideal ring of N
 * peers, every peer running its own periodic maintenance, is split into
 * parts (peers dealt to the parts at random, as hosts' positions on the ring
 * are random on a LAN) or has one peer cut off. While split, each part should
 * become an ideal ring of its own; after the heal, the parts should become
 * ONE ideal ring of all N again, with no coordinator and no special calls:
 * whatever merges them must run from RingPeer's own periodic tasks.
 *
 * Measured: virtual time (and stabilization rounds, time / stabilize
 * interval) until every part is an ideal ring, and after the heal until the
 * whole ring is ideal (`Truth.problems`: successor lists and predecessors),
 * with the requests sent meanwhile by method. A run that is not one ideal
 * ring by the deadline reports the rings the first successors form.
 */
import { Cluster } from '../cluster.ts'
import { grow } from '../build.ts'
import { Truth, successorRings } from '../truth.ts'
import type { Method, NetworkOptions } from '../network.ts'
import type { PeerTuning } from '../cluster.ts'
import type { RingPeer } from '../../src/ring/ring-peer.ts'

export type PartitionCase = 'halves' | 'quarters' | 'isolate one'

export interface PartitionOptions {
  seed: number
  n: number
  r: number
  case: PartitionCase
  /** virtual ms the network stays split */
  splitMs: number
  /** virtual ms after the heal before the run gives up on one ring */
  deadlineMs: number
  /** virtual ms between two checks of the ring (the resolution of the times) */
  checkEveryMs?: number
  network?: Partial<NetworkOptions>
  ringPeer?: PeerTuning
}

export interface PartitionRow {
  case: PartitionCase
  n: number
  r: number
  stabilizeInterval: number
  /** peers in each part, largest first */
  parts: number[]
  splitMs: number
  /** ms from the cut until every part was an ideal ring of its own (null: not within the split) */
  partsIdealMs: number | null
  /** rings the first successors formed when the network healed, largest first; rings in each part */
  ringsAtHeal: number[]
  ringsPerPartAtHeal: number[]
  deadlineMs: number
  /** ms from the heal until one ideal ring of all N (null: not by the deadline) */
  mergedMs: number | null
  /** rings at the end (the merge, or the deadline), largest first, and positions hanging off them */
  ringsAtEnd: number[]
  offRing: number
  /** requests sent from the heal to the merge (or the deadline), by method */
  messagesAfterHeal: Record<Method, number>
  messagesAfterHealPerPeer: number
  /** requests sent per peer per second while split, and requests or answers lost at the cut */
  requestsPerPeerPerSecondSplit: number
  lostAtCut: number
}

export async function partition (options: PartitionOptions): Promise<PartitionRow> {
  const checkEvery = options.checkEveryMs ?? 250
  const cluster = new Cluster({ seed: options.seed * 1000 + 700 + caseIndex(options.case), r: options.r, network: options.network, ringPeer: options.ringPeer })
  const { scheduler, network } = cluster
  await grow(cluster, options.n)
  const everyone = cluster.members()
  for (const peer of everyone) cluster.startMaintenance(peer)
  // a few periods of maintenance on timers, so the split hits a ring in its steady state
  await scheduler.advance(3 * cluster.options.stabilizeInterval)
  const before = cluster.truth().problems(options.r, { limit: 1 })
  if (before.length > 0) throw new Error(`ring not ideal before the split: ${before[0]}`)

  const parts = split(cluster, everyone, options.case)
  const cutAt = scheduler.now()
  const sentAtCut = totalSent(network.sent)
  network.partition(parts.map(part => part.map(p => p.peer)))
  // a Truth reads the members' pointers as they are at each check
  const partTruths = parts.map(part => new Truth(part))
  const partsIdeal = (): boolean => partTruths.every(t => t.problems(options.r, { limit: 1 }).length === 0)
  const partsIdealAt = await watch(cluster, partsIdeal, cutAt + options.splitMs, checkEvery)
  await scheduler.run(() => false, cutAt + options.splitMs)
  const splitRequests = totalSent(network.sent) - sentAtCut
  const lostAtCut = totalSent(network.cut)
  const ringsAtHeal = successorRings(everyone).sizes
  const ringsPerPartAtHeal = parts.map(part => successorRings(part).sizes.length)

  network.heal()
  const healedAt = scheduler.now()
  const sentAtHeal = { ...network.sent }
  const merged = (): boolean => cluster.truth().problems(options.r, { limit: 1 }).length === 0
  const mergedAt = await watch(cluster, merged, healedAt + options.deadlineMs, checkEvery)
  const messagesAfterHeal = { ...network.sent }
  for (const m of Object.keys(messagesAfterHeal) as Method[]) messagesAfterHeal[m] -= sentAtHeal[m]
  const end = successorRings(everyone)
  for (const peer of everyone) peer.stop()

  return {
    case: options.case,
    n: options.n,
    r: options.r,
    stabilizeInterval: cluster.options.stabilizeInterval,
    parts: parts.map(p => p.length).sort((a, b) => b - a),
    splitMs: options.splitMs,
    partsIdealMs: partsIdealAt === undefined ? null : partsIdealAt - cutAt,
    ringsAtHeal,
    ringsPerPartAtHeal,
    deadlineMs: options.deadlineMs,
    mergedMs: mergedAt === undefined ? null : mergedAt - healedAt,
    ringsAtEnd: end.sizes,
    offRing: end.off,
    messagesAfterHeal,
    messagesAfterHealPerPeer: totalSent(messagesAfterHeal) / options.n,
    requestsPerPeerPerSecondSplit: splitRequests / options.n / (options.splitMs / 1000),
    lostAtCut
  }
}

/** the parts of the split: peers dealt at random, or one random peer alone */
function split (cluster: Cluster, peers: RingPeer[], kind: PartitionCase): RingPeer[][] {
  const shuffled = cluster.workload.sample(peers, peers.length)
  if (kind === 'isolate one') return [shuffled.slice(0, 1), shuffled.slice(1)]
  const count = kind === 'halves' ? 2 : 4
  if (peers.length < count) throw new Error(`cannot split ${peers.length} peers into ${count} parts`)
  return Array.from({ length: count }, (_, i) => shuffled.filter((_, j) => j % count === i))
}

/**
 * Run the simulation until `holds()` is true at a check (every `every` ms of
 * virtual time) or the deadline passes; returns when it first held.
 */
async function watch (cluster: Cluster, holds: () => boolean, deadline: number, every: number): Promise<number | undefined> {
  const { scheduler } = cluster
  let at: number | undefined
  const check = (): void => {
    if (holds()) at = scheduler.now()
    else if (scheduler.now() + every <= deadline) scheduler.setTimeout(check, every)
  }
  check()
  await scheduler.run(() => at !== undefined, deadline)
  return at
}

function totalSent (counts: Record<Method, number>): number {
  return Object.values(counts).reduce((a, b) => a + b, 0)
}

function caseIndex (kind: PartitionCase): number {
  return kind === 'halves' ? 0 : kind === 'quarters' ? 1 : 2
}
