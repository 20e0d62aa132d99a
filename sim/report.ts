/** The console tables of a simulator run, one per paper experiment */
import { percent, table } from './table.ts'
import type { ChurnRow } from './experiments/churn.ts'
import type { FailureRow } from './experiments/failures.ts'
import type { LoadRow } from './experiments/load.ts'
import type { BalanceRow } from './experiments/balance.ts'
import type { PartitionRow } from './experiments/partition.ts'
import type { Method } from './network.ts'
import type { PathLengthRow } from './experiments/path-length.ts'
import type { Summary } from './stats.ts'

export interface PathVariant {
  variant: string
  r: number
  locationCache: number
  rows: PathLengthRow[]
}

const spread = (s: Summary): string => `${s.mean.toFixed(2)} (${s.p1}, ${s.p99})`

export function pathTable (variants: PathVariant[]): string {
  const sizes = [...new Set(variants.flatMap(v => v.rows.map(r => r.n)))].sort((a, b) => a - b)
  const label = (v: PathVariant): string => `r=${v.r}${v.locationCache > 0 ? ' +cache(warm)' : ''}`
  const headers = ['N', '½·log2 N', ...variants.map(v => `${label(v)} mean (p1, p99)`), 'lookups', 'incorrect']
  const rows = sizes.map(n => {
    const at = variants.map(v => v.rows.find(r => r.n === n))
    return [
      n,
      0.5 * Math.log2(n),
      ...at.map(r => (r === undefined ? '–' : spread(r.hops))),
      at.reduce((a, r) => a + (r?.lookups ?? 0), 0),
      at.reduce((a, r) => a + (r?.incorrect ?? 0), 0)
    ]
  })
  return table('Path length vs N (paper Fig. 10): hops per lookup, mean (1st, 99th percentile)', headers, rows)
}

export function failureTable (rows: FailureRow[]): string {
  const body = rows.flatMap(row => row.phases.map(ph => [
    row.n,
    row.r,
    percent(row.p),
    ph.phase === 'none' ? 'none yet' : ph.phase === 'round' ? '1 round' : `healed (${ph.rounds} rounds + fingers)`,
    ph.tally.lookups,
    percent(ph.tally.failedFraction),
    ph.tally.stale,
    ph.tally.wrong,
    ph.tally.failed,
    spread(ph.hops),
    spread(ph.timeouts),
    row.orphaned
  ]))
  return table('Simultaneous failures (paper Fig. 11 / ToN Table II): a fraction p of peers crash at once; lookups right away, after one stabilization round, and once healed',
    ['N', 'r', 'p', 'stabilization', 'lookups', 'failed', 'stale', 'wrong', 'threw', 'hops mean (p1, p99)', 'timeouts mean (p1, p99)', 'orphaned'], body)
}

export function churnTable (rows: ChurnRow[]): string {
  const body = rows.map(row => [
    row.n,
    row.r,
    row.paperRate,
    row.rate,
    row.joins,
    row.crashes,
    row.tally.lookups,
    percent(row.tally.failedFraction),
    row.tally.stale,
    row.tally.wrong,
    row.tally.failed,
    spread(row.hops),
    spread(row.timeouts),
    `${row.latency.p50} / ${row.latency.p99}`,
    row.requestsPerPeerPerSecond
  ])
  return table('Lookups under churn (paper Fig. 12 / ToN Table III): joins and crashes at rate R each',
    ['N', 'r', 'paper R/s', 'here /s', 'joins', 'crashes', 'lookups', 'failed', 'stale', 'wrong', 'threw', 'hops mean (p1, p99)', 'timeouts mean (p1, p99)', 'ms p50 / p99', 'req/peer/s'], body)
}

export function loadTable (rows: LoadRow[]): string {
  const body = rows.map(row => [
    row.n,
    row.virtualNodes,
    row.keys,
    row.perPeer.mean,
    row.perPeer.p1,
    row.perPeer.p99,
    row.perPeer.max,
    row.p1OverMean,
    row.p99OverMean,
    row.maxOverMean,
    row.empty
  ])
  return table('Keys per peer (paper Figs. 8–9): 100·N keys placed by consistent hashing',
    ['N', 'virtual nodes', 'keys', 'mean', 'p1', 'p99', 'max', 'p1/mean', 'p99/mean', 'max/mean', 'peers with none'], body)
}

export function balanceTable (rows: BalanceRow[]): string {
  const body = rows.map(row => [row.n, row.placement, row.keys, row.p99OverMean, row.maxOverMean, row.minOverMean])
  return table('Keys held per peer with r = 3 (the default placement: one position chosen among 1024 hashed ones)',
    ['N', 'placement', 'keys', 'p99/mean', 'max/mean', 'min/mean'], body)
}

/** "12.5 s (13 rounds)", or the fallback when it never happened */
function elapsed (ms: number | null, interval: number, never: string): string {
  if (ms === null) return never
  return `${(ms / 1000).toFixed(ms % 1000 === 0 ? 0 : 2)} s (${Math.ceil(ms / interval)} rounds)`
}

/** ring sizes, the largest few: "500 + 352 + 148" */
function rings (sizes: number[]): string {
  const shown = sizes.slice(0, 4).join(' + ')
  return sizes.length > 4 ? `${sizes.length} rings: ${shown} + …` : sizes.length === 1 ? `1 ring of ${shown}` : `${sizes.length} rings: ${shown}`
}

export function partitionTable (rows: PartitionRow[]): string {
  const body = rows.map(row => [
    row.case,
    row.n,
    row.r,
    row.parts.length <= 4 ? row.parts.join(' | ') : `${row.parts.length} parts`,
    `${row.splitMs / 1000} s`,
    elapsed(row.partsIdealMs, row.stabilizeInterval, `not within the split (${row.ringsPerPartAtHeal.join(' / ')} rings per part)`),
    elapsed(row.mergedMs, row.stabilizeInterval, `not merged in ${row.deadlineMs / 1000} s`),
    row.mergedMs === null ? rings(row.ringsAtEnd) + (row.offRing > 0 ? `, ${row.offRing} off` : '') : '1 ring',
    row.messagesAfterHealPerPeer,
    row.requestsPerPeerPerSecondSplit
  ])
  const methods = Object.keys(rows[0]?.messagesAfterHeal ?? {}) as Method[]
  const byMethod = rows.map(row => [row.case, row.n, ...methods.map(m => row.messagesAfterHeal[m] / row.n)])
  return table('Partition and heal (issue 14): peers dealt at random to the parts, every peer on its own maintenance timers; a round is one stabilize interval',
    ['case', 'N', 'r', 'parts', 'split', 'each part an ideal ring after', 'one ideal ring after the heal', 'rings at the end', 'requests/peer after heal', 'req/peer/s split'], body) +
    '\n\n' + table('Requests per peer from the heal to one ideal ring (or the deadline), by method', ['case', 'N', ...methods], byMethod)
}
