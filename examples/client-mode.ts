/**
 * client-mode: an app peer that uses the ring without joining it. Four
 * members form a ring; the app builds its own libp2p node with
 * chord({ clientMode: true }), reaches the ring through one member, and
 * writes, reads, deletes and looks up keys — also through libp2p's
 * contentRouting. It takes no ring position: no
 * member has it as successor, predecessor or finger, it holds no record,
 * and every key stays on the members it belonged to. Then the app switches
 * to a ring member with setMode('server') and gets its share of the keys.
 *
 *   npm run example:client
 *
 * In an app, import { chord } from 'libp2p-chord' instead of '../src/index.ts'.
 * Exits non-zero if any of that does not hold.
 */
import { noise } from '@chainsafe/libp2p-noise'
import { identify } from '@libp2p/identify'
import { tcp } from '@libp2p/tcp'
import { yamux } from '@libp2p/yamux'
import { createLibp2p } from 'libp2p'
import { chord } from '../src/index.ts'
import { FAST, addrOf, check, copies, startPeers, text, waitForRing, waitUntil } from './lib.ts'
import type { Chord } from '../src/index.ts'
import type { ChordNode } from '../src/node.ts'
import type { Libp2p } from '@libp2p/interface'

/** Where each member's ring pointers point: none may name the client */
function pointsTo (members: ChordNode[], peer: string): number {
  let found = 0
  for (const member of members) {
    for (const p of member.services.chord.getRingState().positions) {
      if (p.predecessor?.peer === peer) found++
      found += p.successors.filter(s => s.peer === peer).length + p.fingers.filter(f => f.node.peer === peer).length
    }
  }
  return found
}

const members = await startPeers(4, { replicas: 3 })
await waitForRing(members)
for (let i = 0; i < 40; i++) await members[i % 4].services.chord.put(`member-key-${i}`, `written by a member (${i})`)
console.log(`a ring of ${members.length} members holds 40 keys (${copies(members)} copies)`)

// the app's own node, chord in client mode
const app: Libp2p<{ chord: Chord, identify: unknown }> = await createLibp2p({
  addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
  transports: [tcp()],
  connectionEncrypters: [noise()],
  streamMuxers: [yamux()],
  services: {
    identify: identify(),
    chord: chord({ ...FAST, clientMode: true, replicas: 3, bootstrap: [addrOf(members[0])] })
  }
})
const client = app.services.chord
console.log(`app peer ${app.peerId.toString().slice(-8)} started in ${client.getMode()} mode, through ${addrOf(members[0])}`)

for (let i = 0; i < 40; i++) await client.put(`app-key-${i}`, `written by the app (${i})`)
for (let i = 0; i < 40; i++) check(text(await client.get(`app-key-${i}`)) === `written by the app (${i})`, `app-key-${i} read back`)
check(text(await client.get('member-key-7')) === 'written by a member (7)', 'the app reads what a member wrote')
check(text(await members[2].services.chord.get('app-key-7')) === 'written by the app (7)', 'a member reads what the app wrote')
await client.delete('app-key-0')
check(!(await client.has('app-key-0')), 'app-key-0 deleted')
const where = await client.lookup('app-key-5')
console.log(`app-key-5 lives on ${where.replicas.map(r => r.node.peer.slice(-8)).join(', ')} (found in ${where.hops} hop${where.hops === 1 ? '' : 's'})`)
await app.contentRouting.put(new TextEncoder().encode('via-routing'), new TextEncoder().encode('content routing works'))
check(text(await members[1].contentRouting.get(new TextEncoder().encode('via-routing'))) === 'content routing works', 'contentRouting.put from the app')
console.log('the app wrote 40 keys, read them back, read a member\'s key, deleted one and used contentRouting')

const self = app.peerId.toString()
check(!client.joined, 'the app is not a ring member')
check(pointsTo(members, self) === 0, 'no member points at the app')
check(client.storeStats().keys === 0 && client.storeStats().tombstones === 0, 'the app holds no records')
check(where.replicas.every(r => r.node.peer !== self), 'the app is in no replica set')
console.log(`no member has the app as successor, predecessor or finger; it holds ${client.storeStats().keys} records; the members hold ${copies(members)} copies`)

// the same peer joins as a member: it takes its share of the keys
await client.setMode('server')
await waitForRing([...members, app as unknown as ChordNode])
await waitUntil(() => client.storeStats().keys > 0, 30_000, 'the new member to receive its keys')
console.log(`after setMode('server') the app is a ring member holding ${client.storeStats().keys} keys`)

await Promise.all([app, ...members].map(async node => {
  node.services.chord.leaveOnStop = false
  await node.stop()
}))
console.log('ok')
