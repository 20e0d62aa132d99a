/**
 * Client mode over real peers (TCP on 127.0.0.1): a client uses the ring —
 * puts, gets, deletes, lookups, content routing — without ever becoming
 * part of it: no member adopts it as successor, predecessor, finger or
 * cached member, it holds no record, and where every key lives is the
 * same before and after its traffic. The wire tells clients apart: they
 * register no ring protocol, and what they may ask members is a subset.
 */
import assert from 'node:assert/strict'
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { keyId } from '../../src/ring/id.ts'
import { nodeKey } from '../../src/ring/node-ref.ts'
import { PROTOCOL } from '../../src/index.ts'
import { clientProtocol } from '../../src/rpc/client-methods.ts'
import { RingMethod } from '../../src/rpc/ring-protocol.ts'
import { RpcClient } from '../../src/rpc/rpc-client.ts'
import { Empty } from '../../src/rpc/pb/ring.ts'
import { members, trueSuccessor } from '../../harness/invariants.ts'
import { addrOf, createPeer, service, waitFor } from '../../harness/peers.ts'
import { misplaced, pool, text } from '../fixtures/kv.ts'
import { startRing, states, stopAll, waitForIdealRing } from '../fixtures/ring.ts'
import type { Peer } from '../../harness/peers.ts'

const r = 3
const encoder = new TextEncoder()

/** Every place a member could hold a reference to `peer`; empty when it holds none */
function referencesTo (ring: Peer[], peer: string, cache = true): string[] {
  const found: string[] = []
  for (const member of ring) {
    const name = member.peerId.toString().slice(-4)
    for (const position of member.services.chord.getRingState().positions) {
      if (position.predecessor?.peer === peer) found.push(`${name}: predecessor`)
      if (position.successors.some(s => s.peer === peer)) found.push(`${name}: successor list`)
      if (position.fingers.some(f => f.node.peer === peer)) found.push(`${name}: fingers`)
    }
    if (!cache) continue
    const ring = service(member).ring
    // knownMembers: neighbours, fingers and the location cache
    if (ring.knownMembers().some(m => m.peer === peer)) found.push(`${name}: known members / location cache`)
    if (ring.lostPeers().some(m => m.peer === peer)) found.push(`${name}: peers to probe`)
  }
  return found
}

/** Owner of every key, from the members' own positions */
function owners (ring: Peer[], keys: string[]): string[] {
  const m = members(states(ring))
  return keys.map(key => nodeKey(trueSuccessor(m, keyId(encoder.encode(key)))))
}

