/**
 * The API (src/api) on in-process peers: every route over HTTP, the
 * statuses of bad input, a peer that has not joined, and the same handler
 * over the libp2p protocol that `chord --peer` uses.
 */
import assert from 'node:assert/strict'
import { request } from 'node:http'
import { Script } from 'node:vm'
import { byteStream } from '@libp2p/utils'
import { multiaddr } from '@multiformats/multiaddr'
import { API_PROTOCOL, callRemoteApi, startApi } from '../../src/api/index.ts'
import { addrOf, createPeer, waitFor } from '../../harness/peers.ts'
import { assertRingOrder } from '../fixtures/ring-order.ts'
import { stopAll } from '../fixtures/ring.ts'
import type { BatchJson, ExportPageJson, LookupJson, RingJson, RingWalkJson, RunningApi, StatsJson } from '../../src/api/index.ts'
import type { Peer } from '../../harness/peers.ts'

const LIMIT = 1024
const decoder = new TextDecoder()

describe('HTTP and libp2p API', function () {
  this.timeout(30_000)
  let peers: Peer[] = []
  let api: RunningApi
  let others: RunningApi[] = []
  let lonely: { peer: Peer, api: RunningApi }
  let base: string

  const call = async (method: string, path: string, body?: string | Uint8Array): Promise<{ status: number, type: string | null, text: string, headers: Headers }> => {
    const response = await fetch(base + path, { method, body })
    return { status: response.status, type: response.headers.get('content-type'), text: await response.text(), headers: response.headers }
  }

  before(async () => {
    const first = await createPeer({ maxValueBytes: LIMIT })
    peers = [first, ...await Promise.all([1, 2].map(async () => createPeer({ maxValueBytes: LIMIT, bootstrap: [addrOf(first)] })))]
    await waitFor(() => peers.every(p => p.services.chord.joined && p.services.chord.getRingState().positions[0].successors.length === 2), 10_000, 'a ring of three')
    api = await startApi(peers[0], { http: { host: '127.0.0.1', port: 0 } })
    // the others serve the API over libp2p only: the keys-per-peer walk and --peer clients use it
    others = await Promise.all(peers.slice(1).map(async p => startApi(p)))
    base = api.http!.url
    const peer = await createPeer({ autoJoin: false })
    lonely = { peer, api: await startApi(peer, { http: { host: '127.0.0.1', port: 0 } }) }
  })

  after(async () => {
    await api?.stop()
    await Promise.all(others.map(async o => { await o.stop() }))
    await lonely?.api.stop()
    await stopAll([...peers, ...(lonely === undefined ? [] : [lonely.peer])])
  })

  it('stores, reads, checks and deletes keys', async () => {
    const key = encodeURIComponent('a/b ü')
    const put = await call('PUT', `/keys/${key}`, 'hello')
    assert.equal(put.status, 200, put.text)
    assert.equal(JSON.parse(put.text).key, 'a/b ü')
    assert.equal(JSON.parse(put.text).version.writer, peers[0].peerId.toString())
    const got = await call('GET', `/keys/${key}`)
    assert.deepEqual([got.status, got.type, got.text], [200, 'application/octet-stream', 'hello'])
    assert.equal((await call('HEAD', `/keys/${key}`)).status, 200)
    // another peer's store agrees
    assert.equal(decoder.decode(await peers[2].services.chord.get('a/b ü')), 'hello')

    const deleted = await call('DELETE', `/keys/${key}`)
    assert.equal(deleted.status, 200)
    const missing = await call('GET', `/keys/${key}`)
    assert.equal(missing.status, 404)
    assert.deepEqual(JSON.parse(missing.text), { error: 'no value stored under "a/b ü"', code: 'ERR_NOT_FOUND' })
    assert.deepEqual([(await call('HEAD', `/keys/${key}`)).status, (await call('HEAD', '/keys/never')).status], [404, 404])

    const binary = new Uint8Array([0, 255, 10, 13])
    assert.equal((await call('PUT', '/keys/bin?consistency=all&ttl=60000', binary)).status, 200)
    const back = await fetch(`${base}/keys/bin?consistency=ONE`)
    assert.deepEqual(new Uint8Array(await back.arrayBuffer()), binary)
    assert.equal((await call('PUT', '/keys/empty', '')).status, 200)
    assert.deepEqual([(await call('GET', '/keys/empty')).status, (await call('GET', '/keys/empty')).text], [200, ''])
  })

  it('answers lookup, ring, stats and health', async () => {
    await call('PUT', '/keys/looked-up', 'x')
    const lookup = JSON.parse((await call('GET', '/keys/looked-up/lookup')).text) as LookupJson
    assert.match(lookup.id, /^[0-9a-f]{64}$/)
    assert.equal(lookup.replicas.length, 3)
    assert.ok(lookup.replicas.every(r => r.version !== undefined && r.error === undefined))

    const ring = JSON.parse((await call('GET', '/ring')).text) as RingJson
    assert.equal(ring.peer, peers[0].peerId.toString())
    assert.equal(ring.joined, true)
    assert.equal(ring.positions[0].successors.length, 2)
    assert.ok(ring.positions[0].predecessor !== null)
    assert.ok(ring.store.keys > 0)

    const stats = JSON.parse((await call('GET', '/stats?peers=true')).text) as StatsJson
    assert.equal(stats.peers?.length, 3)
    assert.ok(stats.peers.every(p => p.store !== undefined && p.error === undefined), JSON.stringify(stats.peers))
    assert.ok(stats.traffic.requests.put >= 1)
    assert.equal(JSON.parse((await call('GET', '/stats')).text).peers, undefined)

    const health = await call('GET', '/health')
    assert.equal(health.status, 200)
    assert.equal(JSON.parse(health.text).status, 'ok')
  })

  it('answers bad input with JSON errors and the right status, and keeps serving', async () => {
    const expect = async (method: string, path: string, status: number, code: string, body?: string | Uint8Array): Promise<void> => {
      const response = await call(method, path, body)
      assert.equal(response.status, status, `${method} ${path}: ${response.text}`)
      assert.equal(JSON.parse(response.text).code, code, `${method} ${path}: ${response.text}`)
    }
    await expect('GET', '/keys/%E0%A4%A', 400, 'ERR_BAD_REQUEST')
    await expect('GET', '/keys/', 400, 'ERR_BAD_REQUEST')
    await expect('PUT', '/keys/k?consistency=SOME', 400, 'ERR_BAD_REQUEST', 'v')
    await expect('PUT', '/keys/k?ttl=-5', 400, 'ERR_BAD_REQUEST', 'v')
    await expect('PUT', '/keys/k', 413, 'ERR_RECORD_TOO_LARGE', new Uint8Array(LIMIT + 1))
    await expect('GET', `/keys/${'k'.repeat(1025)}`, 413, 'ERR_RECORD_TOO_LARGE')
    await expect('GET', '/nope', 404, 'ERR_NO_ROUTE')
    await expect('GET', '/keys/a/b/c', 404, 'ERR_NO_ROUTE')
    await expect('GET', '//keys/x', 404, 'ERR_NO_ROUTE')
    await expect('POST', '/keys/k', 405, 'ERR_METHOD_NOT_ALLOWED', 'v')
    assert.equal((await call('DELETE', '/ring')).headers.get('allow'), 'GET')
    // a value of exactly the limit is fine
    assert.equal((await call('PUT', '/keys/k', new Uint8Array(LIMIT))).status, 200)

    // a body far past the limit, streamed without a length: still a 413, not a reset
    const big = await fetch(`${base}/keys/k`, {
      method: 'PUT',
      body: new ReadableStream({ start (c) { for (let i = 0; i < 64; i++) c.enqueue(new Uint8Array(64 * 1024)); c.close() } }),
      duplex: 'half'
    } as RequestInit)
    assert.equal(big.status, 413)

    // requests addressed to another host name (DNS rebinding) are refused
    const status = await new Promise<number | undefined>((resolve, reject) => {
      request(`${base}/health`, { headers: { host: 'evil.example:80' } }, res => { res.resume(); resolve(res.statusCode) }).on('error', reject).end()
    })
    assert.equal(status, 403)
    assert.equal((await call('GET', '/health')).status, 200)
  })

  it('says 503 while the peer is not a ring member', async () => {
    const url = lonely.api.http!.url
    const health = await fetch(`${url}/health`)
    assert.equal(health.status, 503)
    assert.equal((await health.json() as { status: string }).status, 'joining')
    const put = await fetch(`${url}/keys/k`, { method: 'PUT', body: 'v' })
    assert.equal(put.status, 503)
    assert.equal((await put.json() as { code: string }).code, 'ERR_NOT_JOINED')
  })

  it('serves the same API over libp2p to a node that is not a ring member', async () => {
    const client = lonely.peer
    const target = multiaddr(addrOf(peers[1]))
    const ask = async (method: string, path: string, body = new Uint8Array(0)): Promise<{ status: number, text: string }> => {
      const response = await callRemoteApi(client, target, { method, path, body }, { signal: AbortSignal.timeout(10_000) })
      return { status: response.status, text: decoder.decode(response.body) }
    }
    assert.equal(others[0].http, undefined)
    assert.equal((await ask('PUT', '/keys/remote', new TextEncoder().encode('over libp2p'))).status, 200)
    assert.deepEqual(await ask('GET', '/keys/remote'), { status: 200, text: 'over libp2p' })
    assert.equal((await ask('GET', '/keys/absent')).status, 404)
    assert.equal((await ask('PUT', '/keys/remote', new Uint8Array(LIMIT + 1))).status, 413)
    assert.equal((await ask('PUT', '/keys/remote', new Uint8Array(LIMIT + 300_000))).status, 413)
    assert.equal(client.services.chord.joined, false)

    // a malformed request gets a 400 and the peer keeps serving
    const stream = await client.dialProtocol(target, API_PROTOCOL)
    const bytes = byteStream(stream)
    await bytes.write(new Uint8Array([0, 0, 0, 10, ...new TextEncoder().encode('{ not json')]))
    const prefix = (await bytes.read({ bytes: 4 })).subarray()
    const length = new DataView(prefix.buffer, prefix.byteOffset, 4).getUint32(0)
    const header = JSON.parse(decoder.decode((await bytes.read({ bytes: length })).subarray())) as { status: number }
    assert.equal(header.status, 400)
    stream.abort(new Error('done'))
    assert.equal((await ask('GET', '/health')).status, 200)
  })

  it('takes batches of puts and pages through an export of the ring', async () => {
    const lines = ['{"key": "batch 1", "value": "one"}', '', '{"key": "batch 2", "value": "AAE=", "encoding": "base64", "ttl": 60000}']
    const batch = await call('POST', '/keys?consistency=ALL', lines.join('\n'))
    assert.equal(batch.status, 200, batch.text)
    assert.deepEqual(JSON.parse(batch.text), { stored: 2, bytes: 7 + 3 + 7 + 2, failed: [] } satisfies BatchJson)
    assert.deepEqual(new Uint8Array(await (await fetch(`${base}/keys/batch%202`)).arrayBuffer()), new Uint8Array([0, 1]))
    const malformed = await call('POST', '/keys', '{"key": "x", "value": "y"}\nnot json')
    assert.equal(malformed.status, 400)
    assert.match(JSON.parse(malformed.text).error, /^line 2: not JSON/)
    // a record the ring refuses fails alone, named by its line
    const refused = await fetch(`${lonely.api.http!.url}/keys`, { method: 'POST', body: '{"key": "a", "value": "b"}' })
    assert.deepEqual(await refused.json(), { stored: 0, bytes: 0, failed: [{ line: 1, error: 'this peer has not joined a ring yet', code: 'ERR_NOT_JOINED' }] })

    // every live key once, in ring order, a few per page
    const keys: string[] = []
    const exported: ExportPageJson['records'] = []
    let progress = 0
    for (let after: string | null | undefined; after !== null;) {
      const page = await call('GET', `/export?limit=2${after === undefined ? '' : `&after=${after}`}`)
      assert.equal(page.status, 200, page.text)
      const answer = JSON.parse(page.text) as ExportPageJson
      assert.ok(answer.progress > progress || answer.next === null, 'progress moves on')
      assert.equal(answer.asked.length, 3)
      assert.deepEqual(answer.unreachable, [])
      progress = answer.progress
      keys.push(...answer.records.map(r => r.key))
      exported.push(...answer.records)
      after = answer.next
    }
    assert.equal(progress, 1)
    assert.equal(new Set(keys).size, keys.length, 'a key exported twice')
    assertRingOrder(exported)
    for (const key of ['batch 1', 'batch 2', 'looked-up', 'remote']) assert.ok(keys.includes(key), `${key} not exported`)
    assert.ok(!keys.includes('a/b ü'), 'a deleted key was exported')
    const local = await call('GET', `/local?after=${'0'.repeat(64)}&until=${'0'.repeat(64)}&limit=1000`)
    assert.ok((JSON.parse(local.text) as { records: unknown[] }).records.length >= keys.length, 'each peer holds every key of a ring of three')
    for (const path of ['/local?after=zz&until=00', `/local?after=${'0'.repeat(64)}`, `/export?after=${'0'.repeat(63)}`, '/export?limit=0']) {
      const bad = await call('GET', path)
      assert.deepEqual([bad.status, JSON.parse(bad.text).code], [400, 'ERR_BAD_REQUEST'], path)
    }
  })

  it('serves the ring viewer and the ring walk it draws', async () => {
    for (const path of ['/', '/viewer']) {
      const page = await call('GET', path)
      assert.equal(page.status, 200)
      assert.equal(page.type, 'text/html; charset=utf-8')
      assert.match(page.headers.get('content-security-policy') ?? '', /script-src 'self'/)
      assert.match(page.text, /<script src="\/viewer\.js"><\/script>/)
    }
    const script = await call('GET', '/viewer.js')
    assert.equal(script.type, 'text/javascript; charset=utf-8')
    assert.doesNotThrow(() => new Script(script.text, { filename: 'viewer.js' }))
    const walk = JSON.parse((await call('GET', '/ring?peers=true')).text) as RingWalkJson
    assert.equal(walk.peer, peers[0].peerId.toString())
    assert.deepEqual(walk.peers.map(p => p.peer).sort(), peers.map(p => p.peerId.toString()).sort())
    assert.ok(walk.peers.every(p => p.ring?.joined === true && p.error === undefined), JSON.stringify(walk.peers))
    assert.equal(JSON.parse((await call('GET', '/ring')).text).peers, undefined)
  })
})
