/**
 * RANGE_RECORDS from a hostile peer: it answers a range read with records
 * outside the range asked, not after the cursor, out of order, oversized,
 * too many, or claims more while giving nothing. The asker must fail with a
 * clear error and store nothing; an honest answer is taken whole.
 */
import assert from 'node:assert/strict'
import { PROTOCOL } from '../../src/service.ts'
import { RING_SIZE, keyId } from '../../src/ring/id.ts'
import { RangeDigestResponse, BucketDigestsResponse, RangeRecordsRequest, RangeRecordsResponse } from '../../src/rpc/pb/store-rpc.ts'
import { RpcServer } from '../../src/rpc/rpc-server.ts'
import { StoreMethod } from '../../src/rpc/store-protocol.ts'
import { syncRange } from '../../src/store/range-sync.ts'
import { encodeRecord } from '../../src/store/record.ts'
import { createPeer } from '../../harness/peers.ts'
import type { Peer } from '../../harness/peers.ts'
import type { StoreRecord } from '../../src/store/record.ts'
import type { RangeSyncInit } from '../../src/store/range-sync.ts'
import { silentLog } from '../../src/util/log.ts'
import type { NodeRef } from '../../src/ring/types.ts'

const WRITER = '12D3KooWPjceQrSwdWXPyLLeABRXmuqt69Rg3sBYbU1Nft9HyQ6X'

function record (key: string, valueBytes = 16): StoreRecord {
  return { key: new TextEncoder().encode(key), value: new Uint8Array(valueBytes).fill(7), version: { wallTime: Date.now() - 1000, logical: 0, writer: WRITER }, deleted: false }
}

/** records whose keys lie in (from, until], in ring order from `from` */
function inRange (from: bigint, until: bigint, count: number): StoreRecord[] {
  const out: StoreRecord[] = []
  const size = (until - from + RING_SIZE) % RING_SIZE
  for (let i = 0; out.length < count; i++) {
    const r = record(`k${i}`)
    if ((keyId(r.key) - from + RING_SIZE) % RING_SIZE <= size && keyId(r.key) !== from) out.push(r)
  }
  return out.sort((a, b) => ((keyId(a.key) - from + RING_SIZE) % RING_SIZE < (keyId(b.key) - from + RING_SIZE) % RING_SIZE ? -1 : 1))
}

describe('RANGE_RECORDS from a hostile peer', function () {
  this.timeout(60_000)
  let victim: Peer
  let attacker: Peer
  let attackerRef: NodeRef
  /** what the attacker answers to RANGE_RECORDS, given the request */
  let answer: (request: RangeRecordsRequest) => RangeRecordsResponse

  before(async () => {
    victim = await createPeer()
    // not a ring of its own, so the two rings of one never merge under the test
    attacker = await createPeer({ autoJoin: false })
    // the attacker's /chord/1.0.0 is ours to script
    await attacker.unhandle(PROTOCOL)
    const server = new RpcServer({ maxFrameSize: 4 * 1024 * 1024, maxInFlightPerStream: 16, log: silentLog })
    server.register(StoreMethod.RANGE_DIGEST, () => RangeDigestResponse.encode({ digest: new Uint8Array(32).fill(1) }))
    server.register(StoreMethod.BUCKET_DIGESTS, () => BucketDigestsResponse.encode({ buckets: Array.from({ length: 256 }, (_, bucket) => ({ bucket, digest: new Uint8Array(32).fill(1) })) }))
    server.register(StoreMethod.RANGE_RECORDS, (body) => RangeRecordsResponse.encode(answer(RangeRecordsRequest.decode(body))))
    await attacker.handle(PROTOCOL, (stream, connection) => { server.handleStream(stream, connection) })
    attackerRef = { id: 0n, peer: attacker.peerId.toString(), vnode: 0, addrs: attacker.getMultiaddrs().map(a => a.toString()) }
  })
  after(async () => {
    await victim?.stop()
    await attacker?.stop()
  })

  // the victim's own store machinery, reached as its sync does
  const sync = (): RangeSyncInit => (victim.services.chord as unknown as { store: { context: { sync: RangeSyncInit } } }).store.context.sync
  const ask = async (from: bigint, until: bigint, maxRecords = 100, maxBytes = 64 * 1024): Promise<unknown> =>
    sync().rpc.rangeRecords(attackerRef, from, until, maxRecords, maxBytes)
  const encode = (records: StoreRecord[], more = false): RangeRecordsResponse =>
    ({ records: records.map(r => encodeRecord(r) as Uint8Array<ArrayBuffer>), more })

  const from = RING_SIZE / 4n
  const until = RING_SIZE / 2n

  it('takes an honest page whole', async () => {
    const records = inRange(from, until, 10)
    answer = () => encode(records, true)
    const page = await ask(from, until) as { records: StoreRecord[], more: boolean }
    assert.equal(page.records.length, 10)
    assert.equal(page.more, true)
  })

  it('refuses records outside the range, or not after the cursor', async () => {
    const records = inRange(from, until, 5)
    const outside = inRange(until, from, 1)
    answer = () => encode([...records, ...outside])
    await assert.rejects(ask(from, until), /outside the range asked/)
    // the cursor: asked from the third record on, the first two are not after it
    answer = () => encode(records)
    await assert.rejects(ask(keyId(records[2].key), until), /outside the range asked/)
  })

  it('refuses records out of ring order or repeated', async () => {
    const records = inRange(from, until, 5)
    answer = () => encode([records[1], records[0], ...records.slice(2)])
    await assert.rejects(ask(from, until), /out of ring order/)
    answer = () => encode([records[0], records[0]])
    await assert.rejects(ask(from, until), /out of ring order/)
  })

  it('refuses oversized answers: too many records, too many bytes, a record over the limits', async () => {
    const records = inRange(from, until, 20)
    answer = () => encode(records)
    await assert.rejects(ask(from, until, 10), /malformed|RANGE_RECORDS|records/)
    const large = inRange(from, until, 3).map(r => ({ ...r, value: new Uint8Array(40 * 1024) }))
    answer = () => encode(large)
    await assert.rejects(ask(from, until, 100, 64 * 1024), /over the 65536 asked for/)
    const huge = inRange(from, until, 1).map(r => ({ ...r, value: new Uint8Array(1024 * 1024 + 1) }))
    answer = () => encode(huge)
    await assert.rejects(ask(from, until), /over the limit|record/)
  })

  it('refuses an answer that makes no progress', async () => {
    answer = () => encode([], true)
    await assert.rejects(ask(from, until), /no record yet claims more/)
    const last = inRange(from, until, 1)
    answer = () => encode(last, true)
    await assert.rejects(ask(from, keyId(last[0].key)), /claims more after the end of the range/)
  })

  it('a sync that meets a lying answer fails and stores nothing', async () => {
    const before = victim.services.chord.storeStats()
    const records = inRange(from, until, 30)
    // honest records, and among them one of another range
    answer = (request) => {
      const cursor = BigInt('0x' + Buffer.from(request.from).toString('hex'))
      const after = records.filter(r => (keyId(r.key) - cursor + RING_SIZE) % RING_SIZE > 0n && (keyId(r.key) - cursor + RING_SIZE) % RING_SIZE <= (until - cursor + RING_SIZE) % RING_SIZE)
      return encode([...after.slice(0, 3), ...inRange(until, from, 1)], true)
    }
    await assert.rejects(syncRange(sync(), attackerRef, from, until, 'both', 'sync'), /outside the range asked/)
    assert.deepEqual(victim.services.chord.storeStats(), before)
  })
})
