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
  /** operations in flight at the end of a phase may finish for this long; later ones are abandoned (errors) */
  graceMs: number
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
  /** also measure the floor spread over this many peers (floor-spread.ts) */
  spreadPeers?: number
}

export interface ChordTask {
  kind: 'chord'
  /** write a CPU profile of the measured part here */
  profileDir?: string
  n: number
  muxer: Muxer
  workload: WorkloadSpec
  consistencies: Consistency[]
  /** lookups per peer in each of the cold and warm hop measurements */
  lookupsPerPeer: number
  warmupPerPeer: number
  /** also wait for complete finger tables before measuring (a fixFingers pass, up to 5 s) */
  waitFingers: boolean
}

export interface KadTask {
  kind: 'kad'
  profileDir?: string
  n: number
  muxer: Muxer
  /** kBucketSize; undefined: kad-dht's default (20) */
  k: number | undefined
  workload: WorkloadSpec
  /** longest wait for the routing tables to stop growing */
  settleMs: number
}

export interface HandoffTask {
  kind: 'handoff'
  profileDir?: string
  n: number
  muxer: Muxer
  keys: number
  valueSize: number
  /** how long to wait for r copies of every key after the join and after the leave */
  settleTimeoutMs: number
  /** where peers keep records: libp2p's MemoryDatastore (the default) or LevelDB (createChordNode's dataDir) */
  datastore: 'memory' | 'level'
  /** bytes pushed through one bare libp2p stream for the physical reference (bench/raw-stream.ts); 0: not measured */
  rawStreamBytes: number
}

export interface BalanceTask {
  kind: 'balance'
  n: number
  muxer: Muxer
  virtualNodes: number
  /** hashed positions each peer chooses from (the default 1024), or 1: plain hashed positions */
  positionChoices: number
  keys: number
}

/** Pure Chord routing: a ring whose peers keep no location cache */
export interface HopsTask {
  kind: 'hops'
  n: number
  muxer: Muxer
  lookupsPerPeer: number
}

/** What durable writes cost on LevelDB (bench/durability.ts) */
export interface DurabilityTask {
  kind: 'durability'
  valueSize: number
  /** ms per measured phase */
  phaseMs: number
  /** where the LevelDB directories go (default the OS temp directory) */
  dir?: string
}

/** N peers in one process doing nothing: CPU and messages per peer (bench/idle.ts) */
export interface IdleTask {
  kind: 'idle'
  profileDir?: string
  n: number
  muxer: Muxer
  /** 'default': the library's maintenance intervals (stabilize 1 s); 'bench': stabilize every 250 ms */
  intervals: 'default' | 'bench'
  /** wait after the ring is ideal before measuring, ms */
  settleMs: number
  /** how long to measure */
  seconds: number
}

/** N peers, each in its own process, driven through IPC (bench/multiproc.ts) */
export interface MultiprocTask {
  kind: 'multiproc'
  n: number
  muxer: Muxer
  workload: WorkloadSpec
  consistencies: Consistency[]
}

export type Task = FloorTask | ChordTask | KadTask | HandoffTask | BalanceTask | HopsTask | DurabilityTask | IdleTask | MultiprocTask

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
  /** event-loop delay during the phase, ms: how long callbacks waited behind other work */
  loopDelay: { p99: number, max: number }
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
  /** cold: the first lookups once the ring is ideal (the cache holds what maintenance lookups saw); warm: after a warm-up */
  hops?: { cold: Summary, warm: Summary, wrong: number, failures: number, errors?: number }
  /** kad-dht routing table sizes when the workload started */
  routingTable?: { mean: number, min: number }
  loadavg: number[]
}

export interface FloorRow {
  pattern: 'long-lived' | 'new-stream' | 'spread'
  /** 'spread': the peers the requests are spread over */
  peers?: number
  payload: number
  /** ms, sequential ('spread': at `concurrency` in flight) */
  latency: Summary
  /** process CPU per request at `concurrency` in flight, µs */
  cpuUsPerRequest?: number
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
  /**
   * while data moved: the bytes of every batch after the first, over the time
   * from the first batch to the last (leaves out the join's own set-up)
   */
  movingMs: number
  movingMbPerSec: number
  /** copies summed over all peers at the end, and r × keys */
  copies: number
  expectedCopies: number
  timeline: HandoffEvent[]
}

export interface HandoffResult {
  kind: 'handoff'
  datastore: 'memory' | 'level'
  n: number
  muxer: Muxer
  keys: number
  valueSize: number
  loadMs: number
  loadOpsPerSec: number
  phases: HandoffPhase[]
  /** one noise-encrypted stream between two bare peers of the same process, same transport and muxer */
  rawStream?: { bytes: number, ms: number, mbPerSec: number }
  loadavg: number[]
}

export interface BalanceResult {
  kind: 'balance'
  n: number
  muxer: Muxer
  virtualNodes: number
  positionChoices: number
  keys: number
  /** idle CPU per peer, % of a core, with the ring loaded and quiet (maintenance only) */
  idleCpuPerPeer: number
  /** keys per peer as primary owner (successor of the key), from the live ring */
  owned: Spread
  /** records held per peer (replicas included), from storeStats() */
  held: Spread
  /** keys owned per peer, ascending */
  ownedCounts: number[]
  loadavg: number[]
}

export interface HopsResult {
  kind: 'hops'
  n: number
  muxer: Muxer
  /** hops per lookup with locationCacheSize 0 (fingers and successor lists only) */
  hops: Summary
  wrong: number
  /** lookups that failed altogether */
  errors: number
  firstError?: string
  setupMs: number
  loadavg: number[]
}

export interface DurabilityRow {
  /** store: LocalStore on LevelDB; ring: QUORUM puts through 3 peers */
  level: 'store' | 'ring'
  mode: 'group commit' | 'sync each write' | 'no sync'
  concurrency: number
  ops: number
  opsPerSec: number
  /** writes per fsync, with group commit */
  writesPerSync?: number
}

export interface DurabilityResult {
  kind: 'durability'
  valueSize: number
  rows: DurabilityRow[]
  loadavg: number[]
}

export interface IdleResult {
  kind: 'idle'
  n: number
  muxer: Muxer
  intervals: 'default' | 'bench'
  stabilizeMs: number
  setupMs: number
  seconds: number
  /** process CPU, % of one core */
  cpuPct: number
  /** CPU ms per second per peer (= % of a core × 10 / N) */
  cpuMsPerPeerSec: number
  /** chord requests sent per peer per second, in all and by method */
  rpcsPerPeerSec: number
  rpcs: Record<string, number>
  /** streams opened per peer per second (libp2p's ping, identify, new /chord streams), in all and by protocol */
  streamsPerPeerSec: number
  streams: Record<string, number>
  connectionsPerPeer: number
  loadavg: number[]
}

export interface MultiprocResult {
  kind: 'multiproc'
  n: number
  muxer: Muxer
  setupMs: number
  /** phases; cpuMsPerOp is the children's CPU (user + system, summed) per operation, plus the driver's */
  phases: PhaseResult[]
  /** CPU of all the children while idle, % of one core */
  idleCpuPct: number
  loadavg: number[]
}

export type Result = FloorResult | SystemResult | HandoffResult | BalanceResult | HopsResult | DurabilityResult | IdleResult | MultiprocResult

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
  hops: HopsResult[]
  durability: DurabilityResult[]
  idle?: IdleResult[]
  multiproc?: MultiprocResult[]
  failures: Array<{ task: string, error: string }>
}
