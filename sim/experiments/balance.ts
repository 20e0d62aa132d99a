/**
 * Keys held per peer with r = 3 replicas (what `chord stats` counts) as the
 * service places peers by default: each joining peer reads the ring and
 * chooses its one position among 1024 hashed ones (position-choice.ts).
 * RingPeers join over the simulated network, one by one (each once the ring
 * took the one before in) or in doubling concurrent batches, beside one
 * hashed position per peer as plain Chord has it.
 */
import { Cluster } from '../cluster.ts'
import { grow } from '../build.ts'
import { keyId } from '../../src/ring/id.ts'
import { Random } from '../random.ts'
import { summarize } from '../stats.ts'
import type { Id } from '../../src/ring/id.ts'
import type { RingPeer } from '../../src/ring/ring-peer.ts'

export type Placement = 'chosen, one by one' | 'chosen, doubling batches' | 'hashed'

export interface BalanceRow {
  n: number
  placement: Placement
  keys: number
  p99OverMean: number
  maxOverMean: number
  minOverMean: number
}

export interface BalanceOptions {
  seed: number
  sizes: number[]
  keys: number
}

const R = 3
const LIST = 8

export async function balance (options: BalanceOptions): Promise<BalanceRow[]> {
  const random = new Random(options.seed * 1000 + 900)
  const keys: Id[] = Array.from({ length: options.keys }, () => keyId(random.bytes(16)))
  const rows: BalanceRow[] = []
  for (const placement of ['chosen, one by one', 'chosen, doubling batches', 'hashed'] as const) {
    const cluster = new Cluster({ seed: options.seed, r: LIST, ringPeer: { positionChoices: placement === 'hashed' ? 1 : 1024, replicas: R } })
    const visit = async (n: number): Promise<void> => { rows.push(row(n, placement, cluster.members(), keys)) }
    if (placement === 'chosen, one by one') await oneByOne(cluster, options.sizes, visit)
    else await grow(cluster, Math.max(...options.sizes), { at: options.sizes, visit })
  }
  return rows
}

async function oneByOne (cluster: Cluster, sizes: number[], visit: (n: number) => Promise<void>): Promise<void> {
  const first = cluster.add()
  await cluster.scheduler.settle(first.create())
  cluster.membershipChanged()
  for (let n = 2; n <= Math.max(...sizes); n++) {
    await cluster.joinBatch(1)
    await cluster.converge(40, true)
    if (sizes.includes(n)) await visit(n)
  }
}

function row (n: number, placement: Placement, peers: RingPeer[], keys: Id[]): BalanceRow {
  const positions = peers.map((p, i) => ({ id: p.nodes[0].self.id, peer: i })).sort((a, b) => (a.id < b.id ? -1 : 1))
  const held = new Array<number>(peers.length).fill(0)
  for (const key of keys) {
    let at = positions.findIndex(p => p.id >= key)
    if (at < 0) at = 0
    for (let t = 0; t < Math.min(R, positions.length); t++) held[positions[(at + t) % positions.length].peer]++
  }
  const s = summarize(held)
  return { n, placement, keys: keys.length, p99OverMean: s.p99 / s.mean, maxOverMean: s.max / s.mean, minOverMean: Math.min(...held) / s.mean }
}
