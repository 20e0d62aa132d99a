/**
 * Command-line options of `npm run bench`, with the full and --quick presets.
 */
import { parseArgs } from 'node:util'
import type { Muxer } from './types.ts'
import type { Consistency } from '../src/index.ts'

export interface BenchOptions {
  quick: boolean
  /** ring sizes for the DHT comparison */
  n: number[]
  keys: number
  seqOps: number
  valueSize: number
  concurrency: number[]
  muxer: Muxer
  phaseMs: number
  consistencies: Consistency[]
  /** lookups in each hop measurement, spread over the peers */
  lookups: number
  warmupLookups: number
  handoffN: number
  handoffKeys: number
  handoffDatastores: Array<'memory' | 'level'>
  balanceN: number[]
  balanceKeys: number
  virtualNodes: number[]
  /** kad-dht kBucketSize values; 'default' is its own (20) */
  kad: Array<number | 'default'>
  /** ring sizes of the idle-cost measurement, and its seconds per N */
  idleN: number[]
  idleSeconds: number
  idleIntervals: Array<'default' | 'bench'>
  /** peers (one process each) of the multi-process mode */
  multiprocN: number[]
  only: Set<string>
  cpuProf: boolean
  out: string
}

export const USAGE = `npm run bench -- [options]
  --quick              small sizes, finishes in under 3 minutes
  --n 8,32,128         ring sizes for the DHT comparison (full: 8,32,128; quick: 32)
  --keys N             most operations per concurrent phase (full 5000, quick 1000)
  --seq-ops N          most operations per sequential phase (full 1000, quick 100)
  --value-size BYTES   value size (1024)
  --concurrency 32,256 operations in flight in the concurrent phases
  --muxer mplex|yamux  stream muxer of every node (mplex)
  --phase-seconds S    a phase stops issuing operations after S seconds (full 10, quick 1.5)
  --handoff-keys N     keys in the ring before the join/leave (full 100000, quick 1000)
  --handoff-n N        peers in the handoff ring (8)
  --handoff-datastore memory,level
                       where handoff peers keep records (full: level with --handoff-keys, then memory
                       with at most 10000 keys, as its range scans read every key; quick: memory)
  --balance-n 6,16     peers in the load-balance rings (full 6,16,32,64, quick 8); each N runs with
                       the defaults (one position chosen among 1024) and with one hashed position
  --virtual-nodes 1,8  virtual nodes per peer of the hashed-position load-balance rings (full 1,8; quick 1)
  --kad default,3      kad-dht configurations (kBucketSize; 'default' = 20); --kad none to skip
  --idle-n 8,32,128    ring sizes of the idle measurement (full: 8,32,128; quick: 8)
  --idle-seconds S     seconds idle measured per ring (full 10, quick 3)
  --idle-intervals default,bench
                       maintenance intervals while idle: the library's defaults (stabilize 1 s) and/or
                       the bench's (stabilize 250 ms) (default: default)
  --multiproc-n 8,32   peers of the multi-process mode, one process each (full: 8,32; quick: 8)
  --only LIST          run only some of: floor,hops,chord,kad,handoff,balance,durability,idle,multiproc
                       (hops: pure Chord routing without the location cache; hops and idle: full runs only by default)
  --cpu-prof           profile the measured part of each worker (.prof/bench-*/) and summarize it
  --out DIR            where results go (bench/out, not tracked by git)`

const list = (s: string): string[] => s.split(',').map(x => x.trim()).filter(x => x !== '')
const numbers = (s: string): number[] => list(s).map(x => {
  const n = Number(x)
  if (!Number.isFinite(n) || n <= 0) throw new Error(`not a positive number: ${x}`)
  return n
})

