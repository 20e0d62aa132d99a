/**
 * The key-value workload both DHTs run: puts of new keys and gets of keys
 * already written, each from a random peer, sequentially and with a fixed
 * number in flight. Values are derived from the key index so every get can
 * be checked.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { onAbort } from '../src/rpc/abort-listeners.ts'
import { drive } from './driver.ts'
import { summarize } from './stats.ts'
import type { PhaseResult, WorkloadSpec } from './types.ts'

export interface KvTarget {
  readonly peers: number
  put(peer: number, key: string, value: Uint8Array, signal: AbortSignal): Promise<void>
  get(peer: number, key: string, signal: AbortSignal): Promise<Uint8Array | undefined>
}

export function valueOf (index: number, size: number): Uint8Array {
  const value = new Uint8Array(size)
  for (let i = 0; i < size; i++) value[i] = (index * 31 + i * 7) & 0xff
  if (size >= 4) new DataView(value.buffer).setUint32(0, index)
  return value
}

function sameValue (got: Uint8Array | undefined, index: number, size: number): boolean {
  if (got?.byteLength !== size) return false
  const want = valueOf(index, size)
  for (let i = 0; i < size; i++) if (got[i] !== want[i]) return false
  return true
}

const pick = (n: number): number => Math.floor(Math.random() * n)

/**
 * Run `fn` with a signal that aborts with the phase's or after `ms`. One
 * timer and a shared listener per operation: AbortSignal.any and
 * AbortSignal.timeout per operation cost about 2% of the CPU measured.
 */
async function withTimeout<T> (signal: AbortSignal, ms: number, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController()
  const timer = setTimeout(() => { controller.abort(new DOMException(`operation timed out after ${ms} ms`, 'TimeoutError')) }, ms)
  const cancel = onAbort(signal, () => { controller.abort(signal.reason) })
  try {
    return await fn(controller.signal)
  } finally {
    clearTimeout(timer)
    cancel()
  }
}

export class Workload {
  private readonly spec: WorkloadSpec
  private readonly prefix: string
  /** indices of keys acknowledged by a put, readable */
  private readonly written: number[] = []
  private nextKey = 0

  constructor (spec: WorkloadSpec, prefix: string) {
    this.spec = spec
    this.prefix = prefix
  }

  key (index: number): string {
    return `${this.prefix}-${index}`
  }

  get writtenKeys (): number {
    return this.written.length
  }

  async phase (target: KvTarget, op: 'put' | 'get', concurrency: number, consistency: string): Promise<PhaseResult> {
    const { valueSize, opTimeoutMs } = this.spec
    const maxOps = concurrency === 1 ? this.spec.seqOps : this.spec.keys
    const delay = monitorEventLoopDelay({ resolution: 10 })
    delay.enable()
    const run = await drive({
      concurrency,
      maxOps,
      maxMs: this.spec.phaseMs,
      graceMs: this.spec.graceMs,
      settleMs: 3000,
      op: op === 'put'
        ? async (_, signal) => {
          const index = this.nextKey++
          await withTimeout(signal, opTimeoutMs, async s => { await target.put(pick(target.peers), this.key(index), valueOf(index, valueSize), s) })
          this.written.push(index)
          return true
        }
        : async (_, signal) => {
          if (this.written.length === 0) throw new Error('nothing written to read')
          const index = this.written[pick(this.written.length)]
          return sameValue(await withTimeout(signal, opTimeoutMs, async s => target.get(pick(target.peers), this.key(index), s)), index, valueSize)
        }
    })
    delay.disable()
    const done = run.ok + run.wrong
    return {
      op,
      consistency,
      concurrency,
      ops: done,
      errors: run.errors + run.abandoned,
      wrong: run.wrong,
      seconds: run.seconds,
      opsPerSec: run.ok / run.seconds,
      latency: summarize(run.latencies),
      cpuMsPerOp: done === 0 ? NaN : run.cpuMs / done,
      loopDelay: { p99: delay.percentile(99) / 1e6, max: delay.max / 1e6 },
      firstError: run.firstError
    }
  }

  /** puts then gets, sequential first, then each concurrency */
  async all (target: KvTarget, consistency: string, log: (line: string) => void): Promise<PhaseResult[]> {
    const results: PhaseResult[] = []
    for (const op of ['put', 'get'] as const) {
      for (const concurrency of [1, ...this.spec.concurrency]) {
        const r = await this.phase(target, op, concurrency, consistency)
        log(`${op} ${consistency} c=${concurrency}: ${r.ops} ops, ${r.opsPerSec.toFixed(0)}/s, p50 ${r.latency.p50.toFixed(2)} ms, p99 ${r.latency.p99.toFixed(2)} ms, CPU ${r.cpuMsPerOp.toFixed(2)} ms/op, errors ${r.errors}, wrong ${r.wrong}, loop delay max ${r.loopDelay.max.toFixed(0)} ms${r.firstError !== undefined ? ` (${r.firstError})` : ''}`)
        results.push(r)
      }
    }
    return results
  }
}
