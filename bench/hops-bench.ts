/**
 * Lookup path length of pure Chord routing (fingers and successor lists, no
 * location cache) on a live ring: the Chord paper's ½·log2 N figure.
 */
import { sampleHops } from './hops.ts'
import { startChordRing, stopRing, waitForRing } from './chord-ring.ts'
import { logger } from './log.ts'
import { loadavg } from './machine.ts'
import { summarize } from './stats.ts'
import type { HopsResult, HopsTask } from './types.ts'

const SUCCESSORS = 8

export async function runHops (task: HopsTask): Promise<HopsResult> {
  const log = logger(`hops n=${task.n} no cache`)
  const t0 = performance.now()
  const peers = await startChordRing(task.n, task.muxer, { successorListLength: SUCCESSORS, locationCacheSize: 0 })
  await waitForRing(peers, SUCCESSORS, 180_000)
  const setupMs = performance.now() - t0
  const sample = await sampleHops(peers, task.lookupsPerPeer)
  const hops = summarize(sample.hops)
  log(`mean ${hops.mean.toFixed(2)}, p99 ${hops.p99} (½·log2 N = ${(0.5 * Math.log2(task.n)).toFixed(2)}), wrong owners ${sample.wrong}, failed lookups ${sample.errors}${sample.firstError !== undefined ? ` (${sample.firstError})` : ''}`)
  await stopRing(peers)
  return { kind: 'hops', n: task.n, muxer: task.muxer, hops, wrong: sample.wrong, errors: sample.errors, firstError: sample.firstError, setupMs, loadavg: loadavg() }
}
