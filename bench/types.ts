/**
 * What the orchestrator asks a worker process to measure, and what comes back.
 */
import type { Machine } from './machine.ts'
import type { Spread, Summary } from './stats.ts'
import type { Consistency } from '../src/index.ts'
import type { Muxer } from '../src/node.ts'

export type { Muxer }

export interface WorkloadSpec {
  /** most operations in one concurrent phase; also bounds the key space of reads */
  keys: number
  /** most operations in a sequential phase */
  seqOps: number
  valueSize: number
  /** operations in flight in the concurrent phases (1 = the sequential phase, always run) */
  concurrency: number[]
  /** a phase stops issuing operations after this long */
  phaseMs: number
  /** per-operation timeout */
  opTimeoutMs: number
}

export interface FloorTask {
  kind: 'floor'
  muxer: Muxer
  payloads: number[]
  seqOps: number
  concurrency: number
  phaseMs: number
}

export interface ChordTask {
  kind: 'chord'
  n: number
  muxer: Muxer
  workload: WorkloadSpec
  consistencies: Consistency[]
  /** lookups per peer in each of the cold and warm hop measurements */
  lookupsPerPeer: number
  warmupPerPeer: number
}

export interface KadTask {
  kind: 'kad'
  n: number
  muxer: Muxer
  /** kBucketSize; undefined: kad-dht's default (20) */
  k: number | undefined
  workload: WorkloadSpec
}

export interface HandoffTask {
  kind: 'handoff'
  n: number
  muxer: Muxer
  keys: number
  valueSize: number
}

export interface BalanceTask {
  kind: 'balance'
  n: number
  muxer: Muxer
  virtualNodes: number
  keys: number
}

export type Task = FloorTask | ChordTask | KadTask | HandoffTask | BalanceTask

export interface PhaseResult {
  op: 'put' | 'get'
  /** QUORUM, ONE, …; 'n/a' for kad-dht */
  consistency: string
  concurrency: number
  ops: number
  errors: number
  /** gets that returned nothing or the wrong value */
  wrong: number
  seconds: number
  opsPerSec: number
  /** ms */
  latency: Summary
  /** process CPU (user + system) per completed operation, ms; includes background maintenance */
  cpuMsPerOp: number
  firstError?: string
}

export interface MemoryFigures {
  /** MiB per peer: (after − before) / N, after a forced GC */
  rssPerPeer: number
  heapPerPeer: number
}

export interface SystemResult {
  kind: 'chord' | 'kad'
  system: string
  n: number
  muxer: Muxer
  /** ms from the first node's creation until the ring/routing tables were ready */
  setupMs: number
  /** CPU used by background maintenance while idle, % of one core */
  idleCpuPct: number
  memoryReady: MemoryFigures
  memoryAfter: MemoryFigures
  phases: PhaseResult[]
  hops?: { cold: Summary, warm: Summary, wrong: number, failures: number }
  /** kad-dht routing table sizes when the workload started */
  routingTable?: { mean: number, min: number }
  loadavg: number[]
}

export interface FloorRow {
  pattern: 'long-lived' | 'new-stream'
  payload: number
  /** ms, sequential */
  latency: Summary
  concurrency: number
  opsPerSec: number
  errors: number
}

export interface FloorResult {
  kind: 'floor'
  muxer: Muxer
  rows: FloorRow[]
  loadavg: number[]
}

export interface HandoffEvent {
  /** ms since the join or leave started */
  t: number
  keys: number
  bytes: number
}

export interface HandoffPhase {
  what: 'join' | 'leave'
  /** ms until the moving peer finished (joined with its keys / ring:left) */
  doneMs: number
  /** ms until every key was on exactly r replicas again (copies counted) */
  replicatedMs: number
  keysMoved: number
  bytesMoved: number
  /** from the start until the last transfer event */
  transferMs: number
  keysPerSec: number
  mbPerSec: number
  /** copies summed over all peers at the end, and r × keys */
  copies: number
  expectedCopies: number
  timeline: HandoffEvent[]
}

export interface HandoffResult {
  kind: 'handoff'
  n: number
  muxer: Muxer
  keys: number
  valueSize: number
  loadMs: number
  loadOpsPerSec: number
  phases: HandoffPhase[]
  loadavg: number[]
}

export interface BalanceResult {
  kind: 'balance'
  n: number
  muxer: Muxer
  virtualNodes: number
  keys: number
  /** keys per peer as primary owner (successor of the key), from the live ring */
  owned: Spread
  /** records held per peer (replicas included), from storeStats() */
  held: Spread
  loadavg: number[]
}

export type Result = FloorResult | SystemResult | HandoffResult | BalanceResult

export interface BenchReport {
  startedAt: string
  command: string
  quick: boolean
  machine: Machine
  /** load average before and after the run */
  loadBefore: number[]
  loadAfter: number[]
  seconds: number
  floor: FloorResult[]
  systems: SystemResult[]
  handoff: HandoffResult[]
  balance: BalanceResult[]
  failures: Array<{ task: string, error: string }>
}
