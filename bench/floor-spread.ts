/**
 * The floor as the DHT's traffic meets it: N bare libp2p peers in one
 * process, a long-lived echo stream between every ordered pair, and each
 * request to a random pair. The two-peer floor's requests share one
 * connection and coalesce into few noise messages and socket writes; here,
 * as in a ring of N, nearly every request and answer is a message of its
 * own. What this reaches bounds the operations a ring of N can do in one
 * process, whatever the DHT does above the transport.
 */
import { createBareNode } from './bare-node.ts'
import { drive } from './driver.ts'
import { longLivedClient, serveFloor } from './floor-protocol.ts'
import { summarize } from './stats.ts'
import type { FloorClient } from './floor-protocol.ts'
import type { FloorRow, Muxer } from './types.ts'
import type { Libp2p } from '@libp2p/interface'

export async function measureSpread (muxer: Muxer, peers: number, payload: number, concurrency: number, phaseMs: number): Promise<FloorRow> {
  const nodes: Libp2p[] = []
  const clients: FloorClient[][] = []
  try {
    nodes.push(...await Promise.all(Array.from({ length: peers }, async () => createBareNode(muxer, {}))))
    await Promise.all(nodes.map(serveFloor))
    // one connection per pair, dialled by the lower index, a few at a time (hundreds at once time out on a busy machine); then a stream each way
    for (const [i, node] of nodes.entries()) {
      const others = nodes.slice(i + 1)
      for (let k = 0; k < others.length; k += 8) await Promise.all(others.slice(k, k + 8).map(async other => node.dial(other.getMultiaddrs()[0])))
    }
    for (const node of nodes) clients.push(await Promise.all(nodes.map(async other => other === node ? undefined : longLivedClient(node, other.peerId))) as FloorClient[])
    const bytes = new Uint8Array(payload).fill(7)
    const op = async (): Promise<boolean> => {
      const i = Math.floor(Math.random() * peers)
      const j = (i + 1 + Math.floor(Math.random() * (peers - 1))) % peers
      return (await clients[i][j].call(bytes)).byteLength === payload
    }
    await drive({ concurrency, maxOps: 1000, maxMs: Math.min(phaseMs, 2000), op }) // warm up
    const run = await drive({ concurrency, maxOps: 200_000, maxMs: phaseMs, op })
    return {
      pattern: 'spread',
      peers,
      payload,
      latency: summarize(run.latencies),
      concurrency,
      opsPerSec: run.ok / run.seconds,
      cpuUsPerRequest: run.ok === 0 ? NaN : run.cpuMs * 1000 / run.ok,
      errors: run.errors + run.wrong
    }
  } finally {
    await Promise.all(nodes.map(async node => node.stop()))
  }
}
