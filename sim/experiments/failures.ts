/**
 * Simultaneous failures (Chord paper Fig. 11, ToN Table II): on a converged
 * ring with successor lists of r = 2·log2 N, a fraction p of the peers
 * crash at once. Lookups are measured right away, before any maintenance
 * runs, then again after the survivors' periodic maintenance has run for a
 * while.
 */
import { Cluster } from '../cluster.ts'
import { grow } from '../build.ts'
import { lookupBatch, tally } from '../lookups.ts'
import { summarize } from '../stats.ts'
import type { LookupTally } from '../lookups.ts'
import type { NetworkOptions } from '../network.ts'
import type { Summary } from '../stats.ts'

export interface FailurePhase {
  /** virtual ms of maintenance since the crash (0: none has run) */
  after: number
  tally: LookupTally
  hops: Summary
  timeouts: Summary
}

export interface FailureRow {
  n: number
  r: number
  p: number
  crashed: number
  /** survivors whose whole successor list crashed: beyond what Chord promises */
  orphaned: number
  phases: FailurePhase[]
  /** remaining differences from the ideal ring (successors, predecessors, fingers) at the end */
  idealProblems: number
}

export interface FailureOptions {
  seed: number
  n: number
  r: number
  fractions: number[]
  lookups: number
  /** virtual ms of maintenance after which to measure again */
  checkpoints: number[]
  network?: Partial<NetworkOptions>
}

export async function failures (options: FailureOptions): Promise<FailureRow[]> {
  const rows: FailureRow[] = []
  for (const [i, p] of options.fractions.entries()) {
    // a fresh ring per fraction: each trial starts from the same kind of converged ring
    const cluster = new Cluster({ seed: options.seed * 1000 + i, r: options.r, network: options.network })
    await grow(cluster, options.n)
    const victims = cluster.workload.sample(cluster.members(), Math.round(p * options.n))
    for (const peer of victims) cluster.crash(peer)
    const truth = cluster.truth()
    const orphaned = cluster.members().filter(peer => peer.nodes.every(n => !n.getSuccessorList().some(s => truth.has(s)))).length
    const phases: FailurePhase[] = []
    const measure = async (after: number): Promise<void> => {
      const outcomes = await lookupBatch(cluster, options.lookups)
      const answered = outcomes.filter(o => o.result !== 'failed')
      phases.push({ after, tally: tally(outcomes), hops: summarize(answered.map(o => o.hops)), timeouts: summarize(answered.map(o => o.timeouts)) })
    }
    await measure(0)
    const started = cluster.scheduler.now()
    for (const peer of cluster.members()) cluster.startMaintenance(peer)
    for (const after of options.checkpoints) {
      await cluster.scheduler.run(() => false, started + after)
      await measure(after)
    }
    for (const peer of cluster.members()) peer.stop()
    const idealProblems = cluster.truth().problems(options.r, { fingers: true, limit: Infinity }).length
    rows.push({ n: options.n, r: options.r, p, crashed: victims.length, orphaned, phases, idealProblems })
  }
  return rows
}
