/**
 * Operations without a lookup: a coordinator that already knows the members
 * around a key sends its read or write straight to the replicas, and the
 * guessed owner confirms in the same round trip that the key is its own
 * (and names its successors). A wrong or dead guess falls back on a lookup.
 */
import assert from 'node:assert/strict'
import { keyId } from '../../src/ring/id.ts'
import { RingMethod } from '../../src/rpc/ring-protocol.ts'
import { StoreMethod } from '../../src/rpc/store-protocol.ts'
import { expectedReplicas, misplaced, text } from '../fixtures/kv.ts'
import { addrOf, createPeer, service, waitFor } from '../../harness/peers.ts'
import { startRing, stopAll, waitForIdealRing } from '../fixtures/ring.ts'
import type { Peer } from '../../harness/peers.ts'

const r = 3
const encoder = new TextEncoder()

interface Call { to: string, method: number }
type CallFn = (peer: string, addrs: readonly string[], method: number, body: Uint8Array, options?: unknown) => Promise<Uint8Array>

/**
 * Record the requests `peer` sends about `key` (its bytes, or its ring id
 * for lookups), leaving out maintenance traffic about other keys.
 */
function spy (peer: Peer, key: string): { calls: Call[], stop: () => void } {
  const client = (service(peer) as unknown as { client: { call: CallFn } }).client
  const original = client.call
  const keyBytes = Buffer.from(key)
  const idBytes = Buffer.from(keyId(encoder.encode(key)).toString(16).padStart(64, '0'), 'hex')
  const calls: Call[] = []
  client.call = async (to, addrs, method, body, options) => {
    const bytes = Buffer.from(body)
    if (bytes.includes(keyBytes) || bytes.includes(idBytes)) calls.push({ to, method })
    return original.call(client, to, addrs, method, body, options)
  }
  return { calls, stop: () => { client.call = original } }
}

const count = (calls: Call[], method: number): number => calls.filter(c => c.method === method).length

/** Fill `peer`'s location cache the way normal use does: lookups of random keys */
async function warm (peer: Peer): Promise<void> {
  for (let i = 0; i < 64; i++) await peer.services.chord.lookup(`warm-${i}`)
}

/** A key none of whose replicas is `peer` (so every request goes over the network) */
function keyAwayFrom (peers: Peer[], peer: Peer, prefix: string, also: (replicas: string[]) => boolean = () => true): string {
  for (let i = 0; ; i++) {
    const replicas = expectedReplicas(peers, `${prefix}-${i}`, r)
    if (!replicas.includes(peer.peerId.toString()) && also(replicas)) return `${prefix}-${i}`
  }
}

