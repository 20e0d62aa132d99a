/**
 * npm run bench: the floor, this DHT and @libp2p/kad-dht on the same N,
 * workload and machine, handoff and load balance — each measurement in its
 * own worker process, one after another. Prints the comparison table and
 * writes JSON, Markdown tables and SVG charts to bench/out/ (ignored by git).
 */
import { mkdir, readdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { readFileSync } from 'node:fs'
import { USAGE, parseOptions } from './args.ts'
import { describeMachine, loadavg } from './machine.ts'
import { formatSummary, summarizeProfile } from './profile-summary.ts'
import { writeCharts } from './report/charts.ts'
import { balanceTable, comparison, durabilityTable, floorTable, handoffTable, idleTable, multiprocTable, targetTable } from './report/table.ts'
import { runTask, taskName } from './spawn.ts'
import type { BenchOptions } from './args.ts'
import type { BalanceResult, BenchReport, DurabilityResult, FloorResult, HandoffResult, HopsResult, IdleResult, MultiprocResult, SystemResult, Task, WorkloadSpec } from './types.ts'

function plan (o: BenchOptions, profileDir: string | undefined): Task[] {
  const workload: WorkloadSpec = { keys: o.keys, seqOps: o.seqOps, valueSize: o.valueSize, concurrency: o.concurrency, phaseMs: o.phaseMs, graceMs: Math.min(2000, o.phaseMs), opTimeoutMs: 10_000 }
  const tasks: Task[] = []
  if (o.only.has('floor')) tasks.push({ kind: 'floor', muxer: o.muxer, payloads: o.quick ? [o.valueSize] : [64, o.valueSize], seqOps: o.quick ? 1000 : 3000, concurrency: 32, phaseMs: o.quick ? 1500 : 5000, spreadPeers: o.quick ? undefined : 32 })
  for (const n of o.n) {
    const perPeer = (total: number): number => Math.max(1, Math.ceil(total / n))
    if (o.only.has('hops')) tasks.push({ kind: 'hops', n, muxer: o.muxer, lookupsPerPeer: perPeer(o.lookups) })
    if (o.only.has('chord')) tasks.push({ kind: 'chord', profileDir, n, muxer: o.muxer, workload, consistencies: o.consistencies, lookupsPerPeer: perPeer(o.lookups), warmupPerPeer: perPeer(o.warmupLookups), waitFingers: !o.quick })
    // quick: kad-dht only at the lowest concurrency (it fails most operations at 256 in flight anyway)
    // kad-dht operations take seconds under load: let those in flight at the end of a phase finish
    const kadWorkload = { ...workload, graceMs: 5000, concurrency: o.quick ? workload.concurrency.slice(0, 1) : workload.concurrency }
    if (o.only.has('kad')) for (const k of o.kad) tasks.push({ kind: 'kad', profileDir, n, muxer: o.muxer, k: k === 'default' ? undefined : k, workload: kadWorkload, settleMs: o.quick ? 10_000 : 30_000 })
  }
  if (o.only.has('handoff')) {
    for (const datastore of o.handoffDatastores) {
      // MemoryDatastore lists a prefix by reading every key: keep its run bounded
      const keys = datastore === 'memory' && o.handoffDatastores.length > 1 ? Math.min(o.handoffKeys, 10_000) : o.handoffKeys
      tasks.push({ kind: 'handoff', profileDir, datastore, n: o.handoffN, muxer: o.muxer, keys, valueSize: o.valueSize, settleTimeoutMs: o.quick ? 4000 : 600_000, rawStreamBytes: o.quick ? 10e6 : 100e6 })
    }
  }
  if (o.only.has('durability')) tasks.push({ kind: 'durability', valueSize: o.valueSize, phaseMs: o.quick ? 500 : 3000 })
  if (o.only.has('idle')) for (const n of o.idleN) for (const intervals of o.idleIntervals) {
    // full: past the RPC client's idle timeout (60 s) and its sweep, so connections only the ring's formation used are closed
    tasks.push({ kind: 'idle', profileDir, n, muxer: o.muxer, intervals, settleMs: o.quick ? 500 : 95_000, seconds: o.idleSeconds })
  }
  if (o.only.has('multiproc')) {
    // quick: QUORUM only, 32 in flight, short phases
    const mpWorkload = o.quick ? { ...workload, concurrency: workload.concurrency.slice(0, 1), phaseMs: Math.min(workload.phaseMs, 1000), graceMs: 1000 } : workload
    for (const n of o.multiprocN) tasks.push({ kind: 'multiproc', n, muxer: o.muxer, workload: mpWorkload, consistencies: o.quick ? ['QUORUM'] : o.consistencies })
  }
  if (o.only.has('balance')) {
    for (const n of o.balanceN) {
      // the defaults (one position, chosen), then plain hashed positions as plain Chord has them
      tasks.push({ kind: 'balance', n, muxer: o.muxer, virtualNodes: 1, positionChoices: 1024, keys: o.balanceKeys })
      for (const v of o.virtualNodes) tasks.push({ kind: 'balance', n, muxer: o.muxer, virtualNodes: v, positionChoices: 1, keys: o.balanceKeys })
    }
  }
  return tasks
}

let options: BenchOptions
try {
  options = parseOptions(process.argv.slice(2))
} catch (err) {
  console.error(`${(err as Error).message}\n\n${USAGE}`)
  process.exit(2)
}

const started = Date.now()
const machine = describeMachine()
const mode = options.quick ? 'quick' : 'full'
const stamp = new Date(started).toISOString().replace(/[:.]/g, '-').slice(0, 19)
const profileDir = options.cpuProf ? join('.prof', `bench-${stamp}`) : undefined
console.log(`bench (${mode}): ${machine.cpus} CPUs (${machine.cpuModel}), ${machine.memoryGiB} GiB, Node ${machine.node}, load average ${machine.loadavg.join(' ')}`)
const report: BenchReport = {
  startedAt: new Date(started).toISOString(),
  command: `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim(),
  quick: options.quick,
  machine,
  loadBefore: machine.loadavg,
  loadAfter: [],
  seconds: 0,
  floor: [],
  systems: [],
  handoff: [],
  balance: [],
  hops: [],
  durability: [],
  idle: [],
  multiproc: [],
  failures: []
}

for (const task of plan(options, profileDir)) {
  const name = taskName(task)
  const t0 = Date.now()
  console.log(`— ${name} (load ${loadavg().join(' ')})`)
  try {
    const result = await runTask(task, { timeoutMs: options.quick ? 120_000 : 20 * 60_000 })
    if (result.kind === 'floor') report.floor.push(result as FloorResult)
    else if (result.kind === 'handoff') report.handoff.push(result as HandoffResult)
    else if (result.kind === 'balance') report.balance.push(result as BalanceResult)
    else if (result.kind === 'hops') report.hops.push(result as HopsResult)
    else if (result.kind === 'durability') report.durability.push(result as DurabilityResult)
    else if (result.kind === 'idle') report.idle?.push(result as IdleResult)
    else if (result.kind === 'multiproc') report.multiproc?.push(result as MultiprocResult)
    else report.systems.push(result as SystemResult)
    console.log(`  ${name} done in ${((Date.now() - t0) / 1000).toFixed(1)} s`)
  } catch (err) {
    const error = (err as Error).message
    console.log(`  ${name} FAILED: ${error.split('\n')[0]}`)
    report.failures.push({ task: name, error })
  }
}
report.loadAfter = loadavg()
report.seconds = (Date.now() - started) / 1000

await mkdir(options.out, { recursive: true })
const jsonFile = join(options.out, `${mode}-${stamp}.json`)
await writeFile(jsonFile, JSON.stringify(report, null, 2) + '\n')
await writeFile(join(options.out, `latest-${mode}.json`), JSON.stringify(report, null, 2) + '\n')
const svgs = await writeCharts(report, options.concurrency, options.out, mode)
const md = [
  `# Benchmark results (${mode}) — ${report.startedAt}`,
  '',
  `\`${report.command}\` on ${machine.cpus} CPUs (${machine.cpuModel}), Node ${machine.node}; load average ${report.loadBefore.join(' ')} before, ${report.loadAfter.join(' ')} after; ${report.seconds.toFixed(0)} s; muxer ${options.muxer}; values ${options.valueSize} B.`,
  '',
  '## Comparison', '', comparison(report, options.concurrency, true), '',
  '## Targets', '', targetTable(report, options.valueSize, true), '',
  '## Floor', '', floorTable(report, true), '',
  '## Handoff', '', handoffTable(report, true), '',
  '## Load balance', '', balanceTable(report, true), '',
  '## Durable writes', '', durabilityTable(report, true), '',
  '## Idle cost per peer', '', idleTable(report, true), '',
  '## One peer per process', '', multiprocTable(report, true), '',
  ...(report.failures.length > 0 ? ['## Failures', '', ...report.failures.map(f => `- ${f.task}: ${f.error.split('\n')[0]}`), ''] : [])
].join('\n')
await writeFile(join(options.out, `latest-${mode}.md`), md)

console.log(`\n${comparison(report, options.concurrency, false)}\n`)
console.log(`${floorTable(report, false)}\n`)
if (report.handoff.length > 0) console.log(`${handoffTable(report, false)}\n`)
if (report.balance.length > 0) console.log(`${balanceTable(report, false)}\n`)
if (report.durability.length > 0) console.log(`${durabilityTable(report, false)}\n`)
if ((report.idle ?? []).length > 0) console.log(`${idleTable(report, false)}\n`)
if ((report.multiproc ?? []).length > 0) console.log(`${multiprocTable(report, false)}\n`)
console.log(`${targetTable(report, options.valueSize, false)}\n`)
if (report.failures.length > 0) console.log(`FAILED: ${report.failures.map(f => f.task).join(', ')}`)
console.log(`${report.seconds.toFixed(0)} s; load average ${report.loadBefore.join(' ')} → ${report.loadAfter.join(' ')}`)
console.log(`results: ${jsonFile}, ${join(options.out, `latest-${mode}.md`)}, ${svgs.length} charts`)

if (profileDir !== undefined) {
  for (const file of (await readdir(profileDir)).filter(f => f.endsWith('.cpuprofile'))) {
    const summary = formatSummary(summarizeProfile(JSON.parse(readFileSync(join(profileDir, file), 'utf8')), 15))
    await writeFile(join(profileDir, file.replace(/\.cpuprofile$/, '.txt')), summary + '\n')
    console.log(`\n=== ${file}\n${summary}`)
  }
}
process.exit(report.failures.length > 0 ? 1 : 0)
