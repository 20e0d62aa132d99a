/**
 * The churn suite: a ring of real peers (TCP on 127.0.0.1) under a seeded
 * schedule of joins, graceful leaves and crashes — single, several apart at
 * once, and r − 1 adjacent — while clients write, delete and read with
 * QUORUM. Then the ring must become ideal, every key must get back to its r
 * replicas, and the history must show no lost write, no stale read and no
 * deleted key come back.
 *
 *   npm run test:churn                         the long form (below)
 *   npm run test:churn -- --seed 7 --peers 32 --events 60
 *   CHURN_TRACE=1 npm run test:churn     also trace where the copies of flagged keys went
 *
 * test/network/churn.spec.ts runs a short form inside npm test.
 */
import { parseArgs } from 'node:util'
import { checkIdeal } from '../../harness/invariants.ts'
import { diverged, misplaced } from '../fixtures/kv.ts'
import { FAST, waitFor } from '../../harness/peers.ts'
import { R, states } from '../fixtures/ring.ts'
import { seeded } from '../fixtures/random.ts'
import { Cluster } from './cluster.ts'
import { History } from './history.ts'
import { plan } from './schedule.ts'
import { Trace } from './trace.ts'
import { Workload } from './workload.ts'
import type { HistorySummary, Violation } from './history.ts'
import type { EventKind, PlannedEvent } from './schedule.ts'
import type { LookupFigures } from './workload.ts'

export interface ChurnOptions {
  seed: number
  /** peers at the start */
  peers: number
  events: number
  /** ms between events, uniform in [minGap, maxGap] */
  minGap: number
  maxGap: number
  r: number
  writers: number
  keysPerWriter: number
  readers: number
  deleteRatio: number
  /** ms within which at most r − 1 copies of a key may be lost (see schedule.ts) */
  repairPeriod: number
  /** ms the ring and the replicas get to settle after the last event */
  settleTimeout: number
  /**
   * ms a crash may wait, past the next event's time, for a choice of victims
   * the failure assumption allows (copies re-created) before it is skipped;
   * the events after it move later (default 0)
   */
  crashWait?: number
  log(line: string): void
}

export const LONG: Omit<ChurnOptions, 'log'> = {
  seed: 1,
  peers: 32,
  events: 60,
  minGap: 500,
  maxGap: 2500,
  r: 3,
  writers: 8,
  keysPerWriter: 50,
  readers: 8,
  deleteRatio: 0.1,
  repairPeriod: 6000,
  settleTimeout: 60_000
}

export interface EventRecord extends PlannedEvent {
  /** ms after the churn began that it happened */
  done: number
  /** peer ids (last 6 characters) it took, or why it was skipped */
  outcome: string
}

export interface ChurnReport {
  options: Omit<ChurnOptions, 'log'>
  events: EventRecord[]
  summary: HistorySummary
  violations: Violation[]
  lookups: LookupFigures
  /** ms from the last event until the ring was ideal, and until every key was on its r replicas */
  ringCorrectAfter: number
  replicasRestoredAfter: number
  /** crash choices put off because copies were not yet repaired (repair slower than the repair period) */
  deferred: number
  /** problems left at the end: misplaced or diverged keys, failed final reads, peers that failed to join */
  problems: string[]
  peersAtEnd: number
  durationMs: number
}

export async function runChurn (options: ChurnOptions): Promise<ChurnReport> {
  const { log, ...settings } = options
  const { r } = options
  const began = Date.now()
  const rand = seeded(options.seed)
  const init = { ...FAST, replicas: r, successorListLength: R, consistency: 'QUORUM' as const }
  const history = new History()
  const workload = new Workload({
    history,
    // the clients' choices are their own stream, so they do not shift the schedule's
    rand: seeded(options.seed ^ 0x5eed),
    coordinators: () => cluster.members,
    running: () => [...cluster.running],
    writers: options.writers,
    keysPerWriter: options.keysPerWriter,
    readers: options.readers,
    r,
    deleteRatio: options.deleteRatio,
    consistency: 'QUORUM',
    timeout: 10_000,
    pause: 5
  })
  const trace = process.env.CHURN_TRACE === '1' ? new Trace(workload.keys) : undefined
  const cluster = new Cluster({ rand, init, r, repairPeriod: options.repairPeriod, joinTimeout: 30_000, trace, keys: workload.keys })
  const events: EventRecord[] = []
  const problems: string[] = []
  try {
    await cluster.start(options.peers)
    await waitFor(() => checkIdeal(states(cluster.members), R).length === 0, options.settleTimeout, () => `initial ring not ideal: ${checkIdeal(states(cluster.members), R).slice(0, 3).join('; ')}`)
    log(`${options.peers} peers in an ideal ring after ${((Date.now() - began) / 1000).toFixed(1)} s; seed ${options.seed}`)
    await workload.preload()
    workload.start()

    const schedule = plan(rand, { events: options.events, minGap: options.minGap, maxGap: options.maxGap, r, peers: options.peers, minPeers: Math.max(r + 2, options.peers - 6), maxPeers: options.peers + 6 })
    const churnStart = Date.now()
    for (const [i, event] of schedule.entries()) {
      await sleep(churnStart + event.at - Date.now())
      const deadline = Math.max(churnStart + (schedule[i + 1]?.at ?? event.at + options.maxGap), Date.now() + (options.crashWait ?? 0))
      const outcome = await happen(cluster, event.kind, event.count, deadline)
      events.push({ ...event, done: Date.now() - churnStart, outcome })
      log(`  ${((Date.now() - churnStart) / 1000).toFixed(1).padStart(6)} s  ${event.kind.padEnd(14)} ${outcome}`)
    }
    const lastEvent = Date.now()

    // settle: joins and leaves finish, the ring becomes ideal, every key is back on r replicas
    await cluster.idle()
    await waitFor(() => checkIdeal(states([...cluster.running]), R).length === 0, options.settleTimeout,
      () => `ring not ideal after the last event: ${checkIdeal(states([...cluster.running]), R).slice(0, 3).join('; ')}`)
    const ringCorrectAfter = Date.now() - lastEvent
    const peers = [...cluster.running]
    let stillMisplaced: string[] = []
    await waitFor(async () => (stillMisplaced = await misplaced(peers, workload.keys, r, 3)).length === 0, options.settleTimeout,
      () => `keys not back on their r replicas: ${stillMisplaced.join('; ')}`)
    const replicasRestoredAfter = Date.now() - lastEvent
    await workload.stop()

    // the final state: every replica the same version, every key read with ALL
    await waitFor(async () => (await diverged(peers, workload.keys, 1)).length === 0, options.settleTimeout, 'replicas did not converge')
    await workload.readAll('ALL')
    problems.push(...await misplaced(peers, workload.keys, r), ...await diverged(peers, workload.keys), ...cluster.errors)
    const finalFailures = history.ops.filter(op => op.final === true && !op.ok)
    if (finalFailures.length > 0) problems.push(`${finalFailures.length} final reads failed, e.g. ${finalFailures[0].key}: ${finalFailures[0].error}`)

    return {
      options: settings,
      events,
      summary: history.summary(),
      violations: history.check().map(v => trace === undefined ? v : { ...v, detail: `${v.detail} | trace: ${trace.of(v.key)}` }),
      lookups: workload.lookups,
      ringCorrectAfter,
      replicasRestoredAfter,
      problems,
      deferred: cluster.deferred,
      peersAtEnd: peers.length,
      durationMs: Date.now() - began
    }
  } finally {
    await workload.stop()
    await cluster.stop()
  }
}