export function parseOptions (argv: string[]): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      n: { type: 'string' },
      keys: { type: 'string' },
      'seq-ops': { type: 'string' },
      'value-size': { type: 'string' },
      concurrency: { type: 'string' },
      muxer: { type: 'string' },
      'phase-seconds': { type: 'string' },
      'handoff-keys': { type: 'string' },
      'handoff-n': { type: 'string' },
      'handoff-datastore': { type: 'string' },
      'balance-n': { type: 'string' },
      'virtual-nodes': { type: 'string' },
      kad: { type: 'string' },
      only: { type: 'string' },
      'idle-n': { type: 'string' },
      'idle-seconds': { type: 'string' },
      'idle-intervals': { type: 'string' },
      'multiproc-n': { type: 'string' },
      'cpu-prof': { type: 'boolean', default: false },
      out: { type: 'string' },
      help: { type: 'boolean', default: false }
    }
  })
  if (values.help === true) {
    console.log(USAGE)
    process.exit(0)
  }
  const quick = values.quick === true
  const muxer = values.muxer ?? 'mplex'
  if (muxer !== 'mplex' && muxer !== 'yamux') throw new Error(`--muxer must be mplex or yamux, got ${muxer}`)
  const kad = values.kad === 'none' ? [] : list(values.kad ?? 'default,3').map(x => x === 'default' ? 'default' as const : numbers(x)[0])
  return {
    quick,
    n: values.n !== undefined ? numbers(values.n) : quick ? [32] : [8, 32, 128],
    keys: values.keys !== undefined ? numbers(values.keys)[0] : quick ? 1000 : 5000,
    seqOps: values['seq-ops'] !== undefined ? numbers(values['seq-ops'])[0] : quick ? 100 : 1000,
    valueSize: values['value-size'] !== undefined ? numbers(values['value-size'])[0] : 1024,
    concurrency: values.concurrency !== undefined ? numbers(values.concurrency) : [32, 256],
    muxer,
    phaseMs: 1000 * (values['phase-seconds'] !== undefined ? numbers(values['phase-seconds'])[0] : quick ? 1.5 : 10),
    consistencies: ['QUORUM', 'ONE'],
    lookups: quick ? 640 : 3200,
    warmupLookups: quick ? 1600 : 6400,
    handoffN: values['handoff-n'] !== undefined ? numbers(values['handoff-n'])[0] : 8,
    handoffKeys: values['handoff-keys'] !== undefined ? numbers(values['handoff-keys'])[0] : quick ? 1000 : 100_000,
    handoffDatastores: list(values['handoff-datastore'] ?? (quick ? 'memory' : 'level,memory')).map(d => {
      if (d !== 'memory' && d !== 'level') throw new Error(`--handoff-datastore takes memory and/or level, got ${d}`)
      return d
    }),
    balanceN: values['balance-n'] !== undefined ? numbers(values['balance-n']) : quick ? [8] : [6, 16, 32, 64],
    balanceKeys: quick ? 2000 : 10_000,
    virtualNodes: values['virtual-nodes'] !== undefined ? numbers(values['virtual-nodes']) : quick ? [1] : [1, 8],
    kad,
    idleN: values['idle-n'] !== undefined ? numbers(values['idle-n']) : quick ? [8] : [8, 32, 128],
    idleSeconds: values['idle-seconds'] !== undefined ? numbers(values['idle-seconds'])[0] : quick ? 3 : 10,
    idleIntervals: list(values['idle-intervals'] ?? 'default').map(i => {
      if (i !== 'default' && i !== 'bench') throw new Error(`--idle-intervals takes default and/or bench, got ${i}`)
      return i
    }),
    multiprocN: values['multiproc-n'] !== undefined ? numbers(values['multiproc-n']) : quick ? [8] : [8, 32],
    // the no-cache hops ring costs one more ring formation per N: full runs only unless asked
    only: new Set(values.only !== undefined ? list(values.only) : ['floor', 'chord', 'kad', 'handoff', 'balance', 'durability', 'multiproc', ...(quick ? [] : ['hops', 'idle'])]),
    cpuProf: values['cpu-prof'] === true,
    out: values.out ?? 'bench/out'
  }
}
