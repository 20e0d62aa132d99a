/** Summary statistics for the tables */

export interface Summary {
  count: number
  mean: number
  p1: number
  p50: number
  p99: number
  max: number
}

/** nearest-rank percentile of an ascending array */
function rank (sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p / 100 * sorted.length) - 1))]
}

export function summarize (values: readonly number[]): Summary {
  const sorted = Float64Array.from(values).sort()
  let sum = 0
  for (const v of sorted) sum += v
  const list = Array.from(sorted)
  return {
    count: list.length,
    mean: list.length === 0 ? NaN : sum / list.length,
    p1: rank(list, 1),
    p50: rank(list, 50),
    p99: rank(list, 99),
    max: list.length === 0 ? NaN : list[list.length - 1]
  }
}

export function mean (values: readonly number[]): number {
  return values.length === 0 ? NaN : values.reduce((a, b) => a + b, 0) / values.length
}
