/**
 * The comparison table printed at the end of a run (and written as
 * Markdown): this DHT beside kad-dht with its defaults and with k = r, and
 * the floor, at each ring size.
 */
import { fmt } from './svg.ts'
import { CHORD, KAD_DEFAULT, findSystem, floorRow, kadK3Name, phase, targets } from './figures.ts'
import type { BenchReport, PhaseResult, SystemResult } from '../types.ts'

type Cell = string
type Row = [string, ...Cell[]]

const lat = (p: PhaseResult | undefined): Cell => p === undefined ? '–' : `${fmt(p.latency.p50)} / ${fmt(p.latency.p95)} / ${fmt(p.latency.p99)}`
const tput = (p: PhaseResult | undefined): Cell => p === undefined ? '–' : `${fmt(p.opsPerSec)}${p.errors + p.wrong > 0 ? ` (${p.errors + p.wrong} err)` : ''}`

function rowsFor (report: BenchReport, n: number, concurrency: number[]): { header: string[], rows: Row[] } {
  const chord = findSystem(report, CHORD, n)
  const cols: Array<{ name: string, s: SystemResult | undefined, consistency: string }> = [
    { name: 'chord QUORUM', s: chord, consistency: 'QUORUM' },
    { name: 'chord ONE', s: chord, consistency: 'ONE' },
    { name: KAD_DEFAULT, s: findSystem(report, KAD_DEFAULT, n), consistency: 'n/a' }
  ]
  const k3 = kadK3Name(report)
  if (k3 !== undefined) cols.push({ name: k3, s: findSystem(report, k3, n), consistency: 'n/a' })
  const present = cols.filter(c => c.s !== undefined)
  const floorLong = floorRow(report, 'long-lived')
  const floorNew = floorRow(report, 'new-stream')
  const floorCell = (what: 'lat' | 'tput', c: number): Cell => {
    if (floorLong === undefined) return '–'
    if (what === 'lat') return c === 1 ? `${fmt(floorLong.latency.p50)} / ${fmt(floorLong.latency.p95)} / ${fmt(floorLong.latency.p99)}` : '–'
    return c === floorLong.concurrency ? `${fmt(floorLong.opsPerSec)} (new stream: ${fmt(floorNew?.opsPerSec ?? NaN)})` : '–'
  }
  const rows: Row[] = []
  const each = (label: string, cell: (c: typeof present[number]) => Cell, floor: Cell = ''): void => {
    rows.push([label, ...present.map(cell), floor])
  }
  each('ready after (s)', c => fmt(c.s!.setupMs / 1000))
  each('idle CPU (% of a core)', c => fmt(c.s!.idleCpuPct))
  for (const op of ['put', 'get'] as const) {
    each(`${op} latency c=1 p50/p95/p99 ms`, c => lat(phase(c.s, op, 1, c.consistency)), floorCell('lat', 1))
    for (const conc of concurrency) {
      each(`${op} ops/s c=${conc}`, c => tput(phase(c.s, op, conc, c.consistency)), floorCell('tput', conc))
      each(`${op} latency c=${conc} p50/p99 ms`, c => {
        const p = phase(c.s, op, conc, c.consistency)
        return p === undefined ? '–' : `${fmt(p.latency.p50)} / ${fmt(p.latency.p99)}`
      })
    }
    each(`${op} CPU ms/op c=32`, c => fmt(phase(c.s, op, 32, c.consistency)?.cpuMsPerOp ?? NaN))
    each(`${op}s acknowledged in all phases`, c => `${c.s!.phases.filter(p => p.op === op && (c.s!.kind === 'kad' || p.consistency === c.consistency)).reduce((a, p) => a + p.ops - p.wrong, 0)}`)
  }
  each('heap MiB/peer, ring ready (no data)', c => fmt(c.s!.memoryReady.heapPerPeer))
  each('RSS MiB/peer, ring ready (no data)', c => fmt(c.s!.memoryReady.rssPerPeer))
  each('heap MiB/peer after workload', c => fmt(c.s!.memoryAfter.heapPerPeer))
  each('RSS MiB/peer after workload', c => fmt(c.s!.memoryAfter.rssPerPeer))
  if (chord?.hops !== undefined) {
    const pure = report.hops.find(h => h.n === n)
    rows.push([`hops mean: ${pure !== undefined ? 'no cache / ' : ''}first / warm (½·log2 N = ${fmt(0.5 * Math.log2(n))})`, `${pure !== undefined ? `${fmt(pure.hops.mean)} / ` : ''}${fmt(chord.hops.cold.mean)} / ${fmt(chord.hops.warm.mean)}`, '', ...present.slice(2).map(() => ''), ''])
  }
  each('event-loop delay max ms (get c=32)', c => fmt(phase(c.s, 'get', 32, c.consistency)?.loopDelay?.max ?? NaN))
  return { header: [`N = ${n}`, ...present.map(c => c.name), `floor (${floorLong?.payload ?? '?'} B, long-lived stream)`], rows }
}

