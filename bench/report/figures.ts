/**
 * Reading figures out of a report: one phase of one system, the floor, and
 * the issue's targets evaluated against them.
 */
import type { BenchReport, FloorRow, PhaseResult, SystemResult } from '../types.ts'

export const CHORD = 'chord'
export const KAD_DEFAULT = 'kad-dht k=20'

export function systemsAt (report: BenchReport, n: number): SystemResult[] {
  return report.systems.filter(s => s.n === n)
}

export function findSystem (report: BenchReport, system: string, n: number): SystemResult | undefined {
  return report.systems.find(s => s.system === system && s.n === n)
}

export function phase (s: SystemResult | undefined, op: 'put' | 'get', concurrency: number, consistency = 'QUORUM'): PhaseResult | undefined {
  if (s === undefined) return undefined
  return s.phases.find(p => p.op === op && p.concurrency === concurrency && (s.kind === 'kad' || p.consistency === consistency))
}

export function floorRow (report: BenchReport, pattern: FloorRow['pattern'], payload?: number): FloorRow | undefined {
  const rows = report.floor.flatMap(f => f.rows).filter(r => r.pattern === pattern)
  return rows.find(r => r.payload === payload) ?? rows.at(-1)
}

/** The ring size the targets are stated for (32), or the nearest measured */
export function targetN (report: BenchReport): number | undefined {
  const ns = [...new Set(report.systems.map(s => s.n))]
  if (ns.length === 0) return undefined
  return ns.sort((a, b) => Math.abs(a - 32) - Math.abs(b - 32))[0]
}

export function kadK3Name (report: BenchReport): string | undefined {
  return report.systems.find(s => s.kind === 'kad' && s.system !== KAD_DEFAULT)?.system
}

export interface Target {
  target: string
  measured: string
  reached: boolean | undefined
}

const ratio = (a: number | undefined, b: number | undefined): number => (a === undefined || b === undefined || b === 0) ? NaN : a / b
const f1 = (v: number): string => Number.isFinite(v) ? (Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(2)) : 'n/a'
const check = (ok: boolean, ...vals: number[]): boolean | undefined => vals.every(Number.isFinite) ? ok : undefined

/** Remote requests a warm operation sends at N = 32 with r = 3: a QUORUM get asks 2 replicas, a put stores on 3 */
const REQUESTS_PER_OP = { get: 2, put: 3 } as const

/**
 * Issue 12: QUORUM puts and gets at 32 in flight ≥ 3,000/s, with the CPU
 * each costs, beside kad-dht's, and the bound the transport sets: bare
 * libp2p requests spread over as many peers, divided by the requests an
 * operation needs.
 */
function throughputTargets (report: BenchReport, n: number, chord: SystemResult | undefined, kad: SystemResult | undefined): Target[] {
  const spread = report.floor.flatMap(f => f.rows).find(r => r.pattern === 'spread')
  return (['put', 'get'] as const).map(op => {
    const ours = phase(chord, op, 32)
    const theirs = phase(kad, op, 32)
    const cpu = (p: PhaseResult | undefined): string => `${f1(p?.cpuMsPerOp ?? NaN)} ms CPU/op`
    const bound = spread === undefined
      ? ''
      : `; bare libp2p spread over ${spread.peers} peers ${f1(spread.opsPerSec)} req/s at ${f1((spread.cpuUsPerRequest ?? NaN) / 1000)} ms CPU/req, so ≤ ${f1(spread.opsPerSec / REQUESTS_PER_OP[op])} ${op}s/s (${REQUESTS_PER_OP[op]} requests each)`
    return {
      target: `N=${n}: QUORUM ${op}s at 32 in flight ≥ 3,000 ops/s (issue 12)`,
      measured: `${f1(ours?.opsPerSec ?? NaN)} ops/s, ${cpu(ours)}; target 3,000; kad-dht defaults ${f1(theirs?.opsPerSec ?? NaN)} ops/s, ${cpu(theirs)}${bound}`,
      reached: check((ours?.opsPerSec ?? 0) >= 3000, ours?.opsPerSec ?? NaN)
    }
  })
}

