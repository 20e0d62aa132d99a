/**
 * What the figures were measured on: CPUs, memory, Node, load average.
 */
import os from 'node:os'

export interface Machine {
  cpus: number
  cpuModel: string
  memoryGiB: number
  node: string
  platform: string
  /** 1, 5 and 15 minute load averages when asked */
  loadavg: number[]
}

export function describeMachine (): Machine {
  const cpus = os.cpus()
  return {
    cpus: os.availableParallelism(),
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round(os.totalmem() / 2 ** 30 * 10) / 10,
    node: process.version,
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    loadavg: loadavg()
  }
}

export function loadavg (): number[] {
  return os.loadavg().map(x => Math.round(x * 100) / 100)
}
