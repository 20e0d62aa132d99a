/**
 * Growing a converged ring: the first peer creates it, then peers join in
 * batches that double the ring (each through a random member), and after
 * each batch stabilization rounds run until every successor list and
 * predecessor is ideal, then one finger pass. Concurrent joins into the
 * same gap are exactly what the protocol must sort out, and they do: the
 * rounds needed are reported.
 */
import type { Cluster } from './cluster.ts'

export interface GrowthStep {
  size: number
  joined: number
  stabilizeRounds: number
  fingerProblems: number
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
      rounds += await cluster.converge(maxRounds)
      // fingers speed the next batch's joins up; without them a join walks successor lists
      await cluster.round(async n => n.fixFingers())
    }
    rounds += await cluster.converge(maxRounds)
    const fingerProblems = cluster.truth().problems(cluster.options.r, { fingers: true, limit: Infinity }).length
    steps.push({ size: stop, joined, stabilizeRounds: rounds, fingerProblems })
    await options.visit?.(stop)
  }
  return steps
}