export function targets (report: BenchReport, valueSize: number): Target[] {
  const n = targetN(report)
  if (n === undefined) return [...handoffTargets(report), ...balanceTargets(report), ...idleTargets(report)]
  const chord = findSystem(report, CHORD, n)
  const kad = findSystem(report, KAD_DEFAULT, n)
  const k3 = findSystem(report, kadK3Name(report) ?? '', n)
  const out: Target[] = []
  for (const op of ['get', 'put'] as const) {
    const ours = phase(chord, op, 32)?.opsPerSec
    const theirs = phase(kad, op, 32)?.opsPerSec
    const theirsK3 = phase(k3, op, 32)?.opsPerSec
    const r1 = ratio(ours, theirs)
    const r2 = ratio(ours, theirsK3)
    out.push({
      target: `N=${n}: ${op} throughput at 32 in flight ≥ 300× kad-dht defaults and ≥ ~3,000 ops/s`,
      measured: `${f1(ours ?? NaN)} ops/s (QUORUM) vs ${f1(theirs ?? NaN)} ops/s: ${f1(r1)}×`,
      reached: check(r1 >= 300 && (ours ?? 0) >= 3000, r1)
    })
    out.push({
      target: `N=${n}: ${op} throughput at 32 in flight ≥ 30× kad-dht with k = r`,
      measured: `${f1(ours ?? NaN)} vs ${f1(theirsK3 ?? NaN)} ops/s: ${f1(r2)}×`,
      reached: check(r2 >= 30, r2)
    })
  }
  out.push(...throughputTargets(report, n, chord, kad))
  const getP50 = phase(chord, 'get', 1)?.latency.p50
  const kadP50 = phase(kad, 'get', 1)?.latency.p50
  const r3 = ratio(kadP50, getP50)
  out.push({
    target: `N=${n}: get p50 ≤ 1/30 of kad-dht defaults`,
    measured: `${f1(getP50 ?? NaN)} ms vs ${f1(kadP50 ?? NaN)} ms: 1/${f1(r3)}`,
    reached: check(r3 >= 30, r3)
  })
  const floor = floorRow(report, 'long-lived', valueSize)?.latency.p50
  const warm = chord?.hops?.warm.mean
  const bound = floor === undefined || warm === undefined ? NaN : 2 * (warm + 1) * floor
  out.push({
    target: `N=${n}: get p50 within 2× of (hops + 1) × floor`,
    measured: `${f1(getP50 ?? NaN)} ms vs 2 × (${f1(warm ?? NaN)} + 1) × ${f1(floor ?? NaN)} ms = ${f1(bound)} ms`,
    reached: check((getP50 ?? Infinity) <= bound, bound, getP50 ?? NaN)
  })
  for (const s of report.systems.filter(x => x.kind === 'chord' && x.hops !== undefined)) {
    const half = 0.5 * Math.log2(s.n)
    const pure = report.hops.find(h => h.n === s.n)
    const cold = pure?.hops.mean ?? s.hops!.cold.mean
    out.push({
      target: `N=${s.n}: mean hops ≤ ½·log2 N = ${f1(half)} cold, ≤ 1.2 warm`,
      measured: `${pure !== undefined ? `no cache ${f1(pure.hops.mean)}, ` : ''}first lookups ${f1(s.hops!.cold.mean)}, warm ${f1(s.hops!.warm.mean)}`,
      reached: cold <= half && s.hops!.warm.mean <= 1.2
    })
  }
  out.push(...handoffTargets(report))
  out.push(...balanceTargets(report))
  out.push(...idleTargets(report))
  const ourMem = chord?.memoryAfter.heapPerPeer
  const kadMem = kad?.memoryAfter.heapPerPeer
  const r4 = ratio(kadMem, ourMem)
  out.push({
    target: `N=${n}: memory per peer ≤ 1/5 of kad-dht's after the same workload (heap; kad-dht completes far fewer operations in the same time)`,
    measured: `${f1(ourMem ?? NaN)} MiB vs ${f1(kadMem ?? NaN)} MiB heap (RSS ${f1(chord?.memoryAfter.rssPerPeer ?? NaN)} vs ${f1(kad?.memoryAfter.rssPerPeer ?? NaN)} MiB): 1/${f1(r4)}; ring ready, no data: ${f1(chord?.memoryReady.heapPerPeer ?? NaN)} vs ${f1(kad?.memoryReady.heapPerPeer ?? NaN)} MiB`,
    reached: check(r4 >= 5, r4)
  })
  return out
}

