/**
 * @libp2p/kad-dht on N peers of one process, set up the way it works on
 * loopback (shared/libp2p-v3-notes.md 3.6): addresses passed through
 * unfiltered, server mode, and a validator and selector for the key
 * namespace. Each peer dials a few earlier ones; then we wait for the
 * routing tables to stop growing.
 */
import { kadDHT, passthroughMapper } from '@libp2p/kad-dht'
import { createBareNode } from './bare-node.ts'
import type { BaseServices } from './bare-node.ts'
import type { Muxer } from './types.ts'
import type { KadDHT } from '@libp2p/kad-dht'
import type { Libp2p } from '@libp2p/interface'

export const NAMESPACE = 'bench'

export type KadPeer = Libp2p<{ dht: KadDHT } & BaseServices>

interface WithTable { routingTable: { size: number } }

export async function createKadPeer (muxer: Muxer, k: number | undefined): Promise<KadPeer> {
  const dht = kadDHT({
    clientMode: false,
    peerInfoMapper: passthroughMapper,
    // any record under /bench/ is valid; of several, the first is as good as any
    validators: { [NAMESPACE]: async () => {} },
    selectors: { [NAMESPACE]: () => 0 },
    ...(k === undefined ? {} : { kBucketSize: k })
  })
  // kad-dht reads components.ping, which the node provides (listed before it)
  return await createBareNode(muxer, { dht: dht as (components: unknown) => unknown }) as unknown as KadPeer
}

export function tableSizes (peers: KadPeer[]): number[] {
  return peers.map(p => (p.services.dht as unknown as WithTable).routingTable.size)
}

export async function startKad (n: number, muxer: Muxer, k: number | undefined, settleMs: number): Promise<KadPeer[]> {
  const peers: KadPeer[] = []
  for (let start = 0; start < n; start += 8) {
    peers.push(...await Promise.all(Array.from({ length: Math.min(8, n - start) }, async () => createKadPeer(muxer, k))))
  }
  // each peer dials up to three earlier ones: a connected graph; kad-dht's self-queries find the rest
  await Promise.all(peers.slice(1).map(async (peer, i) => {
    const earlier = peers.slice(0, i + 1)
    const picks = new Set(Array.from({ length: Math.min(3, earlier.length) }, () => earlier[Math.floor(Math.random() * earlier.length)]))
    for (const p of picks) await peer.dial(p.getMultiaddrs()[0])
  }))
  // routing tables: wait until they stop growing (or settleMs passes)
  const deadline = Date.now() + settleMs
  let last = -1
  let stableSince = Date.now()
  while (Date.now() < deadline) {
    await new Promise(resolve => setTimeout(resolve, 250))
    const total = tableSizes(peers).reduce((a, b) => a + b, 0)
    if (total !== last) {
      last = total
      stableSince = Date.now()
    } else if (Date.now() - stableSince > 2000 && total > 0) {
      break
    }
  }
  // a first query waits for kad-dht's initial self-query: let every peer run one before anything is timed
  await Promise.allSettled(peers.map(async p => {
    for await (const event of p.services.dht.getClosestPeers(new TextEncoder().encode(`/${NAMESPACE}/warm-up`), { signal: AbortSignal.timeout(30_000) })) void event
  }))
  return peers
}