function textTable (header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map(r => (r[i] ?? '').length)))
  const line = (cells: string[]): string => cells.map((c, i) => (c ?? '').padEnd(widths[i])).join('  ').trimEnd()
  return [line(header), widths.map(w => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n')
}

function mdTable (header: string[], rows: string[][]): string {
  const esc = (s: string): string => s.replace(/\|/g, '\\|')
  return [`| ${header.map(esc).join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map(r => `| ${r.map(esc).join(' | ')} |`)].join('\n')
}

export function comparison (report: BenchReport, concurrency: number[], markdown: boolean): string {
  const ns = [...new Set(report.systems.map(s => s.n))].sort((a, b) => a - b)
  return ns.map(n => {
    const { header, rows } = rowsFor(report, n, concurrency)
    return markdown ? mdTable(header, rows) : textTable(header, rows)
  }).join('\n\n')
}

export function targetTable (report: BenchReport, valueSize: number, markdown: boolean): string {
  const rows = targets(report, valueSize).map(t => [t.reached === undefined ? 'n/a' : t.reached ? 'REACHED' : 'NOT reached', t.target, t.measured])
  const header = ['status', 'target (issue 5 unless marked)', 'measured']
  return markdown ? mdTable(header, rows) : textTable(header, rows)
}

export function floorTable (report: BenchReport, markdown: boolean): string {
  const rows = report.floor.flatMap(f => f.rows.map(r => [f.muxer, r.pattern === 'spread' ? `spread over ${r.peers} peers (p50… at ${r.concurrency} in flight)` : r.pattern, `${r.payload}`, fmt(r.latency.p50), fmt(r.latency.p95), fmt(r.latency.p99), `${fmt(r.opsPerSec)} @${r.concurrency}`, fmt(r.cpuUsPerRequest ?? NaN)]))
  const header = ['muxer', 'pattern', 'payload B', 'p50 ms', 'p95 ms', 'p99 ms', 'req/s', 'CPU µs/req']
  return markdown ? mdTable(header, rows) : textTable(header, rows)
}

export function handoffTable (report: BenchReport, markdown: boolean): string {
  const rows = report.handoff.flatMap(h => [...h.phases.map(p => [
    `${p.what} (${h.datastore}, N=${h.n}, ${h.keys} keys × ${h.valueSize} B)`,
    fmt(p.doneMs / 1000), fmt(p.replicatedMs / 1000), `${p.keysMoved}`, fmt(p.bytesMoved / 1e6), fmt(p.keysPerSec), fmt(p.mbPerSec), fmt(p.movingMbPerSec ?? NaN), `${p.copies}/${p.expectedCopies}`
  ]), ...(h.rawStream === undefined
    ? []
    : [[`raw stream (1 stream, TCP + noise + ${h.muxer}, same run)`, '', '', '', fmt(h.rawStream.bytes / 1e6), '', fmt(h.rawStream.mbPerSec), fmt(h.rawStream.mbPerSec), '']])])
  const header = ['handoff', 'moving peer done s', 'exact r copies s', 'keys moved', 'MB moved', 'keys/s', 'MB/s from the start', 'MB/s while moving', 'copies/expected']
  return markdown ? mdTable(header, rows) : textTable(header, rows)
}

/** puts/s on LevelDB with each durability mode */
export function durabilityTable (report: BenchReport, markdown: boolean): string {
  const rows = report.durability.flatMap(d => d.rows.map(r => [
    r.level === 'store' ? `LocalStore.apply, ${d.valueSize} B` : `ring of 3, QUORUM put, ${d.valueSize} B`,
    r.mode, `${r.concurrency}`, fmt(r.opsPerSec), r.writesPerSync === undefined ? '' : fmt(r.writesPerSync)
  ]))
  const header = ['durable writes (LevelDB)', 'mode', 'in flight', 'writes/s', 'writes per fsync']
  return markdown ? mdTable(header, rows) : textTable(header, rows)
}

export function balanceTable (report: BenchReport, markdown: boolean): string {
  const rows = report.balance.flatMap(b => (['owned', 'held'] as const).map(kind => {
    const s = b[kind]
    const how = b.positionChoices > 1 ? `1 of ${b.positionChoices} chosen` : `v=${b.virtualNodes} hashed`
    return [`N=${b.n} ${how} ${kind}`, `${b.keys}`, fmt(s.mean), `${s.p1}`, `${s.p50}`, `${s.p99}`, fmt(s.p99 / s.mean), fmt(s.maxOverMean), `${s.zero}`, kind === 'held' ? `${fmt(b.idleCpuPerPeer)}%` : '']
  }))
  const header = ['keys per peer', 'keys', 'mean', 'p1', 'p50', 'p99', 'p99/mean', 'max/mean', 'peers with 0', 'idle CPU/peer']
  return markdown ? mdTable(header, rows) : textTable(header, rows)
}

/** Idle cost per peer at each N: CPU, requests and new streams per peer per second */
export function idleTable (report: BenchReport, markdown: boolean): string {
  const top = (counts: Record<string, number>): string => Object.entries(counts).sort((a, b) => b[1] - a[1]).slice(0, 4)
    .map(([k, v]) => `${k.replace(/^\/ipfs\/|^\/chord\//, '')} ${fmt(v)}`).join(', ')
  const rows = (report.idle ?? []).map(r => [
    `${r.n}`, `${r.intervals} (stabilize ${r.stabilizeMs} ms)`, fmt(r.cpuPct), fmt(r.cpuMsPerPeerSec), fmt(r.rpcsPerPeerSec), top(r.rpcs),
    fmt(r.streamsPerPeerSec), top(r.streams), fmt(r.connectionsPerPeer), r.loadavg.join(' ')
  ])
  const header = ['idle N', 'intervals', 'CPU % of a core', 'CPU ms/s per peer', 'requests/s per peer', 'by method', 'new streams/s per peer', 'by protocol', 'connections per peer', 'load avg']
  return markdown ? mdTable(header, rows) : textTable(header, rows)
}

/** One peer per process: the workload's figures, CPU summed over the children */
export function multiprocTable (report: BenchReport, markdown: boolean): string {
  const single = (n: number, p: PhaseResult): PhaseResult | undefined => phase(findSystem(report, CHORD, n), p.op, p.concurrency, p.consistency)
  const rows = (report.multiproc ?? []).flatMap(m => m.phases.map(p => {
    const one = single(m.n, p)
    return [
      `${m.n}`, `${p.op} ${p.consistency} c=${p.concurrency}`, tput(p), `${fmt(p.latency.p50)} / ${fmt(p.latency.p99)}`, fmt(p.cpuMsPerOp),
      one === undefined ? '–' : tput(one), one === undefined ? '–' : `${fmt(one.latency.p50)} / ${fmt(one.latency.p99)}`, one === undefined ? '–' : fmt(one.cpuMsPerOp),
      m.loadavg.join(' ')
    ]
  }))
  const header = ['processes N', 'phase', 'ops/s', 'p50 / p99 ms', 'CPU ms/op (all processes)', 'one process: ops/s', 'p50 / p99 ms', 'CPU ms/op', 'load avg']
  return markdown ? mdTable(header, rows) : textTable(header, rows)
}
