/**
 * quickstart: five peers in one process form a ring; keys stored through
 * one peer are read back through every other, and a lookup shows which
 * peers hold a key.
 *
 *   npm run example:quickstart
 *
 * Exits non-zero if a value does not come back.
 */
import { check, startPeers, text, waitForRing } from './lib.ts'

const peers = await startPeers(5)
await waitForRing(peers)
console.log(`5 peers on one ring: ${peers.map(p => `…${p.peerId.toString().slice(-6)}`).join(' → ')}`)

// any peer can store any key: it finds the key's replicas on the ring
const writer = peers[0].services.chord
for (let i = 0; i < 20; i++) await writer.put(`greeting-${i}`, `hello #${i}`)
console.log('stored 20 keys through the first peer')

for (const [n, peer] of peers.entries()) {
  for (let i = 0; i < 20; i++) {
    const value = text(await peer.services.chord.get(`greeting-${i}`))
    check(value === `hello #${i}`, `peer ${n} read ${JSON.stringify(value)} for greeting-${i}`)
  }
}
console.log('read all 20 back through each of the 5 peers')

const where = await peers[3].services.chord.lookup('greeting-7')
console.log(`greeting-7 is owned by …${where.owner.peer.slice(-6)} (found in ${where.hops} hops) and held by ${where.replicas.map(r => `…${r.node.peer.slice(-6)}`).join(', ')}`)
check(where.replicas.length === 3 && where.replicas.every(r => r.version !== undefined), 'greeting-7 is not on 3 replicas')

// stop all at once, so nobody hands keys to a peer that is stopping too
await Promise.all(peers.map(async p => {
  p.services.chord.leaveOnStop = false
  await p.stop()
}))
console.log('ok')
