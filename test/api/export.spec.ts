/**
 * How an export page is put together (src/api/export.ts), on a made-up
 * ring whose replicas disagree: the newest version of each key wins, a
 * newer tombstone hides a key, expired keys are left out, every key comes
 * once across pages, and a replica down only matters when all of a range's
 * replicas are.
 */
import assert from 'node:assert/strict'
import { RING_SIZE, idFromHex, idToHex, keyId } from '../../src/index.ts'
import { ApiError } from '../../src/api/errors.ts'
import { exportPage } from '../../src/api/export.ts'
import type { Chord, Id, NodeRef, Placement, RangePage, StoreRecord, Version } from '../../src/index.ts'

const encoder = new TextEncoder()
const version = (wallTime: number): Version => ({ wallTime, logical: 0, writer: 'writer' })

/** four peers at fixed quarters of the ring */
const nodes: NodeRef[] = ['a', 'b', 'c', 'd'].map((peer, i) => ({ peer, vnode: 0, id: (RING_SIZE / 4n) * BigInt(i) + 12345n, addrs: [] }))

function successorOf (id: Id): number {
  const i = nodes.findIndex(n => n.id >= id)
  return i < 0 ? 0 : i
}

/** what each made-up peer holds, and which of them are down */
const held = new Map<string, StoreRecord[]>(nodes.map(n => [n.peer, []]))
const down = new Set<string>()

const chord = {
  placement: async (id: Id): Promise<Placement> => {
    const i = successorOf(id)
    const successors = [...nodes.slice(i), ...nodes.slice(0, i)]
    return { id, owner: successors[0], replicas: successors.slice(0, 3), hops: 1 }
  },
  exportRange: async (node: NodeRef, after: Id, until: Id, options: { maxRecords: number }): Promise<RangePage> => {
    if (down.has(node.peer)) throw new Error('unreachable')
    const limit = options.maxRecords
    // newest first per key, as a real store keeps only one
    const latest = new Map<Id, StoreRecord>()
    for (const r of held.get(node.peer)!) {
      const id = keyId(r.key)
      if ((latest.get(id)?.version.wallTime ?? -1) < r.version.wallTime) latest.set(id, r)
    }
    const inside = [...latest.entries()]
      .filter(([id]) => inRange(after, id, until))
      .sort(([x], [y]) => ((x - after + RING_SIZE) % RING_SIZE) < ((y - after + RING_SIZE) % RING_SIZE) ? -1 : 1)
      .map(([, r]) => r)
    return { records: inside.slice(0, limit), more: inside.length > limit }
  }
} as unknown as Chord

/** (after, until] going round; after === until is the whole ring */
function inRange (after: Id, x: Id, until: Id): boolean {
  if (after < until) return x > after && x <= until
  return x > after || x <= until
}

describe('export pages', () => {
  const hold = (peer: string, key: string, value: string, at: number, extra: Partial<StoreRecord> = {}): void => {
    held.get(peer)!.push({ key: encoder.encode(key), value: encoder.encode(value), version: version(at), deleted: false, ...extra })
  }
  const keys = Array.from({ length: 40 }, (_, i) => `key ${i}`)
  for (const key of keys) {
    const i = successorOf(keyId(encoder.encode(key)))
    for (let j = 0; j < 3; j++) hold(nodes[(i + j) % 4].peer, key, `old ${key}`, 1000)
  }
  const replicasOf = (key: string): string[] => {
    const i = successorOf(keyId(encoder.encode(key)))
    return [0, 1, 2].map(j => nodes[(i + j) % 4].peer)
  }
  // replicas that disagree
  hold(replicasOf('key 1')[1], 'key 1', 'new key 1', 2000)
  hold(replicasOf('key 2')[2], 'key 2', '', 3000, { deleted: true })
  hold(replicasOf('only one')[0], 'only one', 'missed by two replicas', 1000)
  hold(replicasOf('gone')[0], 'gone', 'expired', 1000, { expiresAt: Date.now() - 1 })

  async function exportAll (limit: number): Promise<{ records: Map<string, string>, order: string[], pages: number, unreachable: Set<string> }> {
    const records = new Map<string, string>()
    const order: string[] = []
    const unreachable = new Set<string>()
    let pages = 0
    for (let after: Id | undefined = 0n; after !== undefined;) {
      const page = await exportPage({ chord, limit, bytes: 1 << 20, signal: AbortSignal.timeout(5000) }, after)
      pages++
      for (const r of page.records) {
        assert.ok(!records.has(r.key), `${r.key} exported twice`)
        records.set(r.key, r.value)
        order.push(idToHex(keyId(encoder.encode(r.key))))
      }
      page.unreachable.forEach(p => unreachable.add(p))
      after = page.next === null ? undefined : idFromHex(page.next)
    }
    return { records, order, pages, unreachable }
  }

  it('gives every live key once, newest version first, in ring order', async () => {
    for (const limit of [3, 1000]) {
      const { records, order, pages } = await exportAll(limit)
      assert.equal(records.get('key 1'), 'new key 1')
      assert.equal(records.has('key 2'), false, 'a key deleted on one replica')
      assert.equal(records.get('only one'), 'missed by two replicas')
      assert.equal(records.has('gone'), false, 'an expired key')
      assert.equal(records.get('key 7'), 'old key 7')
      assert.equal(records.size, keys.length - 1 + 1)
      assert.deepEqual(order, [...order].sort())
      // one page per member's range, and one for the stretch from the last member round to 0
      assert.ok(limit === 1000 ? pages === nodes.length + 1 : pages > nodes.length + 1, `${pages} pages with ${limit} records a page`)
    }
  })

  it('does without a replica that is down, and fails a range none of whose replicas answer', async () => {
    // not the one peer holding "only one"
    const [first, ...rest] = nodes.map(n => n.peer).filter(p => p !== replicasOf('only one')[0])
    down.add(first)
    try {
      const { records, unreachable } = await exportAll(5)
      assert.equal(records.size, keys.length)
      assert.deepEqual([...unreachable], [first])
      rest.forEach(p => down.add(p))
      await assert.rejects(exportAll(5), (err: ApiError) => err.status === 503 && err.code === 'ERR_EXPORT_UNAVAILABLE')
    } finally {
      down.clear()
    }
  })
})
