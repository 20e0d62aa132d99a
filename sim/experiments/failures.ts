/**
 * Simultaneous failures (Chord paper Fig. 11, ToN Table II): on a converged
 * ring with successor lists of r = 2·log2 N, a fraction p of the peers
 * crash at once. Lookups are measured right away, before any maintenance
 * has run; after one stabilization round (every survivor runs stabilize and
 * checkPredecessor once); and once the ring is healed: stabilization rounds
 * until every successor list and predecessor is ideal, then one finger pass.
 */
import { Cluster } from '../cluster.ts'
import { grow } from '../build.ts'
import { lookupBatch, tally } from '../lookups.ts'
import { summarize } from '../stats.ts'
import type { LookupTally } from '../lookups.ts'
import type { NetworkOptions } from '../network.ts'
import type { Summary } from '../stats.ts'

export interface FailurePhase {
  /** none: right after the crash; round: after one stabilization round; healed: ring ideal again */
  phase: 'none' | 'round' | 'healed'
  /** stabilization rounds run since the crash */
  rounds: number
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
}

export interface FailureOptions {
  seed: number
  n: number
  r: number
  fractions: number[]
  lookups: number
  network?: Partial<NetworkOptions>
}

export async function failures (options: FailureOptions): Promise<FailureRow[]> {
  const rows: FailureRow[] = []
  for (const [i, p] of options.fractions.entries()) {
    // a fresh ring per trial; trials with the same seed share the ring and the
    // order in which peers are picked to crash (common random numbers)
    const cluster = new Cluster({ seed: options.seed * 1000 + i, r: options.r, network: options.network })
    await grow(cluster, options.n)
    const victims = cluster.workload.sample(cluster.members(), Math.round(p * options.n))
    for (const peer of victims) cluster.crash(peer)
    const truth = cluster.truth()
    const orphaned = cluster.members().filter(peer => peer.nodes.every(n => !n.getSuccessorList().some(s => truth.has(s)))).length
    const phases: FailurePhase[] = []
    const measure = async (phase: FailurePhase['phase'], rounds: number): Promise<void> => {
      const outcomes = await lookupBatch(cluster, options.lookups)
      const answered = outcomes.filter(o => o.result !== 'failed')
      phases.push({ phase, rounds, tally: tally(outcomes), hops: summarize(answered.map(o => o.hops)), timeouts: summarize(answered.map(o => o.timeouts)) })
    }
    await measure('none', 0)
    await cluster.stabilizationRound()
    await measure('round', 1)
    const rounds = 1 + await cluster.converge(20 + 4 * options.r)
    await cluster.round(async n => n.fixFingers())
    await measure('healed', rounds)
    rows.push({ n: options.n, r: options.r, p, crashed: victims.length, orphaned, phases })
  }
  return rows
}
