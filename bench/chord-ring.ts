/**
 * Rings of chord peers for the benchmarks: the first peer creates the ring,
 * the rest join in concurrent waves through random started peers (as the
 * tests do), then we wait for the ideal ring with complete finger tables.
 */
import { fingerStart } from '../src/ring/id.ts'
import { nodeKey } from '../src/ring/node-ref.ts'
import { createChordNode } from '../src/node.ts'
import { checkIdeal, members, trueSuccessor } from '../harness/invariants.ts'
import type { ChordInit, RingState } from '../src/index.ts'
import type { ChordNode, ChordNodeOptions } from '../src/node.ts'
import type { Muxer } from './types.ts'

/**
 * The library's default maintenance intervals (fingers 5 s, predecessor 2 s,
 * sync 5 s, sweep 30 s), except stabilize every 250 ms instead of 1 s so a
 * ring settles in seconds, and quicker join retries. N peers in one process
 * pay N peers' maintenance: its CPU is reported as idle CPU.
 */
export const BENCH_INTERVALS: ChordInit = {
  stabilizeInterval: 250,
  joinRetryMinDelay: 50,
  joinRetryMaxDelay: 1000
}

export type Peer = ChordNode

/** `dataDir`: keep the records in LevelDB there instead of in memory; `node`: more of createChordNode's options */
export async function createChordPeer (muxer: Muxer, init: ChordInit = {}, dataDir?: string, node: ChordNodeOptions = {}): Promise<Peer> {
  return createChordNode({
    ...node,
    dataDir,
    muxers: [muxer],
    inboundConnectionThreshold: Infinity,
    chord: { ...BENCH_INTERVALS, ...init }
  })
}

export const addrOf = (peer: Peer): string => peer.getMultiaddrs()[0].toString()

/**
 * Each wave joins through random peers that are already ring members (a peer
 * still joining answers "not a ring member", which costs the joiner a retry
 * with backoff), and the next wave starts once this one has joined.
 */
export async function startChordRing (n: number, muxer: Muxer, init: ChordInit = {}, wave = 8, dataDir?: () => string, node?: () => ChordNodeOptions): Promise<Peer[]> {
  const peers: Peer[] = [await createChordPeer(muxer, init, dataDir?.(), node?.())]
  await waitJoined(peers, 30_000)
  while (peers.length < n) {
    const members = [...peers]
    const batch = await Promise.all(Array.from({ length: Math.min(wave, n - peers.length) }, async () =>
      createChordPeer(muxer, { ...init, bootstrap: [addrOf(members[Math.floor(Math.random() * members.length)])] }, dataDir?.(), node?.())))
    peers.push(...batch)
    await waitJoined(batch, 60_000)
  }
  return peers
}

export async function waitJoined (peers: Peer[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!peers.every(p => p.services.chord.joined)) {
    if (Date.now() > deadline) throw new Error(`${peers.filter(p => !p.services.chord.joined).length} peers not joined after ${timeoutMs} ms`)
    await new Promise(resolve => setTimeout(resolve, 20))
  }
}

export function ringStates (peers: Peer[]): RingState[] {
  return peers.map(p => p.services.chord.getRingState())
}

/** Every position holds every distinct finger it should (checkIdeal only checks the ones present are right) */
export function fingersComplete (states: RingState[]): boolean {
  const m = members(states)
  for (const state of states) {
    for (const position of state.positions) {
      const want = new Set<string>()
      for (let i = 0; i < 256; i++) {
        const owner = trueSuccessor(m, fingerStart(position.self.id, i))
        if (nodeKey(owner) !== nodeKey(position.self)) want.add(nodeKey(owner))
      }
      const have = new Set(position.fingers.map(f => nodeKey(f.node)))
      for (const key of want) if (!have.has(key)) return false
    }
  }
  return true
}

/** Wait until the ring is ideal (shared/README.md's invariant 6) and every finger table is complete */
export async function waitForRing (peers: Peer[], successorListLength: number, timeoutMs: number, fingers = true): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const states = ringStates(peers)
    const problems = peers.every(p => p.services.chord.joined) ? checkIdeal(states, successorListLength) : ['not every peer joined']
    if (problems.length === 0 && (!fingers || fingersComplete(states))) return
    if (Date.now() > deadline) throw new Error(`ring not ideal after ${timeoutMs} ms: ${problems.slice(0, 3).join('; ') || 'fingers incomplete'}`)
    await new Promise(resolve => setTimeout(resolve, 100))
  }
}

export async function stopRing (peers: Peer[]): Promise<void> {
  await Promise.all(peers.map(async p => {
    p.services.chord.leaveOnStop = false
    await p.stop()
  }))
}
