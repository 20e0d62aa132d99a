/**
 * Load balance: how evenly keys spread over the peers — with the defaults
 * (one position per peer, chosen among 1024 hashed ones), or with v hashed
 * positions per peer as plain Chord has them — as primary owner (the successor of the key, from the live
 * ring) and as records held with r replicas (storeStats()).
 */
import { drive } from './driver.ts'
import { addrOf, ringStates, startChordRing, stopRing } from './chord-ring.ts'
import { logger } from './log.ts'
import { loadavg } from './machine.ts'
import { idsOf, ownedPerPeer } from './placement.ts'
import { spread } from './stats.ts'
import { valueOf } from './workload.ts'
import { members } from '../harness/invariants.ts'
import { nodeKey } from '../src/ring/node-ref.ts'
import type { Peer } from './chord-ring.ts'
import type { BalanceResult, BalanceTask } from './types.ts'
import type { ChordInit } from '../src/index.ts'

async function waitForOrderedRing (peers: Peer[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const states = ringStates(peers)
    const { sorted, byKey } = members(states)
    const right = sorted.every((m, i) => nodeKey(byKey.get(nodeKey(m))?.successors[0] ?? m) === nodeKey(sorted[(i + 1) % sorted.length]))
    if (peers.every(p => p.services.chord.joined) && right) return
    if (Date.now() > deadline) throw new Error(`ring not ordered after ${timeoutMs} ms`)
    await new Promise(resolve => setTimeout(resolve, 100))
  }
}

const VALUE = 64
const IDLE_MS = 3000

/**
 * Peers that choose their position read the ring first: they join one after
 * another, each once the ring has taken the one before in (as an operator
 * starts daemons), else a concurrent wave, as plain hashed positions allow
 */
async function startRing (task: BalanceTask, init: ChordInit): Promise<Peer[]> {
  if (task.positionChoices === 1) return startChordRing(task.n, task.muxer, init)
  const peers = await startChordRing(1, task.muxer, init)
  while (peers.length < task.n) {
    peers.push(...await startChordRing(1, task.muxer, { ...init, bootstrap: [addrOf(peers[Math.floor(Math.random() * peers.length)])] }))
    await waitForOrderedRing(peers, 60_000)
  }
  return peers
}

/** CPU of the whole process per peer over IDLE_MS with no operations: maintenance only */
async function idleCpuPerPeer (n: number): Promise<number> {
  const before = process.cpuUsage()
  await new Promise(resolve => setTimeout(resolve, IDLE_MS))
  const used = process.cpuUsage(before)
  return 100 * (used.user + used.system) / 1000 / IDLE_MS / n
}

export async function runBalance (task: BalanceTask): Promise<BalanceResult> {
  const log = logger(`balance n=${task.n} v=${task.virtualNodes} choices=${task.positionChoices}`)
  // the list must reach r distinct peers past this peer's own positions (the service's own rule)
  const successorListLength = Math.min(64, Math.max(8, 2 * 3 * task.virtualNodes))
  const peers = await startRing(task, { virtualNodes: task.virtualNodes, successorListLength, positionChoices: task.positionChoices })
  // placement needs a correct ring (every successor right), not the ideal one (complete lists and fingers)
  await waitForOrderedRing(peers, 180_000)
  log('every successor right')
  const stored: string[] = []
  await drive({
    concurrency: 128,
    maxOps: task.keys,
    maxMs: 10 * 60_000,
    op: async (i) => {
      const key = `balance-${i}`
      await peers[i % peers.length].services.chord.put(key, valueOf(i, VALUE))
      stored.push(key)
      return true
    }
  })
  const ownedCounts = [...ownedPerPeer(ringStates(peers), idsOf(stored)).values()].sort((a, b) => a - b)
  const owned = spread(ownedCounts)
  // every write reaches all r replicas (QUORUM returns after 2): count once they have
  await waitForCopies(peers, stored.length * Math.min(3, task.n), 30_000)
  const held = spread(peers.map(p => p.services.chord.storeStats().keys))
  log(`${stored.length} keys: owned max/mean ${owned.maxOverMean.toFixed(2)}, p1 ${owned.p1}, p99 ${owned.p99}; held max/mean ${held.maxOverMean.toFixed(2)}, p99/mean ${(held.p99 / held.mean).toFixed(2)}`)
  const idle = await idleCpuPerPeer(task.n)
  await stopRing(peers)
  return { kind: 'balance', n: task.n, muxer: task.muxer, virtualNodes: task.virtualNodes, positionChoices: task.positionChoices, keys: stored.length, idleCpuPerPeer: idle, owned, held, ownedCounts, loadavg: loadavg() }
}

async function waitForCopies (peers: Peer[], copies: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (peers.reduce((sum, p) => sum + p.services.chord.storeStats().keys, 0) < copies && Date.now() < deadline) {
    await new Promise(resolve => setTimeout(resolve, 100))
  }
}
