/**
 * Handoff: a ring holding many keys; a peer joins and takes its share, then
 * that peer leaves gracefully and hands it back. Measured from the
 * transfer:progress events of every peer (each transfer is reported once,
 * by the peer that starts it), ring:left, and storeStats() compared with the
 * placement computed from the peers' positions.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { drive } from './driver.ts'
import { addrOf, createChordPeer, ringStates, startChordRing, stopRing, waitForRing } from './chord-ring.ts'
import { logger } from './log.ts'
import { loadavg } from './machine.ts'
import { profiled } from './profiler.ts'
import { measureRawStream } from './raw-stream.ts'
import { heldPerPeer, idsOf } from './placement.ts'
import { valueOf } from './workload.ts'
import type { Peer } from './chord-ring.ts'
import type { HandoffEvent, HandoffPhase, HandoffResult, HandoffTask } from './types.ts'
import type { Id } from '../src/ring/id.ts'
import type { TransferProgress } from '../src/index.ts'

const R = 3
const SUCCESSORS = 8
const MB = 1e6

class TransferLog {
  readonly events: HandoffEvent[] = []
  /** keys moved per reason and direction (a key moved twice counts twice) */
  readonly keysBy = new Map<string, number>()
  private readonly t0 = performance.now()
  private readonly detach: Array<() => void> = []

  watch (peer: Peer): void {
    const listener = (evt: CustomEvent<TransferProgress>): void => {
      this.events.push({ t: performance.now() - this.t0, keys: evt.detail.keys, bytes: evt.detail.bytes })
      const why = `${evt.detail.reason} ${evt.detail.direction}`
      this.keysBy.set(why, (this.keysBy.get(why) ?? 0) + evt.detail.keys)
    }
    peer.services.chord.addEventListener('transfer:progress', listener)
    this.detach.push(() => { peer.services.chord.removeEventListener('transfer:progress', listener) })
  }

  elapsed (): number {
    return performance.now() - this.t0
  }

  stop (): void {
    for (const d of this.detach) d()
  }
}

/** ms until each peer holds exactly the records the placement says (counts), or NaN at the timeout */
async function waitPlacement (peers: Peer[], ids: Id[], clock: TransferLog, timeoutMs: number, watch?: { peer: Peer, onDone: (ms: number) => void }): Promise<number> {
  const expected = heldPerPeer(ringStates(peers), ids, R)
  const want = (p: Peer): number => expected.get(p.peerId.toString()) ?? 0
  let watchDone = watch === undefined
  const deadline = performance.now() + timeoutMs
  for (;;) {
    if (!watchDone && watch !== undefined && watch.peer.services.chord.storeStats().keys >= want(watch.peer)) {
      watchDone = true
      watch.onDone(clock.elapsed())
    }
    if (peers.every(p => p.services.chord.storeStats().keys === want(p))) {
      if (!watchDone) watch?.onDone(clock.elapsed())
      return clock.elapsed()
    }
    if (performance.now() > deadline) return NaN
    await new Promise(resolve => setTimeout(resolve, 25))
  }
}

function phaseFigures (what: HandoffPhase['what'], log: TransferLog, doneMs: number, replicatedMs: number, peers: Peer[], expectedCopies: number): HandoffPhase {
  const keysMoved = log.events.reduce((a, e) => a + e.keys, 0)
  const bytesMoved = log.events.reduce((a, e) => a + e.bytes, 0)
  const transferMs = log.events.at(-1)?.t ?? 0
  const movingMs = transferMs - (log.events[0]?.t ?? 0)
  const movingBytes = bytesMoved - (log.events[0]?.bytes ?? 0)
  return {
    what,
    doneMs,
    replicatedMs,
    keysMoved,
    bytesMoved,
    transferMs,
    keysPerSec: transferMs > 0 ? keysMoved / transferMs * 1000 : NaN,
    mbPerSec: transferMs > 0 ? bytesMoved / MB / transferMs * 1000 : NaN,
    movingMs,
    movingMbPerSec: movingMs > 0 ? movingBytes / MB / movingMs * 1000 : NaN,
    copies: peers.reduce((a, p) => a + p.services.chord.storeStats().keys, 0),
    expectedCopies,
    timeline: log.events
  }
}

