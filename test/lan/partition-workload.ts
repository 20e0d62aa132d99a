/**
 * Clients of the partition nemesis: on each side of the LAN, writers that
 * write (or delete) random keys through random hosts of their side, and
 * readers that read random keys the same way, every operation recorded in
 * a History. Each key's writes take numbers from one counter shared by
 * every writer, so writes on both sides of a split to the same key are
 * concurrent, and each write carries the version the API acknowledged: the
 * checker judges by last-writer-wins.
 */
import { History, valueOf } from '../churn/history.ts'
import { hostApi } from './lab-daemon.ts'
import type { Host } from './lab.ts'
import type { Random } from '../fixtures/random.ts'
import type { Version } from '../../src/index.ts'
import type { WriteTag } from '../churn/history.ts'

export interface PartitionWorkloadInit {
  history: History
  rand: Random
  hosts: Host[]
  keys: string[]
  /** writer and reader loops per side */
  clients: number
  deleteRatio: number
  /** ms between two operations of one client */
  pause: number
}

const versioned = (side: string): WriteTag => ({
  side,
  version: result => (JSON.parse(result as string) as { version: Version }).version
})

export class PartitionWorkload {
  private readonly init: PartitionWorkloadInit
  private readonly seqs = new Map<string, number>()
  private running = false
  private loops: Array<Promise<void>> = []

  constructor (init: PartitionWorkloadInit) {
    this.init = init
  }

  /** Write or delete `key` through `host`, numbered from the key's counter */
  async write (host: Host, key: string, deleted: boolean): Promise<boolean> {
    const seq = (this.seqs.get(key) ?? 0) + 1
    this.seqs.set(key, seq)
    const path = `/keys/${encodeURIComponent(key)}`
    return this.init.history.write(key, seq, deleted, async () => {
      const reply = await hostApi(host, deleted ? 'DELETE' : 'PUT', path, deleted ? undefined : valueOf(key, seq), 10_000)
      if (reply.status !== 200) throw Object.assign(new Error(reply.text.slice(0, 160)), { code: `HTTP_${reply.status}` })
      return reply.text
    }, versioned(host.side))
  }

  async read (host: Host, key: string, final = false): Promise<void> {
    await this.init.history.read(key, async () => readValue(host, key), final, undefined, host.side)
  }

  /** Write every key once */
  async preload (): Promise<void> {
    await Promise.all(this.init.keys.map(async (key, i) => this.write(this.init.hosts[i % this.init.hosts.length], key, false)))
  }

  start (): void {
    this.running = true
    const { clients, rand, keys } = this.init
    for (const side of ['left', 'right']) {
      const hosts = this.init.hosts.filter(h => h.side === side)
      for (let i = 0; i < clients; i++) {
        this.loops.push(this.loop(async () => this.write(rand.pick(hosts), rand.pick(keys), rand() < this.init.deleteRatio)))
        this.loops.push(this.loop(async () => this.read(rand.pick(hosts), rand.pick(keys))))
      }
    }
  }

  async stop (): Promise<void> {
    this.running = false
    await Promise.all(this.loops)
    this.loops = []
  }

  /** Read every key through every host, as the final reads */
  async finalReads (): Promise<void> {
    for (const key of this.init.keys) await Promise.all(this.init.hosts.map(async h => this.read(h, key, true)))
  }

  private async loop (step: () => Promise<unknown>): Promise<void> {
    while (this.running) {
      await step()
      await new Promise(resolve => setTimeout(resolve, this.init.pause))
    }
  }
}

/** The value of `key` through `host`: undefined when absent; throws when the API fails */
export async function readValue (host: Host, key: string): Promise<string | undefined> {
  const reply = await hostApi(host, 'GET', `/keys/${encodeURIComponent(key)}`, undefined, 10_000)
  if (reply.status === 404) return undefined
  if (reply.status !== 200) throw Object.assign(new Error(reply.text.slice(0, 160)), { code: `HTTP_${reply.status}` })
  return reply.text
}

/**
 * Whether every key reads back, through every host, a value the checker
 * allows for a read now (the write with the highest acknowledged version,
 * or a failed write after it): reads into a scratch copy of the history.
 */
export async function converged (history: History, hosts: Host[], keys: string[]): Promise<boolean> {
  const probe = new History()
  probe.ops.push(...history.ops.filter(op => op.kind !== 'read'))
  for (const key of keys) await Promise.all(hosts.map(async h => probe.read(key, async () => readValue(h, key), true)))
  return probe.ops.every(op => op.kind !== 'read' || op.ok) && probe.check().length === 0
}
