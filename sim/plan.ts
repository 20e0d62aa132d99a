/**
 * What a run of the simulator does: the experiments as independent tasks,
 * each with its own seed, so they give the same numbers whether they run
 * one after another or spread over several processes.
 */
import { churn } from './experiments/churn.ts'
import { failures } from './experiments/failures.ts'
import { load } from './experiments/load.ts'
import { balance } from './experiments/balance.ts'
import { partition } from './experiments/partition.ts'
import { pathLength } from './experiments/path-length.ts'
import type { PartitionCase } from './experiments/partition.ts'

export type Experiment = 'path' | 'failures' | 'churn' | 'load' | 'balance' | 'partition'
export const EXPERIMENTS: Experiment[] = ['path', 'failures', 'churn', 'load', 'balance', 'partition']

/** the successor list length of the partition runs: the daemon's default, as on the LAN */
export const PARTITION_R = 8
export const PARTITION_CASES: PartitionCase[] = ['halves', 'quarters', 'isolate one']

export interface RunConfig {
  seed: number
  quick: boolean
  /** ring sizes for the fixed-N experiments */
  sizes: number[]
  only: Experiment[]
}

export interface Task {
  /** stable name, also how a worker process is told what to run */
  id: string
  experiment: Experiment
  /** rough relative cost, to start the longest tasks first */
  weight: number
  run: () => Promise<unknown>
}

/** r = 2·log2 N, the paper's successor list length for its failure experiments */
export const paperR = (n: number): number => Math.round(2 * Math.log2(n))

export function plan (config: RunConfig): Task[] {
  const { seed, quick } = config
  const sizes = [...config.sizes].sort((a, b) => a - b)
  const largest = sizes[sizes.length - 1]
  const tasks: Task[] = []
  const want = (e: Experiment): boolean => config.only.includes(e)

  if (want('path')) {
    // N = 2^k from 8 up to the largest size (rounded up to a power of two)
    const top = 2 ** Math.ceil(Math.log2(largest))
    const powers: number[] = []
    for (let n = 8; n <= top; n *= 2) powers.push(n)
    const lookups = quick ? 2000 : 10_000
    const variants = [
      { name: 'r8', r: 8, locationCache: 0 },
      { name: 'r1', r: 1, locationCache: 0 },
      { name: 'r8-cache', r: 8, locationCache: 1024 }
    ]
    for (const v of variants) {
      tasks.push({
        id: `path:${v.name}`,
        experiment: 'path',
        weight: top * 6,
        run: async () => ({ variant: v.name, r: v.r, locationCache: v.locationCache, rows: await pathLength({ seed, sizes: powers, lookups, r: v.r, locationCache: v.locationCache }) })
      })
    }
  }

  if (want('failures')) {
    const fractions = quick ? [0.1, 0.3, 0.5] : [0.1, 0.2, 0.3, 0.4, 0.5]
    for (const n of sizes) {
      for (const p of fractions) {
        tasks.push({
          id: `failures:${n}:${p}`,
          experiment: 'failures',
          weight: n * 4,
          run: async () => (await failures({ seed, n, r: paperR(n), fractions: [p], lookups: quick ? 2000 : 5000 }))[0]
        })
      }
    }
  }

  if (want('churn')) {
    // the smallest size only: churn keeps every peer's maintenance running for the whole run
    const n = sizes[0]
    const rates = quick ? [0.05, 0.2, 0.4] : [0.05, 0.1, 0.2, 0.3, 0.4]
    for (const rate of rates) {
      tasks.push({
        id: `churn:${n}:${rate}`,
        experiment: 'churn',
        weight: n * (quick ? 4 : 8),
        run: async () => (await churn({ seed, n, r: paperR(n), paperRates: [rate], duration: quick ? 15_000 : 30_000, warmup: 5000, lookupRate: 100 }))[0]
      })
    }
  }

  if (want('load')) {
    for (const n of sizes) {
      tasks.push({
        id: `load:${n}`,
        experiment: 'load',
        weight: n / 10,
        run: async () => load({ seed, n, keysPerPeer: 100, virtualNodes: [1, 2, 5, 10, 20] })
      })
    }
  }
  if (want('balance')) {
    // the ring sizes of the balance target, as the service places peers (and beside plain hashing)
    tasks.push({ id: 'balance', experiment: 'balance', weight: 20, run: async () => balance({ seed, sizes: quick ? [6, 16, 32, 64] : [6, 16, 32, 64, 128], keys: 10_000 }) })
  }
  if (want('partition')) {
    // the smallest size only: every peer's maintenance runs for the split and up to the deadline
    const n = sizes[0]
    for (const kind of PARTITION_CASES) {
      tasks.push({
        id: `partition:${n}:${kind.replace(' ', '-')}`,
        experiment: 'partition',
        weight: n * (quick ? 8 : 30),
        run: async () => partition({ seed, n, r: PARTITION_R, case: kind, splitMs: 60_000, deadlineMs: quick ? 300_000 : 600_000 })
      })
    }
  }
  return tasks
}
