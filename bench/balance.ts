/**
 * Load balance: how evenly keys spread over the peers, with v virtual nodes
 * per peer — as primary owner (the successor of the key, from the live
 * ring) and as records held with r replicas (storeStats()).
 */
import { drive } from './driver.ts'
import { ringStates, startChordRing, stopRing } from './chord-ring.ts'
import { logger } from './log.ts'
import { loadavg } from './machine.ts'
import { idsOf, ownedPerPeer } from './placement.ts'
import { spread } from './stats.ts'
import { valueOf } from './workload.ts'
import { members } from '../harness/invariants.ts'
import { nodeKey } from '../src/ring/node-ref.ts'
import type { Peer } from './chord-ring.ts'
import type { BalanceResult, BalanceTask } from './types.ts'

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

export async function runBalance (task: BalanceTask): Promise<BalanceResult> {
  const log = logger(`balance n=${task.n} v=${task.virtualNodes}`)
  // the list must reach r distinct peers past this peer's own positions (the service's own rule)
  const successorListLength = Math.min(64, Math.max(8, 2 * 3 * task.virtualNodes))
  const peers = await startChordRing(task.n, task.muxer, { virtualNodes: task.virtualNodes, successorListLength })
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
  const held = spread(peers.map(p => p.services.chord.storeStats().keys))
  log(`${stored.length} keys: owned max/mean ${owned.maxOverMean.toFixed(2)}, p1 ${owned.p1}, p99 ${owned.p99}; held max/mean ${held.maxOverMean.toFixed(2)}`)
  await stopRing(peers)
  return { kind: 'balance', n: task.n, muxer: task.muxer, virtualNodes: task.virtualNodes, keys: stored.length, owned, held, ownedCounts, loadavg: loadavg() }
}