/** One event; crashes wait (until `deadline`) for a choice of victims the failure assumption allows */
async function happen (cluster: Cluster, kind: EventKind, count: number, deadline: number): Promise<string> {
  const short = (peer: string): string => peer.slice(-6)
  switch (kind) {
    case 'join':
      cluster.join()
      return 'a new peer'
    case 'leave':
      return short(cluster.leave())
    default:
      for (;;) {
        const victims = await cluster.crash(kind, count)
        if (victims !== undefined) return victims.map(short).join(' ')
        if (Date.now() > deadline) return 'skipped: every choice would break the failure assumption'
        await sleep(250)
      }
  }
}

async function sleep (ms: number): Promise<void> {
  if (ms > 0) await new Promise(resolve => setTimeout(resolve, ms))
}

/** The figures, as printed by the script and the short test */
export function formatReport (report: ChurnReport): string {
  const { summary, lookups, events } = report
  const kinds = new Map<string, number>()
  for (const e of events) if (!e.outcome.startsWith('skipped')) kinds.set(e.kind, (kinds.get(e.kind) ?? 0) + 1)
  const skipped = events.filter(e => e.outcome.startsWith('skipped')).length
  const lines = [
    `seed ${report.options.seed}: ${report.options.peers} peers, r = ${report.options.r}, ${events.length} events (${[...kinds].map(([k, n]) => `${n} ${k}`).join(', ')}${skipped > 0 ? `, ${skipped} skipped` : ''}), ${report.peersAtEnd} peers at the end, ${(report.durationMs / 1000).toFixed(0)} s in all`,
    `operations: ${summary.operations} (writes ${summary.byKind.write.ok} ok / ${summary.byKind.write.failed} failed, deletes ${summary.byKind.delete.ok} / ${summary.byKind.delete.failed}, reads ${summary.byKind.read.ok} / ${summary.byKind.read.failed})`,
    ...[...summary.failures].map(([code, f]) => `  failed: ${f.count} × ${code}${code === 'COORDINATOR_STOPPED' ? ' (the peer the client used crashed or left meanwhile)' : ''} (e.g. ${f.example.slice(0, 140)})`),
    `lookups: ${lookups.ok} answered (${lookups.wrongOwner} named an owner the ring had since changed), ${[...lookups.failures.values()].reduce((a, f) => a + f.count, 0)} failed`,
    ...[...lookups.failures].map(([code, f]) => `  failed: ${f.count} × ${code} (e.g. ${f.example.slice(0, 140)})`),
    `ring ideal ${(report.ringCorrectAfter / 1000).toFixed(1)} s after the last event; r replicas of every key ${(report.replicasRestoredAfter / 1000).toFixed(1)} s after it`,
    `crash choices put off because a key's other copies were not yet re-created: ${report.deferred}`,
    `history: ${report.violations.length} violations${report.violations.length > 0 ? ':' : ''}`,
    ...report.violations.slice(0, 10).map(v => `  ${v.kind} ${v.key}: ${v.detail}`),
    ...report.problems.slice(0, 10).map(p => `  problem: ${p}`)
  ]
  return lines.join('\n')
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      seed: { type: 'string' },
      peers: { type: 'string' },
      events: { type: 'string' }
    }
  })
  const options: ChurnOptions = {
    ...LONG,
    seed: values.seed === undefined ? LONG.seed : Number(values.seed),
    peers: values.peers === undefined ? LONG.peers : Number(values.peers),
    events: values.events === undefined ? LONG.events : Number(values.events),
    log: line => { console.log(line) }
  }
  const report = await runChurn(options)
  console.log(formatReport(report))
  process.exitCode = report.violations.length + report.problems.length > 0 ? 1 : 0
}
