/**
 * A libp2p Metrics implementation that only counts: the chord service's
 * requests by method (its chord_rpc_requests_total counter group) and the
 * streams this peer opens by protocol (ping, identify, /chord). Everything
 * else libp2p registers is a no-op, so counting costs next to nothing.
 */
import type { Metrics, Stream } from '@libp2p/interface'
import type { Libp2pOptions } from 'libp2p'

export class TrafficCounter {
  /** chord requests sent, by method name */
  readonly rpcs = new Map<string, number>()
  /** streams opened by this peer, by protocol */
  readonly streams = new Map<string, number>()

  snapshot (): { rpcs: Record<string, number>, streams: Record<string, number> } {
    return { rpcs: Object.fromEntries(this.rpcs), streams: Object.fromEntries(this.streams) }
  }
}

/** Counts of `after` minus `before`, summed over peers */
export function sumDelta (before: Array<Record<string, number>>, after: Array<Record<string, number>>): Record<string, number> {
  const total: Record<string, number> = {}
  after.forEach((counts, i) => {
    for (const [k, v] of Object.entries(counts)) total[k] = (total[k] ?? 0) + v - (before[i]?.[k] ?? 0)
  })
  return total
}

const noop = (): void => {}
const noopMetric = { update: noop, increment: noop, decrement: noop, reset: noop, observe: noop, timer: () => noop }

function add (map: Map<string, number>, values: Record<string, number | true>): void {
  for (const [k, v] of Object.entries(values)) map.set(k, (map.get(k) ?? 0) + (v === true ? 1 : v))
}

export function countingMetrics (counter: TrafficCounter): NonNullable<Libp2pOptions['metrics']> {
  const metrics = {
    trackMultiaddrConnection: noop,
    trackProtocolStream (stream: Stream): void {
      if (stream.direction === 'outbound') add(counter.streams, { [stream.protocol]: 1 })
    },
    registerMetric: () => noopMetric,
    registerMetricGroup: () => noopMetric,
    registerCounter: () => noopMetric,
    registerCounterGroup (name: string) {
      if (name !== 'chord_rpc_requests_total') return noopMetric
      return { ...noopMetric, increment: (values: Record<string, number | true>) => { add(counter.rpcs, values) } }
    },
    registerHistogram: () => noopMetric,
    registerHistogramGroup: () => noopMetric,
    registerSummary: () => noopMetric,
    registerSummaryGroup: () => noopMetric,
    traceFunction: <F>(_: string, fn: F): F => fn,
    createTrace: () => undefined
  }
  return () => metrics as unknown as Metrics
}
