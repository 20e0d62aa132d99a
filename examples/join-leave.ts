/**
 * join-leave: keys move when the ring changes. Three peers hold 200 keys;
 * two more join and receive the keys they now replicate; then one peer
 * leaves gracefully and hands its keys over before it stops. The counts
 * come from the service's transfer:progress and ring:left events.
 *
 *   npm run example:join-leave
 *
 * Exits non-zero if a key is lost or not on exactly 3 peers at the end.
 */
import { check, copies, startPeer, addrOf, startPeers, text, waitForRing, waitUntil } from './lib.ts'
import type { ChordNode } from '../src/node.ts'

const KEYS = 200
const R = 3
const short = (peer: string): string => `…${peer.slice(-6)}`

/** Transfers reported since the last report(): keys moved from one peer to another, summed */
const moved = new Map<string, number>()
function watch (peer: ChordNode): void {
  const self = short(peer.peerId.toString())
  peer.services.chord.addEventListener('transfer:progress', ({ detail }) => {
    // one event per batch; a pull is reported by the receiver, a push by the sender
    const [from, to] = detail.direction === 'push' ? [self, short(detail.peer)] : [short(detail.peer), self]
    const key = `${from} → ${to} (${detail.reason})`
    moved.set(key, (moved.get(key) ?? 0) + detail.keys)
  })
}
function report (): void {
  for (const [what, keys] of moved) console.log(`  ${what}: ${keys} keys`)
  moved.clear()
}

const peers = await startPeers(3)
await waitForRing(peers)
await peers[0].services.chord.putMany(Array.from({ length: KEYS }, (_, i) => ({ key: `key-${i}`, value: `value-${i}` })))
console.log(`3 peers hold ${KEYS} keys, ${copies(peers)} copies (each key on all 3)`)
peers.forEach(watch)

console.log('two peers join:')
const joined = await Promise.all([1, 2].map(async () => startPeer({ bootstrap: [addrOf(peers[0])] })))
joined.forEach(watch)
peers.push(...joined)
await waitForRing(peers)
// the old peers held all copies already: wait for the joiners to take theirs and the old ones to drop them
await waitUntil(() => joined.every(p => p.services.chord.storeStats().keys > 0) && copies(peers) === KEYS * R, 30_000,
  `the joining peers to receive their keys, ${KEYS * R} copies on 5 peers`)
report()
console.log('keys held now:')
for (const p of peers) console.log(`  ${short(p.peerId.toString())} holds ${p.services.chord.storeStats().keys} keys`)
check(joined.every(p => p.services.chord.storeStats().keys > 0), 'a joining peer received no keys')

const leaving = peers[1]
const held = leaving.services.chord.storeStats().keys
console.log(`${short(leaving.peerId.toString())} leaves gracefully, holding ${held} keys:`)
let handed = -1
leaving.services.chord.addEventListener('ring:left', ({ detail }) => {
  handed = detail.handed
  console.log(`  it handed over ${detail.handed} keys (${detail.remaining} left behind), sending the new replicas what they lacked:`)
})
await leaving.stop()
report()
check(handed === held, `handed over ${handed} of ${held} keys`)
const rest = peers.filter(p => p !== leaving)
await waitForRing(rest)
await waitUntil(() => copies(rest) === KEYS * R, 30_000, `${KEYS * R} copies on the 4 peers left`)

for (let i = 0; i < KEYS; i++) {
  const value = text(await rest[i % rest.length].services.chord.get(`key-${i}`))
  check(value === `value-${i}`, `key-${i} reads ${JSON.stringify(value)}`)
}
console.log(`all ${KEYS} keys readable, ${copies(rest)} copies on 4 peers`)
await Promise.all(rest.map(async p => {
  p.services.chord.leaveOnStop = false
  await p.stop()
}))
console.log('ok')