/** Issue 12: keys held per peer (replicas counted) with the default options, beside plain hashed positions from the same run */
function balanceTargets (report: BenchReport): Target[] {
  return report.balance.filter(b => b.positionChoices > 1).map(b => {
    const hashed = report.balance.find(h => h.n === b.n && h.positionChoices === 1 && h.virtualNodes === 1)
    const p99 = b.held.p99 / b.held.mean
    const small = b.n <= 8
    return {
      target: `issue 12: N=${b.n}, defaults: keys held per peer p99 ≤ 1.3× the mean${small ? ' and max ≤ 1.5×' : ''}`,
      measured: `p99 ${f1(p99)}×, max ${f1(b.held.maxOverMean)}× (${b.keys} keys; one hashed position: p99 ${f1(hashed === undefined ? NaN : hashed.held.p99 / hashed.held.mean)}×, max ${f1(hashed?.held.maxOverMean ?? NaN)}×; idle CPU/peer ${f1(b.idleCpuPerPeer)}% vs ${f1(hashed?.idleCpuPerPeer ?? NaN)}%; kad-dht: each key on the k closest peers, not measured)`,
      reached: check(p99 <= 1.3 && (!small || b.held.maxOverMean <= 1.5), p99)
    }
  })
}

/** Issue 12: handoff join/leave ≥ 50 MB/s, beside the raw speed of one stream measured in the same run */
function handoffTargets (report: BenchReport): Target[] {
  return report.handoff.flatMap(h => h.phases.map(p => ({
    target: `issue 12: handoff ${p.what} ≥ 50 MB/s (${h.datastore}, ${h.keys} keys × ${h.valueSize} B, N=${h.n})`,
    measured: `${f1(p.mbPerSec)} MB/s from the start, ${f1(p.movingMbPerSec ?? NaN)} MB/s while moving (${f1(p.bytesMoved / 1e6)} MB in ${f1(p.transferMs / 1000)} s; r copies after ${f1(p.replicatedMs / 1000)} s); target 50 MB/s; raw stream ${f1(h.rawStream?.mbPerSec ?? NaN)} MB/s`,
    // judged on the issue's set-up only: a quick run's 1,000 keys in memory move too little to say
    reached: h.datastore === 'level' && h.keys >= 100_000 ? check(p.mbPerSec >= 50, p.mbPerSec) : undefined
  })))
}

/** Issue 12: idle cost per peer flat in N — the largest N's CPU and requests per peer within 1.5× of the smallest's */
function idleTargets (report: BenchReport): Target[] {
  return (['default', 'bench'] as const).flatMap(intervals => {
    const rows = (report.idle ?? []).filter(r => r.intervals === intervals).sort((a, b) => a.n - b.n)
    if (rows.length < 2) return []
    const [small, large] = [rows[0], rows[rows.length - 1]]
    const cpu = large.cpuMsPerPeerSec / small.cpuMsPerPeerSec
    const requests = large.rpcsPerPeerSec / small.rpcsPerPeerSec
    return [{
      target: `issue 12: idle cost per peer flat in N (${intervals} intervals): N=${large.n} within 1.5× of N=${small.n}`,
      measured: rows.map(r => `N=${r.n}: ${f1(r.cpuMsPerPeerSec)} ms CPU/s, ${f1(r.rpcsPerPeerSec)} requests/s, ${f1(r.connectionsPerPeer)} connections per peer`).join('; ') + `; ratios ${f1(cpu)}× CPU, ${f1(requests)}× requests; kad-dht: not measured idle`,
      reached: check(cpu <= 1.5 && requests <= 1.5, cpu, requests)
    }]
  })
}