describe('client mode', function () {
  this.timeout(120_000)
  let peers: Peer[] = []
  afterEach(async () => { await stopAll(peers); peers = [] })

  it('a client uses a ring of 6 members for 600 operations and appears in no member\'s successors, predecessor, fingers or cache, holds no records, and moves no key', async () => {
    const ring = await startRing(6, { init: () => ({ replicas: r }) })
    peers = [...ring]
    await waitForIdealRing(ring, 300)
    const seeded = Array.from({ length: 60 }, (_, i) => `seed-${i}`)
    await pool(seeded, 16, async key => { await ring[0].services.chord.put(key, `v ${key}`) })
    await waitFor(async () => (await misplaced(ring, seeded, r)).length === 0, 30_000, 'seeded keys not on their replicas')
    const before = states(ring).map(s => s.positions.map(p => nodeKey(p.self)).join()).join()

    const client = await createPeer({ clientMode: true, replicas: r, bootstrap: [addrOf(ring[0])] })
    peers.push(client)
    const id = client.peerId.toString()
    const chord = client.services.chord
    assert.equal(chord.getMode(), 'client')
    assert.equal(chord.joined, false)

    // 600 operations: writes at each level, reads, deletes, lookups, content routing
    const keys = Array.from({ length: 100 }, (_, i) => `client-${i}`)
    const consistency = ['ONE', 'QUORUM', 'ALL'] as const
    await pool(keys, 8, async (key, i) => {
      await chord.put(key, `v ${key}`, { consistency: consistency[i % 3] })
    })
    for (const [i, key] of keys.entries()) {
      assert.equal(text(await chord.get(key, { consistency: consistency[i % 3] })), `v ${key}`)
      assert.equal(text(await chord.get(seeded[i % seeded.length])), `v ${seeded[i % seeded.length]}`)
    }
    await pool(keys.slice(0, 50), 8, async key => { await chord.delete(key) })
    for (const key of keys.slice(0, 50)) assert.equal(await chord.has(key), false, `${key} deleted`)
    for (const key of keys.slice(50)) {
      const location = await chord.lookup(key)
      assert.equal(location.replicas.length, r)
      assert.ok(location.replicas.every(replica => replica.node.peer !== id && replica.version !== undefined), `${key} on ${r} members`)
    }
    await client.contentRouting.put(encoder.encode('routed'), encoder.encode('through contentRouting'))
    assert.equal(text(await ring[3].contentRouting.get(encoder.encode('routed'))), 'through contentRouting')
    // a member reads what the client wrote, and the client what members wrote
    assert.equal(text(await ring[5].services.chord.get('client-77')), 'v client-77')

    const all = [...seeded, ...keys.slice(50), 'routed']
    await waitFor(async () => (await misplaced(ring, all, r)).length === 0, 30_000, 'keys not on exactly their replicas')
    assert.deepEqual(referencesTo(ring, id), [])
    assert.equal(chord.storeStats().keys + chord.storeStats().tombstones, 0, 'the client holds no records')
    let held = 0
    for await (const record of chord.localRecords(0n, 0n)) if (record !== undefined) held++
    assert.equal(held, 0, 'the client holds no records')
    // the ring is the six members, each key owned where it was
    await waitForIdealRing(ring, 100, 8)
    assert.equal(states(ring).map(s => s.positions.map(p => nodeKey(p.self)).join()).join(), before)
    const expectedOwners = owners(ring, all)
    for (const [i, key] of all.entries()) {
      assert.equal(nodeKey((await ring[i % ring.length].services.chord.findSuccessor(key)).owner), expectedOwners[i], `owner of ${key}`)
    }
    // nor is it a member in libp2p's view: it registered no ring protocol
    assert.ok(!client.getProtocols().includes(PROTOCOL))
    assert.ok(!client.getProtocols().includes(clientProtocol(PROTOCOL)))
    const seen = await ring[0].peerStore.get(client.peerId)
    assert.ok(!seen.protocols.includes(PROTOCOL), `members see ${seen.protocols.join(', ')}`)
  })

  it('once warm, a client reads and writes straight at the replicas, without lookups', async () => {
    const ring = await startRing(5, { init: () => ({ replicas: r }) })
    peers = [...ring]
    await waitForIdealRing(ring, 300)
    const client = await createPeer({ clientMode: true, replicas: r, bootstrap: [addrOf(ring[2])] })
    peers.push(client)
    const chord = client.services.chord
    const keys = Array.from({ length: 40 }, (_, i) => `warm-${i}`)
    for (const key of keys) await chord.put(key, key)
    const clientRing = service(client).clientRing
    let lookups = 0
    const findSuccessor = clientRing.findSuccessor.bind(clientRing)
    clientRing.findSuccessor = async (...args) => { lookups++; return findSuccessor(...args) }
    for (const key of keys) {
      await chord.put(key, `${key} again`)
      assert.equal(text(await chord.get(key)), `${key} again`)
    }
    assert.ok(lookups <= 4, `${lookups} lookups for 80 warm operations`)
  })

  it('a client without bootstrap addresses routes through a member the app connected to', async () => {
    const ring = await startRing(3, { init: () => ({ replicas: r }) })
    peers = [...ring]
    await waitForIdealRing(ring, 300, 8)
    const client = await createPeer({ clientMode: true, replicas: r })
    peers.push(client)
    await assert.rejects(client.services.chord.get('k'), (err: Error & { code?: string }) => err.code === 'ERR_NO_MEMBERS')
    await client.dial(multiaddr(addrOf(ring[1])))
    // identify tells the client the peer runs the ring's protocol
    await waitFor(() => service(client).clientRing.knownMembers > 0, 10_000, 'the client to learn of the member it connected to')
    await client.services.chord.put('found', 'through a connected member')
    assert.equal(text(await ring[2].services.chord.get('found')), 'through a connected member')
    assert.deepEqual(referencesTo(ring, client.peerId.toString()), [])
  })

  it('a client connects to a peer discovery reports (mDNS, say) and routes through it once identify shows a member', async () => {
    const ring = await startRing(2, { init: () => ({ replicas: 2 }) })
    peers = [...ring]
    await waitForIdealRing(ring, 300, 8)
    const client = await createPeer({ clientMode: true, replicas: 2 })
    peers.push(client)
    const events = (client as unknown as { components: { events: { safeDispatchEvent(type: string, init: unknown): void } } }).components.events
    events.safeDispatchEvent('peer:discovery', { detail: { id: ring[0].peerId, multiaddrs: ring[0].getMultiaddrs().map(a => a.decapsulate('/p2p')) } })
    await waitFor(() => service(client).clientRing.knownMembers > 0, 10_000, 'the client to learn of the discovered member')
    await client.services.chord.put('discovered', 'yes')
    assert.equal(text(await ring[1].services.chord.get('discovered')), 'yes')
  })

  it('a client with no member to reach fails with ERR_NO_MEMBERS at once, and after its bootstrap dials fail', async () => {
    const alone = await createPeer({ clientMode: true })
    peers.push(alone)
    let started = Date.now()
    await assert.rejects(alone.services.chord.put('k', 'v'), (err: Error & { code?: string }) => err.code === 'ERR_NO_MEMBERS' && /no ring member/.test(err.message))
    assert.ok(Date.now() - started < 1000)
    // a bootstrap address nobody listens on: the request waits for the dial, then fails
    const gone = await createPeer()
    const addr = addrOf(gone)
    await gone.stop()
    const stranded = await createPeer({ clientMode: true, bootstrap: [addr] })
    peers.push(stranded)
    started = Date.now()
    await assert.rejects(stranded.services.chord.get('k'), (err: Error & { code?: string }) => err.code === 'ERR_NO_MEMBERS')
    assert.ok(Date.now() - started < 5000, `failed after ${Date.now() - started} ms`)
    await assert.rejects(stranded.services.chord.join([addr]), (err: Error & { code?: string }) => err.code === 'ERR_NO_MEMBERS')
  })

  it('members answer clients on <protocol>/client only what a client may ask: no NOTIFY or LEAVE', async () => {
    const ring = await startRing(2)
    peers = [...ring]
    await waitForIdealRing(ring, 300, 8)
    const asker = await createPeer({ clientMode: true, bootstrap: [addrOf(ring[0])] })
    peers.push(asker)
    const rpc = new RpcClient({
      protocol: clientProtocol(PROTOCOL),
      connectionManager: (asker as unknown as { components: { connectionManager: never } }).components.connectionManager,
      maxFrameSize: 1 << 20,
      maxPendingPerPeer: 8,
      requestTimeout: 2000,
      dialTimeout: 2000,
      log: Object.assign(() => {}, { error: () => {}, trace: () => {} })
    })
    const target = ring[0].peerId.toString()
    const addrs = [addrOf(ring[0])]
    await rpc.call(target, addrs, RingMethod.PING, Empty.encode({}) as Uint8Array<ArrayBuffer>)
    for (const method of [RingMethod.NOTIFY, RingMethod.LEAVE]) {
      await assert.rejects(rpc.call(target, addrs, method, Empty.encode({}) as Uint8Array<ArrayBuffer>), (err: Error & { code?: string }) => err.code === 'ERR_UNKNOWN_METHOD')
    }
    rpc.stop()
    // a peer that is not a member does not answer on the ring's protocol at all
    await assert.rejects(ring[0].dialProtocol(peerIdFromString(asker.peerId.toString()), PROTOCOL))
  })

  it('setMode: a member becomes a client (handing its keys over, leaving the ring) and a member again', async () => {
    const ring = await startRing(4, { init: () => ({ replicas: r }) })
    peers = [...ring]
    await waitForIdealRing(ring, 300, 8)
    const keys = Array.from({ length: 60 }, (_, i) => `mode-${i}`)
    await pool(keys, 16, async key => { await ring[0].services.chord.put(key, key) })
    const switcher = ring[3]
    const rest = ring.slice(0, 3)
    await switcher.services.chord.setMode('client')
    assert.equal(switcher.services.chord.getMode(), 'client')
    assert.equal(switcher.services.chord.storeStats().keys, 0, 'keys handed over')
    await waitForIdealRing(rest, 300, 8)
    // a member that left may linger in location caches until a lookup finds it gone, as any that leaves
    await waitFor(() => referencesTo(rest, switcher.peerId.toString(), false).length === 0, 10_000, () => referencesTo(rest, switcher.peerId.toString(), false).join('; '))
    await waitFor(async () => (await misplaced(rest, keys, r)).length === 0, 30_000, 'keys not on the remaining replicas')
    // still usable, as a client
    await switcher.services.chord.put('while-client', 'yes')
    assert.equal(text(await rest[1].services.chord.get('while-client')), 'yes')
    assert.ok(!switcher.getProtocols().includes(PROTOCOL))

    await switcher.services.chord.setMode('server')
    assert.equal(switcher.services.chord.getMode(), 'server')
    await waitForIdealRing(ring, 300, 8)
    await waitFor(async () => (await misplaced(ring, [...keys, 'while-client'], r)).length === 0, 30_000, 'keys not back on their replicas')
    await assert.rejects(switcher.services.chord.setMode('member' as 'server'), TypeError)
    // switches asked at once run one after the other, in order
    await Promise.all([switcher.services.chord.setMode('client'), switcher.services.chord.setMode('server')])
    assert.equal(switcher.services.chord.getMode(), 'server')
    await waitForIdealRing(ring, 300, 8)
  })
})
