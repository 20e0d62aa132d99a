/**
 * The key-value workload against N peers that each live in their own
 * process (bench/multiproc-peer.ts), as real daemons run: this process forms
 * the ring through them, then drives puts and gets over IPC. CPU per
 * operation is the children's, summed; every child is stopped, or killed,
 * before the task returns or fails.
 */
import { fork } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { fingersComplete } from './chord-ring.ts'
import { logger } from './log.ts'
import { loadavg } from './machine.ts'
import { Workload } from './workload.ts'
import { checkIdeal } from '../harness/invariants.ts'
import type { MultiprocResult, MultiprocTask, PhaseResult } from './types.ts'
import type { KvTarget } from './workload.ts'
import type { PeerReply, PeerRequest } from './multiproc-protocol.ts'
import type { ChildProcess } from 'node:child_process'
import type { Consistency } from '../src/index.ts'

const PEER = fileURLToPath(new URL('./multiproc-peer.ts', import.meta.url))
const SUCCESSORS = 8

type Body<T = PeerRequest> = T extends unknown ? Omit<T, 'id'> : never

class PeerProcess {
  readonly child: ChildProcess
  readonly ready: Promise<void>
  private readonly pending = new Map<number, { resolve(r: PeerReply): void, reject(e: Error): void }>()
  private nextId = 1

