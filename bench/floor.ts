/**
 * The floor: the bare libp2p request/response round trip between two peers
 * of one process, on the transport and muxer the rings use, so that every
 * DHT latency can be read as a multiple of it.
 */
import { createBareNode } from './bare-node.ts'
import { drive } from './driver.ts'
import { measureSpread } from './floor-spread.ts'
import { longLivedClient, newStreamClient, serveFloor } from './floor-protocol.ts'
import { loadavg } from './machine.ts'
import { summarize } from './stats.ts'
import type { FloorClient } from './floor-protocol.ts'
import type { FloorResult, FloorRow, FloorTask } from './types.ts'

export async function runFloor (task: FloorTask): Promise<FloorResult> {
  const server = await createBareNode(task.muxer, {})
  const client = await createBareNode(task.muxer, {})
  await serveFloor(server)
  await client.dial(server.getMultiaddrs()[0])
  const rows: FloorRow[] = []
  try {
    for (const pattern of ['long-lived', 'new-stream'] as const) {
      const rpc = pattern === 'long-lived' ? await longLivedClient(client, server.peerId) : newStreamClient(client, server.peerId)
      for (const payload of task.payloads) rows.push(await measure(rpc, pattern, payload, task))
      await rpc.close()
    }
  } finally {
    await Promise.all([client.stop(), server.stop()])
  }
  if (task.spreadPeers !== undefined) rows.push(await measureSpread(task.muxer, task.spreadPeers, task.payloads.at(-1)!, task.concurrency, task.phaseMs))
  return { kind: 'floor', muxer: task.muxer, rows, loadavg: loadavg() }
}

async function measure (rpc: FloorClient, pattern: FloorRow['pattern'], size: number, task: FloorTask): Promise<FloorRow> {
  const payload = new Uint8Array(size).fill(7)
  const op = async (): Promise<boolean> => (await rpc.call(payload)).byteLength === size
  // warm up: JIT, noise buffers, stream state
  await drive({ concurrency: 1, maxOps: 300, maxMs: 2000, op })
  const seq = await drive({ concurrency: 1, maxOps: task.seqOps, maxMs: task.phaseMs, op })
  const par = await drive({ concurrency: task.concurrency, maxOps: task.seqOps * 10, maxMs: task.phaseMs, op })
  return {
    pattern,
    payload: size,
    latency: summarize(seq.latencies),
    concurrency: task.concurrency,
    opsPerSec: par.ok / par.seconds,
    cpuUsPerRequest: par.ok === 0 ? NaN : par.cpuMs * 1000 / par.ok,
    errors: seq.errors + par.errors + seq.wrong + par.wrong
  }
}
