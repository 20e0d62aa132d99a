/**
 * Path length vs N (Chord paper Fig. 10): grow one ring through N = 2^k,
 * and at each size, once the ring and its fingers are ideal, look up random
 * keys from random peers and summarize the hops.
 */
import { Cluster } from '../cluster.ts'
import { grow } from '../build.ts'
import { lookupBatch, tally } from '../lookups.ts'
import { summarize } from '../stats.ts'
import type { Summary } from '../stats.ts'

export interface PathLengthRow {
  n: number
  halfLog2N: number
  hops: Summary
  /** findSuccessorStep requests sent per lookup, failed ones included */
  requestsPerLookup: number
  lookups: number
  /** lookups that named the wrong owner or failed (must be 0 on a static ring) */
  incorrect: number
  /** stabilization rounds the growth to this size took, in total */
  stabilizeRounds: number
}

export interface PathLengthOptions {
  seed: number
  sizes: number[]
  lookups: number
  r: number
  /** RingPeer's location cache size (0: plain Chord routing) */
  locationCache?: number
}

export async function pathLength (options: PathLengthOptions): Promise<PathLengthRow[]> {
  const cluster = new Cluster({ seed: options.seed, r: options.r, locationCacheSize: options.locationCache ?? 0 })
  const warm = (options.locationCache ?? 0) > 0
  const rows: PathLengthRow[] = []
  const steps = await grow(cluster, Math.max(...options.sizes), {
    at: options.sizes,
    visit: async (n) => {
      // with a location cache, measure once it is warm: after a first batch
      if (warm) await lookupBatch(cluster, options.lookups)
      const before = cluster.network.sent.findSuccessorStep
      const outcomes = await lookupBatch(cluster, options.lookups)
      const t = tally(outcomes)
      rows.push({
        n,
        halfLog2N: 0.5 * Math.log2(n),
        hops: summarize(outcomes.map(o => o.hops)),
        requestsPerLookup: (cluster.network.sent.findSuccessorStep - before) / outcomes.length,
        lookups: t.lookups,
        incorrect: t.lookups - t.ok,
        stabilizeRounds: 0
      })
    }
  })
  for (const row of rows) row.stabilizeRounds = steps.find(s => s.size === row.n)?.stabilizeRounds ?? 0
  return rows
}