describe('operations without a lookup', function () {
  this.timeout(60_000)
  let peers: Peer[] = []
  afterEach(async () => { await stopAll(peers); peers = [] })

  it('a warm coordinator writes to the r replicas and reads from one or two of them, in one round trip and no lookup', async () => {
    peers = await startRing(8, { init: () => ({ replicas: r }) })
    await waitForIdealRing(peers, 200)
    const coordinator = peers[0]
    await warm(coordinator)
    const key = keyAwayFrom(peers, coordinator, 'direct')

    const put = spy(coordinator, key)
    await coordinator.services.chord.put(key, 'v1')
    put.stop()
    assert.equal(count(put.calls, RingMethod.FIND_SUCCESSOR), 0, 'the put looked the key up')
    assert.equal(count(put.calls, StoreMethod.STORE), r, `the put sent ${JSON.stringify(put.calls)}`)
    assert.deepEqual([...new Set(put.calls.map(c => c.to))].sort(), expectedReplicas(peers, key, r), 'the put went to peers other than the replicas')

    const one = spy(coordinator, key)
    assert.equal(text(await coordinator.services.chord.get(key, { consistency: 'ONE' })), 'v1')
    one.stop()
    assert.deepEqual(one.calls.map(c => c.method), [StoreMethod.FETCH], 'a ONE read of a held key is one request')

    const quorum = spy(coordinator, key)
    assert.equal(text(await coordinator.services.chord.get(key)), 'v1')
    quorum.stop()
    assert.deepEqual(quorum.calls.map(c => c.method), [StoreMethod.FETCH, StoreMethod.FETCH], 'a QUORUM read is two requests')
    assert.deepEqual(await misplaced(peers, [key], r), [])
  })

  it('a guess that missed a join is corrected by the guessed owner: the write lands on the right replicas, and the next one goes straight there', async () => {
    // short successor lists, so some peers do not see the joiner first hand
    const init = { replicas: r, successorListLength: 3 }
    peers = await startRing(6, { init: () => init })
    await waitForIdealRing(peers, 200, 3)
    const joiner = await createPeer({ ...init, bootstrap: [addrOf(peers[1])] })
    peers.push(joiner)
    await waitForIdealRing(peers, 200, 3)
    const joinerId = joiner.peerId.toString()
    const coordinator = peers.find(p => {
      const [position] = p.services.chord.getRingState().positions
      return p !== joiner && position.predecessor?.peer !== joinerId && !position.successors.some(s => s.peer === joinerId)
    })!
    await warm(coordinator)
    const first = keyAwayFrom(peers, coordinator, 'joined-a', replicas => replicas.includes(joinerId))
    // the coordinator has not heard of the joiner (forgotten here; its maintenance may learn it again soon)
    service(coordinator).ring.forget(service(joiner).ring.nodes[0].self)
    const guess = service(coordinator).ring.knownSuccessors(keyId(encoder.encode(first)), r)!.map(n => n.peer)
    assert.ok(!guess.includes(joinerId), 'the guess knew the joiner')

    await coordinator.services.chord.put(first, 'a')
    assert.equal(text(await peers[2].services.chord.get(first, { consistency: 'ALL' })), 'a')
    // a wrong guess may leave a copy on a peer past the replicas; the sweep takes it away
    await waitFor(async () => (await misplaced(peers, [first], r)).length === 0, 10_000, 'the key to be on exactly its replicas')

    // the owner's answer (or the lookup it fell back on) taught the coordinator the joiner
    const second = keyAwayFrom(peers, coordinator, 'joined-b', replicas => replicas.includes(joinerId))
    const put = spy(coordinator, second)
    await coordinator.services.chord.put(second, 'b')
    put.stop()
    assert.equal(count(put.calls, RingMethod.FIND_SUCCESSOR), 0, 'the second write looked the key up')
    assert.deepEqual([...new Set(put.calls.map(c => c.to))].sort(), expectedReplicas(peers, second, r))
  })

  it('a guessed owner that crashed costs one failed request, is forgotten, and the read is answered by the replicas left', async () => {
    peers = await startRing(6, { init: () => ({ replicas: r }) })
    await waitForIdealRing(peers, 200)
    const coordinator = peers[0]
    await warm(coordinator)
    const key = keyAwayFrom(peers, coordinator, 'crash')
    await coordinator.services.chord.put(key, 'survives')
    const owner = service(coordinator).ring.knownSuccessors(keyId(encoder.encode(key)), 1)![0].peer
    const victim = peers.find(p => p.peerId.toString() === owner)!
    victim.services.chord.leaveOnStop = false
    await victim.stop()
    peers = peers.filter(p => p !== victim)

    assert.equal(text(await coordinator.services.chord.get(key, { consistency: 'ONE' })), 'survives')
    await waitForIdealRing(peers, 400)
    await coordinator.services.chord.get(key, { consistency: 'ONE' })
    const again = spy(coordinator, key)
    assert.equal(text(await coordinator.services.chord.get(key, { consistency: 'ONE' })), 'survives')
    again.stop()
    assert.equal(again.calls.filter(c => c.to === owner).length, 0, 'the dead owner was asked again')
    assert.deepEqual(again.calls.map(c => c.method), [StoreMethod.FETCH])
  })

  it('an owner that names too few successors, or none, is not believed: a lookup decides which replicas a read needs', async () => {
    peers = await startRing(6, { init: () => ({ replicas: r }) })
    await waitForIdealRing(peers, 200)
    const coordinator = peers[0]
    await warm(coordinator)
    for (const lie of ['only itself', 'no successor at all']) {
      const key = keyAwayFrom(peers, coordinator, `liar-${lie}`)
      const [owner, ...rest] = service(coordinator).ring.knownSuccessors(keyId(encoder.encode(key)), r)!
      // the key is on the other two replicas only, say the owner has not been repaired yet
      const record = { key: encoder.encode(key), value: encoder.encode('held'), deleted: false, version: { wallTime: Date.now(), logical: 0, writer: coordinator.peerId.toString() } }
      for (const node of rest) await service(coordinator).store.pushTo(node, [record])
      const liar = service(peers.find(p => p.peerId.toString() === owner.peer)!).store.replica
      const honest = liar.ownership.bind(liar)
      liar.ownership = (k) => {
        const truth = honest(k)
        return truth.owner ? { owner: true, successors: lie === 'only itself' ? [owner] : [] } : truth
      }
      try {
        // believed, the liar alone would make the replica set, and it has nothing
        assert.equal(text(await coordinator.services.chord.get(key)), 'held', `owner naming ${lie}`)
      } finally {
        liar.ownership = honest
      }
    }
  })
})