export async function runHandoff (task: HandoffTask): Promise<HandoffResult> {
  const log = logger(`handoff n=${task.n} ${task.datastore}`)
  const root = task.datastore === 'level' ? mkdtempSync(join(tmpdir(), 'chord-bench-')) : undefined
  let dirs = 0
  const dataDir = root === undefined ? undefined : () => join(root, `peer-${dirs++}`)
  const peers = await startChordRing(task.n, task.muxer, { successorListLength: SUCCESSORS }, 8, dataDir)
  await waitForRing(peers, SUCCESSORS, 120_000, false)

  const stored: string[] = []
  const load = await drive({
    concurrency: 128,
    maxOps: task.keys,
    maxMs: 15 * 60_000,
    op: async (i) => {
      const key = `handoff-${i}`
      await peers[i % peers.length].services.chord.put(key, valueOf(i, task.valueSize))
      stored.push(key)
      return true
    }
  })
  const loadOpsPerSec = stored.length / load.seconds
  log(`loaded ${stored.length} keys of ${task.valueSize} B in ${load.seconds.toFixed(1)} s (${loadOpsPerSec.toFixed(0)}/s, ${load.errors} errors)`)
  const ids = idsOf(stored)
  const expectedCopies = ids.length * Math.min(R, task.n)
  const settled = await waitPlacement(peers, ids, new TransferLog(), 120_000)
  log(`placement ${Number.isNaN(settled) ? 'NOT settled' : `settled after ${(settled / 1000).toFixed(1)} s`}`)
  const phases: HandoffPhase[] = []
  const all = await profiled(task.profileDir, `handoff-${task.datastore}-n${task.n}`, async () => {
    // a peer joins and takes its share
    const joinLog = new TransferLog()
    for (const p of peers) joinLog.watch(p)
    const joiner = await createChordPeer(task.muxer, { successorListLength: SUCCESSORS, bootstrap: [addrOf(peers[Math.floor(Math.random() * peers.length)])] }, dataDir?.())
    joinLog.watch(joiner)
    const all = [...peers, joiner]
    let joinDone = NaN
    const joinReplicated = await waitPlacement(all, ids, joinLog, task.settleTimeoutMs, { peer: joiner, onDone: ms => { joinDone = ms } })
    joinLog.stop()
    phases.push(phaseFigures('join', joinLog, joinDone, joinReplicated, all, expectedCopies))
    log(`join: joiner holds ${joiner.services.chord.storeStats().keys} keys after ${(joinDone / 1000).toFixed(2)} s; r copies everywhere after ${(joinReplicated / 1000).toFixed(2)} s; ${phases[0].keysMoved} keys / ${(phases[0].bytesMoved / MB).toFixed(1)} MB moved, ${phases[0].mbPerSec.toFixed(1)} MB/s from the start, ${phases[0].movingMbPerSec.toFixed(1)} MB/s while moving; keys by reason: ${[...joinLog.keysBy].map(([k, v]) => `${k} ${v}`).join(', ')}`)

    // a peer that was there from the start leaves gracefully: its keys need a new r-th replica
    const leaver = peers[Math.floor(Math.random() * peers.length)]
    const staying = all.filter(p => p !== leaver)
    const leaveLog = new TransferLog()
    for (const p of all) leaveLog.watch(p)
    let leaveDone = NaN
    leaver.services.chord.addEventListener('ring:left', () => { leaveDone = leaveLog.elapsed() }, { once: true })
    log(`leave: ${leaver.services.chord.storeStats().keys} keys held by the leaving peer`)
    await leaver.services.chord.leave()
    const leaveReplicated = await waitPlacement(staying, ids, leaveLog, task.settleTimeoutMs)
    leaveLog.stop()
    phases.push(phaseFigures('leave', leaveLog, leaveDone, leaveReplicated, staying, expectedCopies))
    log(`leave: handed over after ${(leaveDone / 1000).toFixed(2)} s; r copies everywhere after ${(leaveReplicated / 1000).toFixed(2)} s; ${phases[1].keysMoved} keys / ${(phases[1].bytesMoved / MB).toFixed(1)} MB moved, ${phases[1].mbPerSec.toFixed(1)} MB/s from the start, ${phases[1].movingMbPerSec.toFixed(1)} MB/s while moving; keys by reason: ${[...leaveLog.keysBy].map(([k, v]) => `${k} ${v}`).join(', ')}`)
    return all
  })

  await stopRing(all)
  if (root !== undefined) rmSync(root, { recursive: true, force: true })
  // the physical reference, measured after the ring stopped so neither disturbs the other
  const rawStream = task.rawStreamBytes > 0 ? await measureRawStream(task.muxer, task.rawStreamBytes) : undefined
  if (rawStream !== undefined) log(`raw stream: ${(rawStream.bytes / MB).toFixed(0)} MB through one stream in ${(rawStream.ms / 1000).toFixed(2)} s, ${rawStream.mbPerSec.toFixed(1)} MB/s`)
  return { kind: 'handoff', datastore: task.datastore, n: task.n, muxer: task.muxer, keys: stored.length, valueSize: task.valueSize, loadMs: load.seconds * 1000, loadOpsPerSec, phases, rawStream, loadavg: loadavg() }
}
