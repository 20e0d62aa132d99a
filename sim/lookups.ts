/**
 * Lookups issued through RingPeer.findSuccessor and graded against the true
 * ring: correct (the true successor of the key among live members), wrong
 * owner, or failed (the lookup threw).
 */
import { sameNode } from '../src/ring/node-ref.ts'
import type { Cluster } from './cluster.ts'
import type { RingPeer } from '../src/ring/ring-peer.ts'

export interface LookupOutcome {
  /**
   * ok: the true successor; stale: a member that is no longer in the ring
   * (crashed); wrong: a live member that is not the owner; failed: the lookup
   * threw; abandoned: the asking peer crashed before the answer came
   */
  result: 'ok' | 'stale' | 'wrong' | 'failed' | 'abandoned'
  hops: number
  /** members that did not answer on the way (each cost a timeout) */
  timeouts: number
  /** virtual ms from start to answer */
  latency: number
}

/** one lookup of a random key from `from`, graded when it answers */
export async function lookupOnce (cluster: Cluster, from: RingPeer): Promise<LookupOutcome> {
  const key = cluster.workload.id()
  const started = cluster.scheduler.now()
  try {
    const answer = await Promise.race([from.findSuccessor(key), cluster.whenCrashed(from)])
    if (answer === undefined) return { result: 'abandoned', hops: 0, timeouts: 0, latency: cluster.scheduler.now() - started }
    const { owner, hops, failures } = answer
    const truth = cluster.truth()
    const result = sameNode(owner, truth.successor(key)) ? 'ok' : truth.has(owner) ? 'wrong' : 'stale'
    return { result, hops, timeouts: failures, latency: cluster.scheduler.now() - started }
  } catch {
    return { result: 'failed', hops: 0, timeouts: 0, latency: cluster.scheduler.now() - started }
  }
}

/** `count` lookups at once from random members, run to completion */
export async function lookupBatch (cluster: Cluster, count: number): Promise<LookupOutcome[]> {
  const from = cluster.members()
  const work = Array.from({ length: count }, async () => lookupOnce(cluster, cluster.workload.pick(from)))
  return cluster.scheduler.settle(Promise.all(work))
}

export interface LookupTally {
  lookups: number
  ok: number
  stale: number
  wrong: number
  failed: number
  /** (stale + wrong + failed) / lookups; lookups by peers that crashed meanwhile are left out */
  failedFraction: number
}

export function tally (all: readonly LookupOutcome[]): LookupTally {
  const outcomes = all.filter(o => o.result !== 'abandoned')
  const count = (r: LookupOutcome['result']): number => outcomes.filter(o => o.result === r).length
  const ok = count('ok')
  const lookups = outcomes.length
  return { lookups, ok, stale: count('stale'), wrong: count('wrong'), failed: count('failed'), failedFraction: lookups === 0 ? 0 : (lookups - ok) / lookups }
}
