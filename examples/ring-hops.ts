/**
 * ring-hops: start N peers in one process (TCP on 127.0.0.1), wait for the
 * ring to settle, then look up random keys from every peer and print the
 * mean number of hops beside ½·log2 N, the Chord paper's figure.
 *
 *   npm run example:hops -- 32
 *
 * Exits non-zero if a lookup fails or the peers disagree on an owner.
 */
import { randomBytes } from 'node:crypto'
import { createChordNode } from '../src/node.ts'
import type { ChordNode } from '../src/node.ts'

const n = Number(process.argv[2] ?? 32)
if (!Number.isInteger(n) || n < 1 || n > 256) {
  console.error('usage: ring-hops [N], 1 ≤ N ≤ 256')
  process.exit(2)
}
const fast = { stabilizeInterval: 100, fixFingersInterval: 300, checkPredecessorInterval: 200 }

const peers: ChordNode[] = [await createChordNode({ chord: fast, inboundConnectionThreshold: Infinity })]
const seed = peers[0].getMultiaddrs()[0].toString()
peers.push(...await Promise.all(Array.from({ length: n - 1 }, async () =>
  createChordNode({ chord: { ...fast, bootstrap: [seed] }, inboundConnectionThreshold: Infinity }))))
console.log(`started ${n} peers; waiting for the ring to settle`)

// settled: every peer joined (each chose its position, so ids are known only then),
// and each one's successor is the next peer by id; then fingers refreshed a few times
const settled = (): boolean => {
  if (!peers.every(p => p.services.chord.joined)) return false
  const ids = peers.map(p => ({ id: p.services.chord.id, peer: p.peerId.toString() })).sort((a, b) => (a.id < b.id ? -1 : 1))
  return peers.every(p => {
    const state = p.services.chord.getRingState().positions[0]
    const i = ids.findIndex(e => e.peer === p.peerId.toString())
    return n === 1 || state.successors[0]?.peer === ids[(i + 1) % n].peer
  })
}
const deadline = Date.now() + 60_000
while (!settled()) {
  if (Date.now() > deadline) throw new Error('ring did not settle within 60 s')
  await new Promise(resolve => setTimeout(resolve, 100))
}
await new Promise(resolve => setTimeout(resolve, 10 * fast.fixFingersInterval))

let hops = 0
let lookups = 0
const keys = Array.from({ length: 100 }, () => randomBytes(16))
for (const key of keys) {
  const owners = new Set<string>()
  for (const peer of peers) {
    const result = await peer.services.chord.findSuccessor(key)
    owners.add(result.owner.peer)
    hops += result.hops
    lookups++
  }
  if (owners.size !== 1) throw new Error(`peers disagree on the owner of a key: ${[...owners].join(', ')}`)
}
console.log(`N = ${n}: ${lookups} lookups, mean hops ${(hops / lookups).toFixed(2)} (½·log2 N = ${(0.5 * Math.log2(n)).toFixed(2)})`)
await Promise.all(peers.map(async p => p.stop()))
