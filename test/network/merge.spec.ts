/**
 * Ring unification after a partition, with real peers over TCP in one
 * process: a connection gater cuts the peers into groups, each group
 * stabilizes into a ring of its own, and after the heal the rings must merge
 * into one ideal ring with every key on its r replicas, one version
 * everywhere, the newest write winning. (test/lan/ does the same with
 * daemons on hosts of a LAN made of network namespaces.)
 */
import assert from 'node:assert/strict'
import { checkIdeal } from '../../harness/invariants.ts'
import { diverged, misplaced, text } from '../fixtures/kv.ts'
import { Partition, createPartitionedPeer } from '../fixtures/partition.ts'
import { addrOf, service, waitFor } from '../../harness/peers.ts'
import { R, states, stopAll } from '../fixtures/ring.ts'
import type { Peer } from '../../harness/peers.ts'
import type { ChordInit, NodeRef } from '../../src/index.ts'

const r = 3

/** Follow first successors from `from` among `peers`: the peers of its ring, in ring order */
function ringWalk (peers: Peer[], from: Peer): string[] {
  const byId = new Map(peers.map(p => [p.peerId.toString(), p]))
  const seen: string[] = []
  let at: Peer | undefined = from
  while (at !== undefined && !seen.includes(at.peerId.toString())) {
    seen.push(at.peerId.toString())
    const next: NodeRef | undefined = at.services.chord.getRingState().positions[0].successors[0]
    at = next === undefined ? undefined : byId.get(next.peer)
  }
  return seen
}

/** Does `peer` name any of `others` as predecessor, successor or finger? */
function knowsAny (peer: Peer, others: Peer[]): boolean {
  const ids = new Set(others.map(p => p.peerId.toString()))
  return peer.services.chord.getRingState().positions.some(p =>
    [p.predecessor, ...p.successors, ...p.fingers.map(f => f.node)].some(n => n !== undefined && ids.has(n.peer)))
}

async function startPeers (partition: Partition, count: number, init: ChordInit): Promise<Peer[]> {
  const first = await createPartitionedPeer(partition, { successorListLength: R, replicas: r, ...init })
  const rest = await Promise.all(Array.from({ length: count - 1 }, async () =>
    createPartitionedPeer(partition, { successorListLength: R, replicas: r, ...init, bootstrap: [addrOf(first)] })))
  return [first, ...rest]
}

function ideal (peers: Peer[]): string[] {
  return checkIdeal(states(peers), R)
}

/** Read `keys` through every peer in turn until stopped; collect the reads that said absent */
function readWhileMerging (peers: Peer[], keys: string[]): { stop: () => Promise<{ absent: Array<{ key: string, at: number }>, failed: number, total: number }> } {
  let running = true
  const absent: Array<{ key: string, at: number }> = []
  let failed = 0
  let total = 0
  const loop = (async () => {
    for (let i = 0; running; i++) {
      const peer = peers[i % peers.length]
      const key = keys[i % keys.length]
      total++
      try {
        const started = Date.now()
        if (await peer.services.chord.get(key) === undefined) absent.push({ key: `${key} through ${peer.peerId.toString().slice(-6)}`, at: started })
      } catch {
        failed++
      }
    }
  })()
  return { stop: async () => { running = false; await loop; return { absent, failed, total } } }
}

/** The first three peers in ring order, and the last three */
function contiguousHalves (peers: Peer[]): [Peer[], Peer[]] {
  const byId = new Map(peers.map(p => [p.peerId.toString(), p]))
  const sorted = ringWalk(peers, peers[0]).map(id => byId.get(id)!)
  return [sorted.slice(0, 3), sorted.slice(3)]
}

