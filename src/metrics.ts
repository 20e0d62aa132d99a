/**
 * The service's metrics through libp2p's metrics interface (Prometheus with
 * @libp2p/prometheus-metrics). Every method is a no-op when the node has no
 * metrics configured.
 */
import type { Counter, CounterGroup, Histogram, HistogramGroup, Metrics } from '@libp2p/interface'
import type { OwnerCheckOutcome } from './store/replicated-store.ts'

export const METHOD_NAMES: Record<number, string> = {
  1: 'find_successor',
  2: 'get_predecessor',
  3: 'get_successor_list',
  4: 'notify',
  5: 'ping',
  6: 'leave',
  16: 'store',
  17: 'fetch',
  18: 'range_digest',
  19: 'bucket_digests',
  20: 'versions',
  21: 'range_records',
  22: 'sweep_soon'
}

export interface StoreFigures {
  keys: number
  tombstones: number
  bytes: number
  writable: boolean
  failedWrites: number
}

export class ChordMetrics {
  private readonly lookups?: CounterGroup
  private readonly hops?: Histogram
  private readonly rpcs?: CounterGroup
  private readonly rpcErrors?: CounterGroup
  private readonly rpcSeconds?: HistogramGroup
  private readonly operations?: CounterGroup
  private readonly operationSeconds?: HistogramGroup
  private readonly transferRecords?: CounterGroup
  private readonly transferBytes?: CounterGroup
  private readonly ringChanges?: CounterGroup
  private readonly served?: Counter
  private readonly ownerChecks?: CounterGroup
  private readonly readsBeyond?: Counter
  private readonly probes?: CounterGroup

  constructor (metrics: Metrics | undefined, store: () => StoreFigures) {
    if (metrics === undefined) return
    this.lookups = metrics.registerCounterGroup('chord_lookups_total', { label: 'outcome', help: 'findSuccessor lookups by outcome' })
    this.hops = metrics.registerHistogram('chord_lookup_hops', { help: 'remote routing steps per successful lookup', buckets: [0, 1, 2, 3, 4, 6, 8, 12, 16] })
    this.rpcs = metrics.registerCounterGroup('chord_rpc_requests_total', { label: 'method', help: 'requests sent to other peers, by method' })
    this.rpcErrors = metrics.registerCounterGroup('chord_rpc_errors_total', { label: 'method', help: 'requests that failed (timeout, unreachable, remote error), by method' })
    this.rpcSeconds = metrics.registerHistogramGroup('chord_rpc_duration_seconds', { label: 'method', help: 'round trip of requests, by method', buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.1, 1] })
    this.served = metrics.registerCounter('chord_rpc_served_total', { help: 'requests answered for other peers' })
    this.ownerChecks = metrics.registerCounterGroup('chord_owner_checks_total', { label: 'outcome', help: 'reads and writes sent straight to a guessed owner: confirmed, not_owner (a lookup followed), failed (no answer; a lookup followed)' })
    this.readsBeyond = metrics.registerCounter('chord_reads_beyond_replicas_total', { help: 'reads that found no copy on replicas whose ranges had just changed, and asked the members further along the successor list' })
    this.probes = metrics.registerCounterGroup('chord_ring_probes_total', { label: 'outcome', help: 'probes of lost members and discovered peers (ring merge after partitions): same ring, merging (another ring), unreachable' })
    this.operations = metrics.registerCounterGroup('chord_operations_total', { label: 'operation', help: 'key operations coordinated here, by operation and outcome' })
    this.operationSeconds = metrics.registerHistogramGroup('chord_operation_duration_seconds', { label: 'operation', help: 'latency of key operations coordinated here', buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1, 5] })
    this.transferRecords = metrics.registerCounterGroup('chord_transfer_records_total', { label: 'kind', help: 'records moved between peers, by reason and direction (sync, handoff, leave; push, pull)' })
    this.transferBytes = metrics.registerCounterGroup('chord_transfer_bytes_total', { label: 'kind', help: 'key and value bytes moved between peers, by reason and direction' })
    this.ringChanges = metrics.registerCounterGroup('chord_ring_changes_total', { label: 'pointer', help: 'changes of successor or predecessor' })
    metrics.registerMetricGroup('chord_store', {
      label: 'measure',
      help: 'what this peer stores: keys, tombstones, bytes; writable (1, or 0 while its disk refuses writes); failed_writes (refused for a full or failing disk, since start)',
      calculate: () => {
        const { keys, tombstones, bytes, writable, failedWrites } = store()
        return { keys, tombstones, bytes, writable: writable ? 1 : 0, failed_writes: failedWrites }
      }
    })
  }

  lookup (hops: number | undefined): void {
    this.lookups?.increment({ [hops === undefined ? 'failed' : 'ok']: true })
    if (hops !== undefined) this.hops?.observe(hops)
  }

  rpc (method: number, seconds: number, ok: boolean): void {
    const name = METHOD_NAMES[method] ?? `method_${method}`
    this.rpcs?.increment({ [name]: true })
    if (!ok) this.rpcErrors?.increment({ [name]: true })
    else this.rpcSeconds?.observe({ [name]: seconds })
  }

  ownerCheck (outcome: OwnerCheckOutcome): void {
    this.ownerChecks?.increment({ [outcome]: true })
  }

  readBeyond (): void {
    this.readsBeyond?.increment()
  }

  probe (outcome: 'same' | 'merging' | 'unreachable'): void {
    this.probes?.increment({ [outcome]: true })
  }

  servedRequest (): void {
    this.served?.increment()
  }

  /** time a key operation: call the returned function with whether it succeeded */
  operation (name: string): (ok: boolean) => void {
    const started = performance.now()
    return (ok) => {
      this.operations?.increment({ [`${name}_${ok ? 'ok' : 'failed'}`]: true })
      if (ok) this.operationSeconds?.observe({ [name]: (performance.now() - started) / 1000 })
    }
  }

  /** Run a key operation, counted and timed under `name` */
  async timed<T> (name: string, run: () => Promise<T>): Promise<T> {
    const done = this.operation(name)
    try {
      const result = await run()
      done(true)
      return result
    } catch (err) {
      done(false)
      throw err
    }
  }

  transfer (reason: string, direction: string, records: number, bytes: number): void {
    this.transferRecords?.increment({ [`${reason}_${direction}`]: records })
    this.transferBytes?.increment({ [`${reason}_${direction}`]: bytes })
  }

  ringChange (pointer: 'successor' | 'predecessor'): void {
    this.ringChanges?.increment({ [pointer]: true })
  }
}
