/**
 * What N peers cost while nothing happens: the ring is ideal, no workload
 * runs, and for a few seconds we count the CPU the process uses, the chord
 * requests each peer sends (by method) and the streams libp2p itself opens
 * (ping, identify). Per peer, both should stay flat as N grows.
 */
import { BENCH_INTERVALS, startChordRing, stopRing, waitForRing } from './chord-ring.ts'
import { logger } from './log.ts'
import { loadavg } from './machine.ts'
import { profiled } from './profiler.ts'
import { TrafficCounter, countingMetrics, sumDelta } from './traffic-counter.ts'
import type { IdleResult, IdleTask } from './types.ts'
import type { ChordInit } from '../src/index.ts'

const SUCCESSORS = 8

/** the library's defaults (stabilize every 1 s) or the bench's (every 250 ms); joins retry quickly in both */
function intervals (which: IdleTask['intervals']): ChordInit {
  return which === 'bench' ? BENCH_INTERVALS : { ...BENCH_INTERVALS, stabilizeInterval: 1000 }
}

const perSecond = (counts: Record<string, number>, n: number, seconds: number): Record<string, number> =>
  Object.fromEntries(Object.entries(counts).filter(([, v]) => v > 0).map(([k, v]) => [k, v / n / seconds]))

const total = (counts: Record<string, number>): number => Object.values(counts).reduce((a, b) => a + b, 0)

export async function runIdle (task: IdleTask): Promise<IdleResult> {
  const log = logger(`idle n=${task.n} ${task.intervals}`)
  const counters: TrafficCounter[] = []
  const t0 = performance.now()
  const peers = await startChordRing(task.n, task.muxer, { successorListLength: SUCCESSORS, ...intervals(task.intervals) }, 8, undefined, () => {
    const counter = new TrafficCounter()
    counters.push(counter)
    return { metrics: countingMetrics(counter) }
  })
  try {
    await waitForRing(peers, SUCCESSORS, 180_000, false)
    const setupMs = performance.now() - t0
    log(`ring ideal after ${(setupMs / 1000).toFixed(1)} s; idle for ${task.seconds} s`)
    // let the joins' own work (first finger passes, syncs) die down
    await new Promise(resolve => setTimeout(resolve, task.settleMs))
    const before = counters.map(c => c.snapshot())
    const cpu = process.cpuUsage()
    const started = performance.now()
    await profiled(task.profileDir, `idle-n${task.n}-${task.intervals}`, async () => {
      await new Promise(resolve => setTimeout(resolve, task.seconds * 1000))
    })
    const used = process.cpuUsage(cpu)
    const seconds = (performance.now() - started) / 1000
    const after = counters.map(c => c.snapshot())
    const rpcs = sumDelta(before.map(b => b.rpcs), after.map(a => a.rpcs))
    const streams = sumDelta(before.map(b => b.streams), after.map(a => a.streams))
    const cpuMs = (used.user + used.system) / 1000
    const result: IdleResult = {
      kind: 'idle',
      n: task.n,
      muxer: task.muxer,
      intervals: task.intervals,
      stabilizeMs: intervals(task.intervals).stabilizeInterval ?? 1000,
      setupMs,
      seconds,
      cpuPct: cpuMs / seconds / 10,
      cpuMsPerPeerSec: cpuMs / seconds / task.n,
      rpcsPerPeerSec: total(rpcs) / task.n / seconds,
      rpcs: perSecond(rpcs, task.n, seconds),
      streamsPerPeerSec: total(streams) / task.n / seconds,
      streams: perSecond(streams, task.n, seconds),
      connectionsPerPeer: peers.reduce((sum, p) => sum + p.getConnections().length, 0) / task.n,
      loadavg: loadavg()
    }
    log(`CPU ${result.cpuPct.toFixed(0)}% of a core, ${result.cpuMsPerPeerSec.toFixed(2)} ms/s per peer; ${result.rpcsPerPeerSec.toFixed(2)} requests and ${result.streamsPerPeerSec.toFixed(2)} new streams per peer per s; ${result.connectionsPerPeer.toFixed(1)} connections per peer`)
    return result
  } finally {
    await stopRing(peers)
  }
}