/** Halves that interleave on the ring: alternate peers in ring order */
function interleavedHalves (peers: Peer[]): [Peer[], Peer[]] {
  const order = ringWalk(peers, peers[0])
  const byId = new Map(peers.map(p => [p.peerId.toString(), p]))
  const sorted = order.map(id => byId.get(id)!)
  return [sorted.filter((_, i) => i % 2 === 0), sorted.filter((_, i) => i % 2 === 1)]
}

describe('ring merge after a partition (in-process peers, connection gater)', function () {
  this.timeout(120_000)
  let peers: Peer[] = []
  afterEach(async () => { await stopAll(peers); peers = [] })

  for (const halves of ['interleaved', 'contiguous'] as const) {
  it(`6 peers split 3 | 3 (${halves} on the ring) with writes on both sides: one ideal ring after the heal, newest writes everywhere, no read absent meanwhile`, async () => {
    const partition = new Partition()
    peers = await startPeers(partition, 6, {})
    await waitFor(() => peers.every(p => p.services.chord.joined) && ideal(peers).length === 0, 30_000, () => `ring not ideal: ${ideal(peers).slice(0, 3).join('; ')}`)
    const before = Array.from({ length: 30 }, (_, i) => `key-${i}`)
    for (const key of before) await peers[0].services.chord.put(key, `v0-${key}`)

    // contiguous halves: a key written on one side may have all its new replicas on the other
    const [left, right] = halves === 'interleaved' ? interleavedHalves(peers) : contiguousHalves(peers)
    await partition.split([left, right])
    for (const side of [left, right]) {
      await waitFor(() => side.every(p => ringWalk(side, p).length === 3) && ideal(side).length === 0, 30_000,
        () => `side did not form its own ring: ${ideal(side).slice(0, 3).join('; ')}`)
    }
    // new keys on each side, and the same old keys overwritten on both: the later write wins
    const expected = new Map(before.map(k => [k, `v0-${k}`]))
    for (const [name, side] of [['left', left], ['right', right]] as const) {
      for (let i = 0; i < 10; i++) {
        await side[i % 3].services.chord.put(`${name}-${i}`, `${name}-value-${i}`)
        expected.set(`${name}-${i}`, `${name}-value-${i}`)
      }
    }
    for (const [name, side] of [['left', left], ['right', right]] as const) {
      for (const key of before.slice(0, 5)) {
        await side[0].services.chord.put(key, `${name}-overwrite`)
        expected.set(key, `${name}-overwrite`)
      }
    }
    await left[0].services.chord.delete(before[10])
    expected.set(before[10], '')

    const healed = Date.now()
    partition.heal()
    // while the rings merge and the keys move, reads go on through every peer:
    // until the rings are one, a key written on the other side may read as
    // absent, as during the split; from then on none may (reads may fail)
    const reads = readWhileMerging(peers, [...expected].filter(([, v]) => v !== '').map(([k]) => k))
    await waitFor(() => peers.every(p => ringWalk(peers, p).length === 6) && ideal(peers).length === 0, 30_000,
      () => `rings did not merge: walks ${peers.map(p => ringWalk(peers, p).length).join(',')}; ${ideal(peers).slice(0, 3).join('; ')}`)
    const merged = Date.now() - healed
    const keys = [...expected.keys()]
    let problems: string[] = []
    await waitFor(async () => {
      problems = [...await misplaced(peers, keys, r), ...await diverged(peers, keys)]
      return problems.length === 0
    }, 60_000, () => `data not settled: ${problems.join('; ')}`)
    const settled = Date.now() - healed
    const { absent, failed, total } = await reads.stop()
    const afterMerge = absent.filter(a => a.at >= healed + merged).map(a => a.key)
    console.log(`      reads from the heal until the data settled: ${total}, ${failed} failed, ${absent.length - afterMerge.length} absent before the rings were one, ${afterMerge.length} after`)
    assert.ok(total > 0, 'reads ran during the merge')
    assert.deepEqual(afterMerge, [], 'keys read as absent once the rings were one, while the keys moved')
    for (const peer of peers) {
      for (const [key, value] of expected) {
        assert.equal(text(await peer.services.chord.get(key)) ?? '', value, `${key} through ${peer.peerId.toString().slice(-6)}`)
      }
    }
    console.log(`      one ring ${merged} ms after the heal, every key on its replicas after ${settled} ms`)
  })
  }

  it('a peer cut off alone forms a ring of one, and rejoins after the heal', async () => {
    const partition = new Partition()
    peers = await startPeers(partition, 4, {})
    await waitFor(() => peers.every(p => p.services.chord.joined) && ideal(peers).length === 0, 30_000, 'ring not ideal')
    const alone = peers[2]
    const others = peers.filter(p => p !== alone)
    await partition.split([[alone], others])
    await waitFor(() => ringWalk(peers, alone).length === 1 && ringWalk(others, others[0]).length === 3, 30_000, 'no ring of one')
    // until no pointer crosses the cut: only the merge can bring the rings together then
    await waitFor(() => !knowsAny(alone, others) && others.every(p => !knowsAny(p, [alone])), 30_000, 'pointers across the cut remain')
    await alone.services.chord.put('written-alone', 'a')
    await others[0].services.chord.put('written-by-the-rest', 'b')
    partition.heal()
    await waitFor(() => peers.every(p => ringWalk(peers, p).length === 4) && ideal(peers).length === 0, 30_000,
      () => `no merge: walks ${peers.map(p => ringWalk(peers, p).length).join(',')}`)
    await waitFor(async () => (await misplaced(peers, ['written-alone', 'written-by-the-rest'], r)).length === 0, 30_000, 'keys not on their replicas')
    for (const peer of peers) {
      assert.equal(text(await peer.services.chord.get('written-alone')), 'a')
      assert.equal(text(await peer.services.chord.get('written-by-the-rest')), 'b')
    }
  })

  for (const { count, virtualNodes } of [{ count: 2, virtualNodes: 1 }, { count: 4, virtualNodes: 4 }]) {
    it(`${count} peers with ${virtualNodes} position(s) each, split into halves, merge into one ideal ring`, async () => {
      const partition = new Partition()
      peers = await startPeers(partition, count, { virtualNodes })
      await waitFor(() => peers.every(p => p.services.chord.joined) && ideal(peers).length === 0, 30_000, () => `ring not ideal: ${ideal(peers).slice(0, 3).join('; ')}`)
      const left = peers.slice(0, count / 2)
      const right = peers.slice(count / 2)
      await partition.split([left, right])
      for (const [side, other] of [[left, right], [right, left]]) {
        await waitFor(() => side.every(p => !knowsAny(p, other)) && ideal(side).length === 0, 30_000, () => `side not a ring of its own: ${ideal(side).slice(0, 3).join('; ')}`)
      }
      await left[0].services.chord.put('k', 'left')
      partition.heal()
      await waitFor(() => ideal(peers).length === 0, 30_000, () => `no merge: ${ideal(peers).slice(0, 3).join('; ')}`)
      await waitFor(async () => (await misplaced(peers, ['k'], r)).length === 0, 30_000, 'key not on its replicas')
      for (const peer of peers) assert.equal(text(await peer.services.chord.get('k')), 'left')
    })
  }

  it('a peer that lost every member keeps probing them with backoff, within a bound', async () => {
    const partition = new Partition()
    peers = await startPeers(partition, 3, {})
    await waitFor(() => peers.every(p => p.services.chord.joined) && ideal(peers).length === 0, 30_000, 'ring not ideal')
    const alone = peers[0]
    await partition.split([[alone], peers.slice(1)])
    await waitFor(() => service(alone).ring.lostPeers().length === 2, 30_000, 'lost members not remembered')
    assert.deepEqual(new Set(service(alone).ring.lostPeers().map(n => n.peer)), new Set(peers.slice(1).map(p => p.peerId.toString())))
  })
})
