/**
 * Lookups under churn (Chord paper Fig. 12, ToN Table III): peers join and
 * crash as Poisson processes while every peer runs its periodic maintenance
 * and random lookups are graded against the true ring when they answer.
 *
 * The paper ran 500 nodes stabilizing every 30 s on average with join and
 * failure rates R = 0.05..0.40 per second. What matters is how much of the
 * ring changes per stabilization period, R·T/N, so the rates are scaled by
 * (30 s / our stabilize interval)·(N / 500): the same fraction of the ring
 * changes between two stabilizations as in the paper.
 */
import { Cluster } from '../cluster.ts'
import { grow } from '../build.ts'
import { lookupOnce, tally } from '../lookups.ts'
import { summarize } from '../stats.ts'
import type { LookupOutcome, LookupTally } from '../lookups.ts'
import type { NetworkOptions } from '../network.ts'
import type { Summary } from '../stats.ts'

const PAPER_N = 500
const PAPER_STABILIZE_MS = 30_000

export interface ChurnRow {
  n: number
  r: number
  /** the paper's rate R (joins per second, and as many failures per second) */
  paperRate: number
  /** joins per virtual second here (and as many crashes) after scaling */
  rate: number
  joins: number
  joinFailures: number
  crashes: number
  membersAtEnd: number
  tally: LookupTally
  hops: Summary
  timeouts: Summary
  /** ms from asking to the answer */
  latency: Summary
  /** requests sent per peer per second, maintenance and lookups together */
  requestsPerPeerPerSecond: number
}

export interface ChurnOptions {
  seed: number
  n: number
  r: number
  paperRates: number[]
  /** virtual ms of churn per rate */
  duration: number
  /** virtual ms of maintenance before churn starts */
  warmup: number
  /** lookups per virtual second */
  lookupRate: number
  network?: Partial<NetworkOptions>
}

export async function churn (options: ChurnOptions): Promise<ChurnRow[]> {
  const rows: ChurnRow[] = []
  for (const [i, paperRate] of options.paperRates.entries()) {
    const cluster = new Cluster({ seed: options.seed * 1000 + 500 + i, r: options.r, network: options.network })
    const { scheduler, workload } = cluster
    const rate = paperRate * (PAPER_STABILIZE_MS / cluster.options.stabilizeInterval) * (options.n / PAPER_N)
    await grow(cluster, options.n)
    for (const peer of cluster.members()) cluster.startMaintenance(peer)
    await scheduler.advance(options.warmup)

    const end = scheduler.now() + options.duration
    const sentBefore = totalSent(cluster)
    let joins = 0
    let joinFailures = 0
    let crashes = 0
    let memberSeconds = 0
    const outcomes: Array<Promise<LookupOutcome>> = []
    // events of a Poisson process at `perSecond`, until the end of the run
    const poisson = (perSecond: number, event: () => void): void => {
      const next = (): void => {
        scheduler.setTimeout(() => {
          if (scheduler.now() >= end) return
          event()
          next()
        }, workload.exponential(perSecond / 1000))
      }
      next()
    }
    poisson(rate, () => {
      const via = workload.pick(cluster.members())
      const peer = cluster.add()
      peer.join(via.nodes[0].self).then(() => {
        joins++
        cluster.membershipChanged()
        cluster.startMaintenance(peer)
      }, () => {
        joinFailures++
        cluster.crash(peer)
      })
    })
    poisson(rate, () => {
      const members = cluster.members()
      if (members.length <= options.r + 1) return
      cluster.crash(workload.pick(members))
      crashes++
    })
    poisson(options.lookupRate, () => {
      outcomes.push(lookupOnce(cluster, workload.pick(cluster.members())))
    })
    // member-seconds, sampled every 100 ms, for the per-peer request rate
    const sample = (): void => {
      memberSeconds += cluster.members().length / 10
      if (scheduler.now() + 100 < end) scheduler.setTimeout(sample, 100)
    }
    sample()
    await scheduler.run(() => false, end)
    const requests = totalSent(cluster) - sentBefore
    const done = await scheduler.settle(Promise.all(outcomes))
    for (const peer of cluster.live.values()) peer.stop()

    const answered = done.filter(o => o.result !== 'failed' && o.result !== 'abandoned')
    rows.push({
      n: options.n,
      r: options.r,
      paperRate,
      rate,
      joins,
      joinFailures,
      crashes,
      membersAtEnd: cluster.members().length,
      tally: tally(done),
      hops: summarize(answered.map(o => o.hops)),
      timeouts: summarize(answered.map(o => o.timeouts)),
      latency: summarize(answered.map(o => o.latency)),
      requestsPerPeerPerSecond: requests / Math.max(1, memberSeconds)
    })
  }
  return rows
}

function totalSent (cluster: Cluster): number {
  return Object.values(cluster.network.sent).reduce((a, b) => a + b, 0)
}
