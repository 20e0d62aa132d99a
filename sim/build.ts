/**
 * Growing a converged ring through the protocol itself: the first peer
 * creates it, then peers join in batches that double the ring, each through
 * a random member. After each batch, stabilization rounds run until every
 * first successor and predecessor is right, then one finger pass; at the
 * sizes asked for, rounds go on until the full successor lists are ideal
 * and the fingers are checked. Concurrent joins into one gap are what the
 * protocol must sort out; the rounds it needed are reported.
 */
import type { Cluster } from './cluster.ts'

export interface GrowthStep {
  size: number
  joined: number
  /** stabilization rounds run since the previous stop */
  stabilizeRounds: number
}

/**
 * Grow to `size` peers; `at` lists sizes at which to stop, settle fingers
 * and call `visit` (e.g. to measure path length at N = 2^k).
 */
export async function grow (cluster: Cluster, size: number, options: { at?: number[], visit?: (size: number) => Promise<void>, maxRounds?: number } = {}): Promise<GrowthStep[]> {
  const maxRounds = options.maxRounds ?? 20 + 4 * cluster.options.r
  const stops = [...new Set([...(options.at ?? []), size])].filter(s => s <= size).sort((a, b) => a - b)
  const steps: GrowthStep[] = []
  if (cluster.members().length === 0) {
    const first = cluster.add()
    await cluster.scheduler.settle(first.create())
    cluster.membershipChanged()
  }
  for (const stop of stops) {
    let joined = 0
    let rounds = 0
    while (cluster.members().length < stop) {
      const current = cluster.members().length
      const batch = await cluster.joinBatch(Math.min(current, stop - current))
      joined += batch.length
      // joins need right first successors; full lists can wait for a stop
      rounds += await cluster.converge(maxRounds, true)
      // fingers speed the next batch's joins up; without them a join walks successor lists
      await cluster.round(async n => n.fixFingers())
    }
    rounds += await cluster.converge(maxRounds)
    let fingerProblems = cluster.truth().problems(cluster.options.r, { fingers: true, limit: Infinity }).length
    if (fingerProblems > 0) {
      // a finger pass that ran while a join was still settling: one more fixes it
      await cluster.round(async n => n.fixFingers())
      fingerProblems = cluster.truth().problems(cluster.options.r, { fingers: true, limit: Infinity }).length
    }
    if (fingerProblems > 0) throw new Error(`ring of ${stop} not ideal after two finger passes: ${fingerProblems} problems`)
    steps.push({ size: stop, joined, stabilizeRounds: rounds })
    await options.visit?.(stop)
  }
  return steps
}
