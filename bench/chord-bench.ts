/**
 * This project's DHT on N peers in one process: ring formation, lookup hops
 * cold and warm, the key-value workload at each consistency level, memory
 * and CPU.
 */
import { addrOf, startChordRing, stopRing, waitForRing } from './chord-ring.ts'
import { sampleHops } from './hops.ts'
import { logger } from './log.ts'
import { loadavg } from './machine.ts'
import { profiled } from './profiler.ts'
import { idleCpu, perPeer, snapshot } from './memory.ts'
import { summarize } from './stats.ts'
import { Workload } from './workload.ts'
import type { Peer } from './chord-ring.ts'
import type { ChordTask, SystemResult } from './types.ts'
import type { KvTarget } from './workload.ts'
import type { Consistency } from '../src/index.ts'

const SUCCESSORS = 8

function target (peers: Peer[], consistency: Consistency): KvTarget {
  return {
    peers: peers.length,
    async put (i, key, value, signal) { await peers[i].services.chord.put(key, value, { consistency, signal }) },
    async get (i, key, signal) { return peers[i].services.chord.get(key, { consistency, signal }) }
  }
}

export async function runChord (task: ChordTask): Promise<SystemResult> {
  const log = logger(`chord n=${task.n}`)
  const before = await snapshot()
  const t0 = performance.now()
  const peers = await startChordRing(task.n, task.muxer, { successorListLength: SUCCESSORS })
  log(`${task.n} peers joined in ${((performance.now() - t0) / 1000).toFixed(1)} s (first at ${addrOf(peers[0])}); waiting for the ideal ring${task.waitFingers ? ' and complete fingers' : ''}`)
  await waitForRing(peers, SUCCESSORS, 180_000, task.waitFingers)
  const setupMs = performance.now() - t0
  log(`ring ideal after ${(setupMs / 1000).toFixed(1)} s`)
  const ready = await snapshot()
  const idleCpuPct = await idleCpu(2000)
  log(`idle CPU ${idleCpuPct.toFixed(0)}% of a core`)

  const cold = await sampleHops(peers, task.lookupsPerPeer)
  await sampleHops(peers, task.warmupPerPeer)
  const warm = await sampleHops(peers, task.lookupsPerPeer)
  const hops = { cold: summarize(cold.hops), warm: summarize(warm.hops), wrong: cold.wrong + warm.wrong, failures: cold.failures + warm.failures, errors: cold.errors + warm.errors }
  log(`hops: cold mean ${hops.cold.mean.toFixed(2)}, warm mean ${hops.warm.mean.toFixed(2)} (½·log2 N = ${(0.5 * Math.log2(task.n)).toFixed(2)}), wrong owners ${hops.wrong}, failed lookups ${hops.errors}`)

  const workload = new Workload(task.workload, `chord-${task.n}`)
  const phases: SystemResult['phases'] = []
  await profiled(task.profileDir, `chord-n${task.n}-workload`, async () => {
    for (const consistency of task.consistencies) phases.push(...await workload.all(target(peers, consistency), consistency, log))
  })
  const after = await snapshot()
  const result: SystemResult = {
    kind: 'chord',
    system: 'chord',
    n: task.n,
    muxer: task.muxer,
    setupMs,
    idleCpuPct,
    memoryReady: perPeer(before, ready, task.n),
    memoryAfter: perPeer(before, after, task.n),
    phases,
    hops,
    loadavg: loadavg()
  }
  await stopRing(peers)
  return result
}
