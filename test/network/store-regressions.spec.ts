/**
 * Bugs the churn suite and the crash-point tests found in the store, each
 * pinned down by the smallest test that showed it.
 */
import assert from 'node:assert/strict'
import { expectedReplicas, text } from '../fixtures/kv.ts'
import { startRing, stopAll, waitForIdealRing } from '../fixtures/ring.ts'
import { service } from '../../harness/peers.ts'
import type { Peer } from '../../harness/peers.ts'

const r = 3

describe('store regressions', function () {
  this.timeout(60_000)
  let peers: Peer[] = []
  afterEach(async () => { await stopAll(peers); peers = [] })

  it('a write acknowledged after another one wins, even through a coordinator whose clock runs behind', async () => {
    peers = await startRing(4, { init: () => ({ replicas: r }) })
    await waitForIdealRing(peers, 200)
    // the slow coordinator is the one peer that does not replicate the key, so no write reaches its clock
    const replicas = expectedReplicas(peers, 'ordered', r)
    const slow = peers.find(p => !replicas.includes(p.peerId.toString()))!
    const [fast, reader] = peers.filter(p => p !== slow)
    // the fast peer's machine clock is 20 s ahead (the hybrid clock accepts up to 60 s)
    const clock = (service(fast).store as unknown as { context: { hlc: { physical: () => number } } }).context.hlc
    clock.physical = () => Date.now() + 20_000

    const first = await fast.services.chord.put('ordered', 'first')
    const second = await slow.services.chord.put('ordered', 'second')
    assert.equal(text(await reader.services.chord.get('ordered', { consistency: 'ALL' })), 'second', 'the acknowledged later write was lost')
    assert.ok(second.wallTime > first.wallTime || (second.wallTime === first.wallTime && second.logical > first.logical), 'put() returned the version that was stored')
    // and a delete through the slow peer deletes
    clock.physical = () => Date.now() + 40_000
    await fast.services.chord.put('ordered', 'third')
    await slow.services.chord.delete('ordered')
    assert.equal(await reader.services.chord.get('ordered', { consistency: 'ALL' }), undefined, 'the acknowledged delete was lost')
  })

  it('a read does not call a key absent while a replica that may hold it did not answer', async () => {
    // no sync or sweep: only the read can see the copy
    peers = await startRing(4, { init: () => ({ replicas: r, syncInterval: 600_000, sweepInterval: 600_000 }) })
    await waitForIdealRing(peers, 200)
    const [reader, other] = peers
    const location = await reader.services.chord.lookup('unseen')
    // the last replica asked holds the key, the first two do not (fresh joiners, say), and it does not answer
    const last = location.replicas[2].node
    const holder = peers.find(p => p.peerId.toString() === last.peer)!
    const record = { key: new TextEncoder().encode('unseen'), value: new TextEncoder().encode('here'), deleted: false, version: { wallTime: Date.now(), logical: 0, writer: other.peerId.toString() } }
    await service(other).store.pushTo(last, [record])
    service(holder).store.replica.fetch = async () => { throw new Error('too busy to answer') }
    await assert.rejects(reader.services.chord.get('unseen'), { code: 'ERR_QUORUM_NOT_REACHED' }, 'the read said absent')
  })

  it('a write waiting to retry after too few replicas stored it ends as soon as the caller aborts', async () => {
    // the retry waits one syncInterval: far longer than this test may run
    peers = await startRing(3, { init: () => ({ replicas: r, syncInterval: 600_000, sweepInterval: 600_000 }) })
    await waitForIdealRing(peers, 200)
    const [writer, ...others] = peers
    // one replica refuses every write, so consistency ALL cannot be reached
    service(others[0]).store.replica.store = async () => { throw new Error('disk full') }
    const controller = new AbortController()
    const reason = new Error('the caller gave up')
    const put = writer.services.chord.put('patient', 'value', { consistency: 'ALL', signal: controller.signal })
    // the first attempt fails at once; the abort then finds the write in its retry wait
    const settled = put.then(() => 'stored', (err: unknown) => err)
    await new Promise(resolve => setTimeout(resolve, 500))
    controller.abort(reason)
    assert.equal(await settled, reason, 'the write ended with the abort reason, not after the retry wait')
  })
})
