/**
 * Summaries of latency samples: mean and percentiles (nearest rank).
 */

export interface Summary {
  count: number
  mean: number
  p50: number
  p95: number
  p99: number
  min: number
  max: number
}

export const EMPTY: Summary = { count: 0, mean: NaN, p50: NaN, p95: NaN, p99: NaN, min: NaN, max: NaN }

/** Nearest-rank percentile of an ascending array */
export function percentile (sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN
  const rank = Math.ceil((p / 100) * sorted.length)
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]
}

export function summarize (samples: readonly number[]): Summary {
  if (samples.length === 0) return { ...EMPTY }
  const sorted = Float64Array.from(samples).sort()
  const arr = Array.from(sorted)
  let sum = 0
  for (const x of arr) sum += x
  return {
    count: arr.length,
    mean: sum / arr.length,
    p50: percentile(arr, 50),
    p95: percentile(arr, 95),
    p99: percentile(arr, 99),
    min: arr[0],
    max: arr[arr.length - 1]
  }
}

/** p1/p50/p99 and max over mean of a distribution of counts (load balance) */
export interface Spread {
  mean: number
  p1: number
  p50: number
  p99: number
  max: number
  maxOverMean: number
  zero: number
}

export function spread (counts: readonly number[]): Spread {
  const sorted = [...counts].sort((a, b) => a - b)
  const mean = sorted.reduce((a, b) => a + b, 0) / Math.max(1, sorted.length)
  const max = sorted[sorted.length - 1] ?? 0
  return {
    mean,
    p1: percentile(sorted, 1),
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max,
    maxOverMean: mean === 0 ? NaN : max / mean,
    zero: sorted.filter(c => c === 0).length
  }
}
