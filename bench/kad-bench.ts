/**
 * @libp2p/kad-dht on the same N, workload, transport and machine: its put
 * and get of records of the same size (a put stores on the k closest peers
 * it finds, a get runs the whole query before it answers).
 */
import drain from 'it-drain'
import { NAMESPACE, startKad, tableSizes } from './kad-ring.ts'
import { logger } from './log.ts'
import { loadavg } from './machine.ts'
import { profiled } from './profiler.ts'
import { idleCpu, perPeer, snapshot } from './memory.ts'
import { Workload } from './workload.ts'
import type { KadPeer } from './kad-ring.ts'
import type { KadTask, SystemResult } from './types.ts'
import type { KvTarget } from './workload.ts'

const encoder = new TextEncoder()
const dhtKey = (key: string): Uint8Array => encoder.encode(`/${NAMESPACE}/${key}`)

function target (peers: KadPeer[]): KvTarget {
  return {
    peers: peers.length,
    async put (i, key, value, signal) {
      await drain(peers[i].services.dht.put(dhtKey(key), value, { signal }))
    },
    async get (i, key, signal) {
      // what libp2p's contentRouting.get does with kad-dht: the VALUE event, which comes once the query ends
      for await (const event of peers[i].services.dht.get(dhtKey(key), { signal })) {
        if (event.name === 'VALUE') return event.value
      }
      return undefined
    }
  }
}

export async function runKad (task: KadTask): Promise<SystemResult> {
  const system = task.k === undefined ? 'kad-dht k=20' : `kad-dht k=${task.k}`
  const log = logger(`${system} n=${task.n}`)
  const before = await snapshot()
  const t0 = performance.now()
  const peers = await startKad(task.n, task.muxer, task.k, task.settleMs)
  const setupMs = performance.now() - t0
  const sizes = tableSizes(peers)
  const routingTable = { mean: sizes.reduce((a, b) => a + b, 0) / sizes.length, min: Math.min(...sizes) }
  log(`${task.n} peers, routing tables mean ${routingTable.mean.toFixed(1)} (min ${routingTable.min}) after ${(setupMs / 1000).toFixed(1)} s`)
  const ready = await snapshot()
  const idleCpuPct = await idleCpu(2000)
  log(`idle CPU ${idleCpuPct.toFixed(0)}% of a core`)

  const workload = new Workload(task.workload, `kad-${task.n}`)
  const phases = await profiled(task.profileDir, `kad-k${task.k ?? 20}-n${task.n}-workload`, async () => workload.all(target(peers), 'n/a', log))
  const after = await snapshot()
  const result: SystemResult = {
    kind: 'kad',
    system,
    n: task.n,
    muxer: task.muxer,
    setupMs,
    idleCpuPct,
    memoryReady: perPeer(before, ready, task.n),
    memoryAfter: perPeer(before, after, task.n),
    phases,
    routingTable,
    loadavg: loadavg()
  }
  await Promise.all(peers.map(async p => p.stop()))
  return result
}