  constructor () {
    this.child = fork(PEER, [], { execArgv: ['--import', 'tsx'], serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
    this.ready = new Promise<void>((resolve, reject) => {
      this.pending.set(0, { resolve: () => { resolve() }, reject })
    })
    this.child.on('message', (reply: PeerReply) => {
      const waiting = this.pending.get(reply.id)
      this.pending.delete(reply.id)
      if (reply.error !== undefined) waiting?.reject(new Error(reply.error))
      else waiting?.resolve(reply)
    })
    this.child.on('exit', (code, signal) => {
      for (const w of this.pending.values()) w.reject(new Error(`peer process exited with ${code ?? signal}`))
      this.pending.clear()
    })
  }

  get exited (): boolean {
    return this.child.exitCode !== null || this.child.signalCode !== null
  }

  async request (body: Body, signal?: AbortSignal): Promise<PeerReply> {
    signal?.throwIfAborted()
    const id = this.nextId++
    return new Promise<PeerReply>((resolve, reject) => {
      const onAbort = (): void => { this.pending.delete(id); reject(signal?.reason as Error) }
      signal?.addEventListener('abort', onAbort, { once: true })
      this.pending.set(id, {
        resolve: r => { signal?.removeEventListener('abort', onAbort); resolve(r) },
        reject: e => { signal?.removeEventListener('abort', onAbort); reject(e) }
      })
      this.child.send({ ...body, id } satisfies PeerRequest)
    })
  }
}

const live = new Set<PeerProcess>()
process.on('exit', () => { for (const p of live) p.child.kill('SIGKILL') })

/** Stop every peer gracefully, then kill whatever is still running after `ms` */
async function stopAll (peers: PeerProcess[], ms: number): Promise<void> {
  const exited = peers.map(async p => {
    if (!p.exited) await new Promise(resolve => p.child.once('exit', resolve))
    live.delete(p)
  })
  for (const p of peers) if (!p.exited) p.request({ type: 'stop' }).catch(() => {})
  let timer: ReturnType<typeof setTimeout> | undefined
  await Promise.race([Promise.all(exited), new Promise(resolve => { timer = setTimeout(resolve, ms) })])
  clearTimeout(timer)
  for (const p of peers) if (!p.exited) p.child.kill('SIGKILL')
  await Promise.all(exited)
}

/** The first peer creates the ring; the others join in waves of 8 through random members */
async function formRing (peers: PeerProcess[], task: MultiprocTask): Promise<void> {
  const start = async (p: PeerProcess, bootstrap: string[]): Promise<string> =>
    (await p.request({ type: 'start', muxer: task.muxer, successors: SUCCESSORS, bootstrap, joinTimeoutMs: 60_000 })).addr!
  const addrs = [await start(peers[0], [])]
  for (let i = 1; i < peers.length; i += 8) {
    const members = [...addrs]
    addrs.push(...await Promise.all(peers.slice(i, i + 8).map(async p => start(p, [members[Math.floor(Math.random() * members.length)]]))))
  }
}

async function waitIdeal (peers: PeerProcess[], fingers: boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const states = await Promise.all(peers.map(async p => (await p.request({ type: 'state' })).state!))
    const problems = checkIdeal(states, SUCCESSORS)
    if (problems.length === 0 && (!fingers || fingersComplete(states))) return
    if (Date.now() > deadline) throw new Error(`ring not ideal after ${timeoutMs} ms: ${problems.slice(0, 3).join('; ') || 'fingers incomplete'}`)
    await new Promise(resolve => setTimeout(resolve, 250))
  }
}

/** CPU ms used so far by all the peer processes */
async function childrenCpu (peers: PeerProcess[]): Promise<number> {
  const replies = await Promise.all(peers.map(async p => p.request({ type: 'cpu' })))
  return replies.reduce((sum, r) => sum + (r.cpuMs ?? 0), 0)
}

function target (peers: PeerProcess[], consistency: Consistency, timeoutMs: number): KvTarget {
  return {
    peers: peers.length,
    async put (i, key, value, signal) { await peers[i].request({ type: 'put', key, value, consistency, timeoutMs }, signal) },
    async get (i, key, signal) { return (await peers[i].request({ type: 'get', key, consistency, timeoutMs }, signal)).value }
  }
}

async function runPhases (peers: PeerProcess[], task: MultiprocTask, log: (line: string) => void): Promise<PhaseResult[]> {
  const workload = new Workload(task.workload, `multiproc-${task.n}`)
  const phases: PhaseResult[] = []
  for (const consistency of task.consistencies) {
    const kv = target(peers, consistency, task.workload.opTimeoutMs)
    for (const op of ['put', 'get'] as const) {
      for (const concurrency of [1, ...task.workload.concurrency]) {
        const before = await childrenCpu(peers)
        const r = await workload.phase(kv, op, concurrency, consistency)
        const driverMsPerOp = r.cpuMsPerOp
        r.cpuMsPerOp = r.ops === 0 ? NaN : (await childrenCpu(peers) - before) / r.ops
        log(`${op} ${consistency} c=${concurrency}: ${r.ops} ops, ${r.opsPerSec.toFixed(0)}/s, p50 ${r.latency.p50.toFixed(2)} ms, p99 ${r.latency.p99.toFixed(2)} ms, CPU ${r.cpuMsPerOp.toFixed(2)} ms/op in the peers (+${driverMsPerOp.toFixed(2)} in the driver), errors ${r.errors}, wrong ${r.wrong}${r.firstError !== undefined ? ` (${r.firstError})` : ''}`)
        phases.push(r)
      }
    }
  }
  return phases
}

export async function runMultiproc (task: MultiprocTask): Promise<MultiprocResult> {
  const log = logger(`multiproc n=${task.n}`)
  const t0 = performance.now()
  const peers = Array.from({ length: task.n }, () => new PeerProcess())
  for (const p of peers) live.add(p)
  try {
    await Promise.all(peers.map(async p => p.ready))
    log(`${task.n} processes up in ${((performance.now() - t0) / 1000).toFixed(1)} s`)
    await formRing(peers, task)
    // complete finger tables too, except in the quick run's short phases
    await waitIdeal(peers, task.workload.phaseMs >= 5000, 180_000)
    const setupMs = performance.now() - t0
    const idleFrom = await childrenCpu(peers)
    await new Promise(resolve => setTimeout(resolve, 2000))
    const idleCpuPct = (await childrenCpu(peers) - idleFrom) / 2000 * 100
    log(`ring ideal after ${(setupMs / 1000).toFixed(1)} s; idle CPU of all peers ${idleCpuPct.toFixed(0)}% of a core`)
    const phases = await runPhases(peers, task, log)
    return { kind: 'multiproc', n: task.n, muxer: task.muxer, setupMs, phases, idleCpuPct, loadavg: loadavg() }
  } finally {
    await stopAll(peers, 10_000)
  }
}
