/**
 * The SVG charts of a run, written next to its JSON: hops against N,
 * throughput and latency per system, handoff timelines, load balance.
 */
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { barChart, lineChart } from './svg.ts'
import { CHORD, KAD_DEFAULT, findSystem, floorRow, kadK3Name, phase, targetN } from './figures.ts'
import type { BenchReport, SystemResult } from '../types.ts'

interface Column { name: string, s: SystemResult | undefined, consistency: string }

function columns (report: BenchReport, n: number): Column[] {
  const chord = findSystem(report, CHORD, n)
  const cols: Column[] = [
    { name: 'chord QUORUM', s: chord, consistency: 'QUORUM' },
    { name: 'chord ONE', s: chord, consistency: 'ONE' },
    { name: KAD_DEFAULT, s: findSystem(report, KAD_DEFAULT, n), consistency: 'n/a' }
  ]
  const k3 = kadK3Name(report)
  if (k3 !== undefined) cols.push({ name: k3, s: findSystem(report, k3, n), consistency: 'n/a' })
  return cols.filter(c => c.s !== undefined)
}

/** Charts as [file name, svg text] */
export function charts (report: BenchReport, concurrency: number[]): Array<[string, string]> {
  const out: Array<[string, string]> = []
  const chordRuns = report.systems.filter(s => s.kind === 'chord' && s.hops !== undefined).sort((a, b) => a.n - b.n)
  if (chordRuns.length > 0) {
    out.push(['hops.svg', lineChart({
      title: 'Lookup path length vs N (chord, TCP in one process)',
      xLabel: 'peers N (log scale)',
      yLabel: 'hops per lookup',
      logX: true,
      series: [
        ...(report.hops.length > 0 ? [{ name: 'mean, no cache', points: [...report.hops].sort((a, b) => a.n - b.n).map(h => [h.n, h.hops.mean] as [number, number]) }] : []),
        { name: 'mean, first lookups', points: chordRuns.map(s => [s.n, s.hops!.cold.mean]) },
        { name: 'mean, warm', points: chordRuns.map(s => [s.n, s.hops!.warm.mean]) },
        ...(report.hops.length > 0 ? [{ name: 'p99, no cache', points: [...report.hops].sort((a, b) => a.n - b.n).map(h => [h.n, h.hops.p99] as [number, number]) }] : []),
        { name: '½·log2 N (paper)', points: chordRuns.map(s => [s.n, 0.5 * Math.log2(s.n)]), dashed: true },
        { name: '1.2 (warm target)', points: chordRuns.map(s => [s.n, 1.2]), dashed: true }
      ]
    })])
  }
  const n = targetN(report)
  if (n !== undefined) {
    const cols = columns(report, n)
    const floor = floorRow(report, 'long-lived')
    const groups = (['put', 'get'] as const).flatMap(op => concurrency.map(c => ({ op, c, label: `${op} @${c}` })))
    out.push(['throughput.svg', barChart({
      title: `Throughput at N = ${n} (ops/s)`,
      yLabel: 'operations per second',
      log: true,
      groups: groups.map(g => g.label),
      series: [
        ...cols.map(col => ({ name: col.name, values: groups.map(g => phase(col.s, g.op, g.c, col.consistency)?.opsPerSec ?? NaN) })),
        ...(floor === undefined ? [] : [{ name: 'floor (1 RPC)', values: groups.map(g => g.c === floor.concurrency ? floor.opsPerSec : NaN) }])
      ]
    })])
    const latGroups = (['put', 'get'] as const).flatMap(op => (['p50', 'p99'] as const).map(q => ({ op, q, label: `${op} ${q}` })))
    out.push(['latency.svg', barChart({
      title: `Sequential latency at N = ${n} (ms)`,
      yLabel: 'milliseconds',
      log: true,
      groups: latGroups.map(g => g.label),
      series: [
        ...cols.map(col => ({ name: col.name, values: latGroups.map(g => phase(col.s, g.op, 1, col.consistency)?.latency[g.q] ?? NaN) })),
        ...(floor === undefined ? [] : [{ name: 'floor (1 RPC)', values: latGroups.map(g => floor.latency[g.q]) }])
      ]
    })])
    out.push(['memory.svg', barChart({
      title: `Memory per peer at N = ${n}, after the workload (MiB)`,
      yLabel: 'MiB per peer',
      groups: ['heap', 'RSS'],
      series: cols.filter(c => c.consistency !== 'ONE').map(col => ({ name: col.name.replace(' QUORUM', ''), values: [col.s!.memoryAfter.heapPerPeer, col.s!.memoryAfter.rssPerPeer] }))
    })])
  }
  for (const h of report.handoff) {
    out.push([`handoff-${h.datastore}.svg`, lineChart({
      title: `Handoff (${h.datastore}): ${h.keys} keys × ${h.valueSize} B, N = ${h.n}, MB moved`,
      xLabel: 'seconds since the join / leave started',
      yLabel: 'MB moved',
      series: h.phases.map(p => {
        let sum = 0
        return { name: p.what, points: [[0, 0] as [number, number], ...p.timeline.map(e => { sum += e.bytes; return [e.t / 1000, sum / 1e6] as [number, number] })] }
      })
    })])
  }
  if (report.balance.length > 0) {
    out.push(['balance.svg', lineChart({
      title: 'Keys per peer (owned), sorted, as a multiple of the mean',
      xLabel: 'peers, from least to most loaded (fraction)',
      yLabel: 'keys / mean',
      series: report.balance.map(b => ({
        name: `N=${b.n}, v=${b.virtualNodes}: max ${b.owned.maxOverMean.toFixed(2)}×`,
        points: b.ownedCounts.map((c, i) => [b.ownedCounts.length === 1 ? 1 : i / (b.ownedCounts.length - 1), c / b.owned.mean] as [number, number])
      }))
    })])
  }
  return out
}

export async function writeCharts (report: BenchReport, concurrency: number[], dir: string, prefix: string): Promise<string[]> {
  const written: string[] = []
  for (const [name, svg] of charts(report, concurrency)) {
    const file = join(dir, `${prefix}-${name}`)
    await writeFile(file, svg)
    written.push(file)
  }
  return written
}
