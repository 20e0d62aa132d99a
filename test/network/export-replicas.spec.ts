/**
 * An export reads every replica the service has, whatever the API was
 * told: a ring with `replicas: 5` whose first three replicas of a range
 * have lost their records still exports that range from the other two,
 * although startApi is given no replication factor (it once asked 3).
 */
import assert from 'node:assert/strict'
import { MemoryDatastore } from 'datastore-core'
import { startApi } from '../../src/api/index.ts'
import { addrOf, createPeer } from '../../harness/peers.ts'
import { assertRingOrder } from '../fixtures/ring-order.ts'
import { stopAll, waitForIdealRing } from '../fixtures/ring.ts'
import type { ExportPageJson, RunningApi } from '../../src/api/index.ts'
import type { Peer } from '../../harness/peers.ts'

const PEERS = 6
const R = 5
const KEYS = 200
// no anti-entropy during the test: the wiped replicas stay empty
const INIT = { replicas: R, syncInterval: 600_000, sweepInterval: 600_000 }

describe('export with replicas: 5 and an API not told so', function () {
  this.timeout(60_000)
  const stores = new Map<Peer, MemoryDatastore>()
  const peers: Peer[] = []
  const apis: RunningApi[] = []

  before(async () => {
    const start = async (bootstrap: string[]): Promise<Peer> => {
      const datastore = new MemoryDatastore()
      const peer = await createPeer({ ...INIT, bootstrap }, 'mplex', ['/ip4/127.0.0.1/tcp/0'], { datastore })
      stores.set(peer, datastore)
      return peer
    }
    peers.push(await start([]))
    peers.push(...await Promise.all(Array.from({ length: PEERS - 1 }, async () => start([addrOf(peers[0])]))))
    await waitForIdealRing(peers, 600)
    // every peer serves the API over libp2p, one over HTTP too; none is told r
    for (const [i, peer] of peers.entries()) apis.push(await startApi(peer, i === 0 ? { http: { host: '127.0.0.1', port: 0 } } : {}))
  })

  after(async () => {
    await Promise.all(apis.map(async a => { await a.stop() }))
    await stopAll(peers)
  })

  it('exports every key, in ring order, from the replicas past the third', async () => {
    const keys = Array.from({ length: KEYS }, (_, i) => `key ${i}`)
    await peers[0].services.chord.putMany(keys.map(key => ({ key, value: `value of ${key}` })), { consistency: 'ALL' })
    // three peers in a row lose everything: the range the first of them owns
    // keeps its keys only on its fourth and fifth replicas
    const ring = [...peers].sort((a, b) => a.services.chord.id < b.services.chord.id ? -1 : 1)
    const wiped = ring.slice(0, 3)
    const owner = wiped[0].peerId.toString()
    const stranded: string[] = []
    for (const key of keys) {
      const location = await peers[0].services.chord.lookup(key)
      assert.equal(location.replicas.length, R)
      if (location.owner.peer === owner) stranded.push(key)
    }
    assert.ok(stranded.length > 0, 'no key in the range of the first wiped peer')
    for (const peer of wiped) {
      const store = stores.get(peer)!
      for await (const key of store.queryKeys({ prefix: '/chord/kv' })) await store.delete(key)
    }

    const exported: ExportPageJson['records'] = []
    let asked = 0
    for (let after: string | null | undefined; after !== null;) {
      const response = await fetch(`${apis[0].http!.url}/export${after === undefined ? '' : `?after=${after}`}`)
      const page = await response.json() as ExportPageJson
      assert.equal(response.status, 200, JSON.stringify(page))
      asked = Math.max(asked, page.asked.length)
      exported.push(...page.records)
      after = page.next
    }
    assert.deepEqual(exported.map(r => r.key).sort(), [...keys].sort())
    assert.equal(asked, R, 'replicas asked per range')
    assertRingOrder(exported)
  })
})
