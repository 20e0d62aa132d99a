/**
 * Process memory after a forced garbage collection, to divide a process-level
 * delta among the peers it holds.
 */
import v8 from 'node:v8'
import vm from 'node:vm'
import type { MemoryFigures } from './types.ts'

v8.setFlagsFromString('--expose-gc')
const gc = vm.runInNewContext('gc') as () => void

export interface Snapshot {
  rss: number
  heap: number
}

export async function snapshot (): Promise<Snapshot> {
  for (let i = 0; i < 3; i++) {
    gc()
    await new Promise(resolve => setTimeout(resolve, 20))
  }
  const m = process.memoryUsage()
  return { rss: m.rss, heap: m.heapUsed }
}

const MiB = 2 ** 20

export function perPeer (before: Snapshot, after: Snapshot, n: number): MemoryFigures {
  return { rssPerPeer: (after.rss - before.rss) / MiB / n, heapPerPeer: (after.heap - before.heap) / MiB / n }
}

/** CPU used while nothing but background maintenance runs, % of one core */
export async function idleCpu (ms: number): Promise<number> {
  const before = process.cpuUsage()
  await new Promise(resolve => setTimeout(resolve, ms))
  const used = process.cpuUsage(before)
  return (used.user + used.system) / 1000 / ms * 100
}
