/**
 * npm run sim [-- --quick] [--n 1000,4096] [--seed 1] [--only path,failures,churn,load,balance,partition] [--jobs 2] [--out FILE]
 *
 * Reproduces the Chord paper's experiments on the project's own ring code
 * (RingPeer/RingNode) over a simulated network in virtual time, prints the
 * tables and writes them as JSON to sim/results/ (ignored by git). The experiments are split
 * into independent seeded tasks that run in `--jobs` worker processes, so
 * the numbers do not depend on how many run at once.
 */
import { execFileSync, spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { availableParallelism, cpus, tmpdir } from 'node:os'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { EXPERIMENTS, plan } from './plan.ts'
import { Random } from './random.ts'
import { balanceTable, churnTable, failureTable, loadTable, partitionTable, pathTable } from './report.ts'
import type { Experiment, RunConfig, Task } from './plan.ts'
import type { PathVariant } from './report.ts'
import type { ChurnRow } from './experiments/churn.ts'
import type { FailureRow } from './experiments/failures.ts'
import type { LoadRow } from './experiments/load.ts'
import type { BalanceRow } from './experiments/balance.ts'
import type { PartitionRow } from './experiments/partition.ts'

const here = dirname(fileURLToPath(import.meta.url))
const root = dirname(here)

const { values } = parseArgs({
  options: {
    help: { type: 'boolean', short: 'h', default: false },
    quick: { type: 'boolean', default: false },
    n: { type: 'string' },
    seed: { type: 'string', default: '1' },
    only: { type: 'string' },
    jobs: { type: 'string' },
    out: { type: 'string' },
    // worker mode: run one task and write its result to a file
    task: { type: 'string' },
    result: { type: 'string' }
  }
})

if (values.help) {
  console.log(`npm run sim [-- options]
  --quick        N = 256 and fewer lookups and rates (default N = 1000 and 4096)
  --n LIST       comma-separated ring sizes; churn and partition use the smallest
  --seed N       seed of every generator (default 1)
  --only LIST    experiments to run, of: ${EXPERIMENTS.join(', ')}
                   path       path length vs N (paper Fig. 10)
                   failures   simultaneous failures (Fig. 11)
                   churn      lookups under churn (Fig. 12)
                   load       keys per peer (Figs. 8-9)
                   balance    keys held per peer (r = 3) with positions chosen as the service does, N = 6..64
                   partition  split into halves, quarters, one peer alone; heal; time to one ideal ring
  --jobs N       worker processes (default 2)
  --out FILE     where the JSON results go (default sim/results/…, not tracked by git)`)
  process.exit(0)
}

const DEFAULT_SIZES = [1000, 4096]
const QUICK_SIZES = [256]
const config: RunConfig = {
  seed: toInt(values.seed, '--seed'),
  quick: values.quick,
  sizes: values.n === undefined ? (values.quick ? QUICK_SIZES : DEFAULT_SIZES) : values.n.split(',').map(s => toInt(s, '--n')),
  only: values.only === undefined ? EXPERIMENTS : values.only.split(',').map(toExperiment)
}
const tasks = plan(config)

if (values.task !== undefined) {
  const task = tasks.find(t => t.id === values.task)
  if (task === undefined) throw new Error(`no task ${values.task}`)
  const cpu = process.cpuUsage()
  const result = await runTask(task)
  writeFileSync(values.result ?? '/dev/stdout', JSON.stringify({ result, cpuSeconds: cpuSeconds(cpu) }))
} else {
  await main()
}

async function main (): Promise<void> {
  const jobs = values.jobs === undefined ? Math.min(2, availableParallelism()) : toInt(values.jobs, '--jobs')
  const args = process.argv.slice(2)
  console.log(`command: npm run sim${args.length > 0 ? ' -- ' + args.join(' ') : ''}`)
  console.log(`seed ${config.seed}; sizes ${config.sizes.join(', ')}; ${config.quick ? 'quick' : 'full'} run; ${tasks.length} tasks on ${jobs} process${jobs === 1 ? '' : 'es'}; node ${process.version}; ${cpus()[0]?.model ?? 'cpu'} × ${availableParallelism()}`)
  const started = performance.now()
  const results = new Map<string, Outcome>()
  if (jobs <= 1) {
    for (const task of tasks) {
      const t0 = performance.now()
      const cpu = process.cpuUsage()
      const result = await runTask(task)
      const outcome = { result, seconds: (performance.now() - t0) / 1000, cpuSeconds: cpuSeconds(cpu) }
      results.set(task.id, outcome)
      progress(task.id, outcome)
    }
  } else {
    await runPool(tasks, jobs, results)
  }
  const seconds = (performance.now() - started) / 1000
  const cpuTotal = [...results.values()].reduce((a, r) => a + r.cpuSeconds, 0)

  const of = <T>(e: Experiment): T[] => tasks.filter(t => t.experiment === e && results.has(t.id)).map(t => results.get(t.id)?.result as T)
  const sections: string[] = []
  if (config.only.includes('path')) sections.push(pathTable(of<PathVariant>('path')))
  if (config.only.includes('failures')) sections.push(failureTable(of<FailureRow>('failures')))
  if (config.only.includes('churn')) sections.push(churnTable(of<ChurnRow>('churn')))
  if (config.only.includes('load')) sections.push(loadTable(of<LoadRow>('load').flat()))
  if (config.only.includes('balance')) sections.push(balanceTable(of<BalanceRow[]>('balance').flat()))
  if (config.only.includes('partition')) sections.push(partitionTable(of<PartitionRow>('partition')))
  console.log('\n' + sections.join('\n\n'))

  const out = values.out ?? join(here, 'results', defaultName())
  mkdirSync(dirname(out), { recursive: true })
  writeFileSync(out, JSON.stringify({
    command: `npm run sim${args.length > 0 ? ' -- ' + args.join(' ') : ''}`,
    config,
    jobs,
    date: new Date().toISOString(),
    machine: { cpu: cpus()[0]?.model, cores: availableParallelism(), node: process.version },
    ringCode: ringCodeVersion(),
    seconds,
    cpuSeconds: cpuTotal,
    tasks: Object.fromEntries([...results].map(([id, r]) => [id, { seconds: r.seconds, cpuSeconds: r.cpuSeconds }])),
    results: {
      pathLength: of<PathVariant>('path'),
      failures: of<FailureRow>('failures'),
      churn: of<ChurnRow>('churn'),
      load: of<LoadRow>('load').flat(),
      balance: of<BalanceRow[]>('balance').flat(),
      partition: of<PartitionRow>('partition')
    }
  }, null, 1) + '\n')
  console.log(`\n${tasks.length} tasks in ${seconds.toFixed(1)} s (${cpuTotal.toFixed(1)} s of CPU); results in ${relative(root, out)}`)
}

/**
 * Run one task. The ring's location cache evicts with Math.random, so it is
 * replaced by a generator seeded from the task: runs stay reproducible.
 */
async function runTask (task: Task): Promise<unknown> {
  const random = new Random(config.seed ^ hashString(task.id))
  Math.random = () => random.next()
  return task.run()
}

interface Outcome {
  result: unknown
  /** wall-clock seconds, and CPU seconds of the process that ran the task */
  seconds: number
  cpuSeconds: number
}

async function runPool (pending: Task[], jobs: number, results: Map<string, Outcome>): Promise<void> {
  const queue = [...pending].sort((a, b) => b.weight - a.weight)
  const dir = mkdtempSync(join(tmpdir(), 'chord-sim-'))
  const script = fileURLToPath(import.meta.url)
  const base = ['--seed', String(config.seed), '--n', config.sizes.join(','), '--only', config.only.join(','), ...(config.quick ? ['--quick'] : [])]
  const worker = async (): Promise<void> => {
    for (let task = queue.shift(); task !== undefined; task = queue.shift()) {
      const file = join(dir, task.id.replaceAll(':', '_') + '.json')
      const t0 = performance.now()
      await new Promise<void>((resolve, reject) => {
        const child = spawn(process.execPath, [...process.execArgv, script, ...base, '--task', task.id, '--result', file], { stdio: ['ignore', 'inherit', 'inherit'] })
        child.on('error', reject)
        child.on('exit', code => { code === 0 ? resolve() : reject(new Error(`task ${task.id} exited with code ${code}`)) })
      })
      const { result, cpuSeconds } = JSON.parse(readFileSync(file, 'utf8')) as { result: unknown, cpuSeconds: number }
      const outcome = { result, seconds: (performance.now() - t0) / 1000, cpuSeconds }
      results.set(task.id, outcome)
      progress(task.id, outcome)
    }
  }
  try {
    await Promise.all(Array.from({ length: Math.min(jobs, queue.length) }, worker))
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

function progress (id: string, outcome: Outcome): void {
  console.error(`  ${id} done in ${outcome.seconds.toFixed(1)} s (${outcome.cpuSeconds.toFixed(1)} s CPU)`)
}

function cpuSeconds (since: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since)
  return (used.user + used.system) / 1e6
}

function defaultName (): string {
  const parts = ['sim']
  if (config.quick) parts.push('quick')
  const standard = config.quick ? QUICK_SIZES : DEFAULT_SIZES
  if (config.sizes.join() !== standard.join()) parts.push(`n${config.sizes.join('-')}`)
  if (config.only.length !== EXPERIMENTS.length) parts.push(...config.only)
  if (config.seed !== 1) parts.push(`seed${config.seed}`)
  return parts.join('-') + '.json'
}

/** which ring code produced the numbers: the commit and a hash of src/ring as it was */
function ringCodeVersion (): { commit: string, srcRingSha256: string, dirty: boolean } {
  const dir = join(root, 'src', 'ring')
  const hash = createHash('sha256')
  for (const file of readdirSync(dir).sort()) hash.update(file).update(readFileSync(join(dir, file)))
  let commit = 'unknown'
  let dirty = false
  try {
    const git = (...args: string[]): string => execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()
    commit = git('rev-parse', 'HEAD')
    dirty = git('status', '--porcelain', '--', 'src/ring') !== ''
  } catch {}
  return { commit, srcRingSha256: hash.digest('hex'), dirty }
}

function hashString (s: string): number {
  let h = 2166136261
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619)
  return h >>> 0
}

function toInt (s: string, flag: string): number {
  const n = Number(s)
  if (!Number.isInteger(n) || n < 1) throw new Error(`${flag} wants a positive integer, got ${JSON.stringify(s)}`)
  return n
}

function toExperiment (s: string): Experiment {
  if (!(EXPERIMENTS as string[]).includes(s)) throw new Error(`--only takes ${EXPERIMENTS.join(', ')}; got ${JSON.stringify(s)}`)
  return s as Experiment
}
