/**
 * `chord import` and `chord export` against real daemon processes, and the
 * daemons' GET /metrics read as Prometheus text: a file of text, binary and
 * expiring records goes in, the export gives back exactly those keys, and
 * imported into a ring of its own it exports the same again.
 */
import assert from 'node:assert/strict'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { api, emptyBootstrap, killAll, runChord, settled, startDaemon, tempDir } from '../fixtures/daemons.ts'
import { waitFor } from '../../harness/peers.ts'
import { assertRingOrder } from '../fixtures/ring-order.ts'
import { parsePrometheus, total } from '../fixtures/prometheus.ts'
import type { Daemon } from '../fixtures/daemons.ts'
import type { RecordLine } from '../../src/api/index.ts'

const COUNT = 600

/** text, unicode, binary (base64) values and keys, a leading BOM, an empty value, expiring records */
function records (): RecordLine[] {
  const out: RecordLine[] = []
  for (let i = 0; i < COUNT; i++) {
    switch (i % 6) {
      case 0: out.push({ key: `text ${i}`, value: `value ${i}` }); break
      case 1: out.push({ key: `ünïcode/${i} ✓`, value: `välue ${i} ✓`.repeat(i % 5 + 1) }); break
      case 2: out.push({ key: `binary ${i}`, value: Buffer.from([0, 255, i % 256, 0xc3]).toString('base64'), encoding: 'base64' }); break
      case 3: out.push({ key: Buffer.from([0xff, 0xfe, i >> 8, i & 255]).toString('base64'), keyEncoding: 'base64', value: `binary key ${i}` }); break
      case 4: out.push({ key: `bom ${i}`, value: '\ufeffstarts with a byte order mark' }); break
      default: out.push({ key: `expiring ${i}`, value: i % 12 === 5 ? '' : `for a while ${i}`, ttl: 3_600_000 })
    }
  }
  return out
}

/** a record as export writes it, without the ttl (it counts down) */
const identity = (r: RecordLine): string => JSON.stringify([r.key, r.keyEncoding ?? 'utf8', r.value, r.encoding ?? 'utf8', r.ttl !== undefined])

function parseExport (stdout: string): RecordLine[] {
  return stdout.split('\n').filter(l => l !== '').map(l => JSON.parse(l) as RecordLine)
}

describe('chord import and export, /metrics (real daemons)', function () {
  this.timeout(90_000)
  let tmp: Awaited<ReturnType<typeof tempDir>>
  const ring: Daemon[] = []
  let other: Daemon
  const all = (): Daemon[] => [...ring, ...(other === undefined ? [] : [other])]
  const input = records()
  let file: string
  let exported: RecordLine[]

  before(async () => {
    tmp = await tempDir()
    const empty = await emptyBootstrap(tmp.dir)
    const [first, alone] = await Promise.all([
      startDaemon({ dataDir: join(tmp.dir, 'a0'), bootstrap: [empty] }),
      startDaemon({ dataDir: join(tmp.dir, 'b0'), bootstrap: [empty] })
    ])
    ring.push(first)
    other = alone
    ring.push(...await Promise.all([1, 2].map(async i => startDaemon({ dataDir: join(tmp.dir, `a${i}`), bootstrap: [first.addr] }))))
    await waitFor(async () => settled(ring), 30_000, 'a ring of three')
    file = join(tmp.dir, 'records.jsonl')
    // blank lines and CRLF endings are fine
    await writeFile(file, '\n' + input.map((r, i) => JSON.stringify(r) + (i % 50 === 0 ? '\r\n' : '\n')).join('') + '\n')
  })
  after(async () => {
    await killAll(all())
    await tmp?.remove()
  })

  it('imports a JSON lines file in batches, with progress when asked', async () => {
    const started = Date.now()
    const result = await runChord(['import', file, '--api', ring[0].api, '--batch', '100', '--progress'], { timeout: 60_000 })
    assert.equal(result.code, 0, result.stderr)
    assert.match(result.stdout, new RegExp(`^imported ${COUNT} records \\(\\d+\\.\\d KiB\\) in \\d+\\.\\d s\\n$`))
    // --progress off a terminal: plain lines, the last one complete
    const lines = result.stderr.trim().split('\n')
    assert.match(lines.at(-1)!, new RegExp(`^importing: ${COUNT} of ${COUNT} records \\(100%\\), .* records/s$`))
    assert.ok(lines.every(l => l.startsWith('importing: ')), result.stderr)
    console.log(`      imported ${COUNT} records through the CLI in ${Date.now() - started} ms`)

    // read back through another daemon
    assert.equal((await api(ring[2], 'GET', `/keys/${encodeURIComponent('ünïcode/7 ✓')}`)).text, 'välue 7 ✓'.repeat(3))
    const binary = await fetch(`http://${ring[1].api}/keys/${encodeURIComponent('binary 8')}`)
    assert.deepEqual(new Uint8Array(await binary.arrayBuffer()), new Uint8Array([0, 255, 8, 0xc3]))
    const quiet = await runChord(['import', file, '--api', ring[1].api, '--json'], { timeout: 60_000 })
    assert.equal(quiet.code, 0, quiet.stderr)
    assert.equal(quiet.stderr, '', 'no progress off a terminal unless asked')
    assert.deepEqual([JSON.parse(quiet.stdout).stored, JSON.parse(quiet.stdout).failed], [COUNT, []])
  })

  it('exports every key once, in ring order, from any daemon and over --peer', async () => {
    const result = await runChord(['export', '--api', ring[2].api, '--page', '50', '--progress'], { timeout: 60_000 })
    assert.equal(result.code, 0, result.stderr)
    exported = parseExport(result.stdout)
    assert.equal(exported.length, COUNT)
    assert.deepEqual(exported.map(identity).sort(), input.map(identity).sort())
    assertRingOrder(exported)
    assert.ok(exported.filter(r => r.ttl !== undefined).every(r => r.ttl! > 3_000_000 && r.ttl! <= 3_600_000))
    assert.match(result.stderr, /^exporting: 100% of the ring, 600 keys, /m)
    assert.match(result.stderr, /^exported 600 keys \(\d+\.\d KiB\) in \d+\.\d s$/m)

    // deleted keys are left out
    assert.equal((await api(ring[0], 'DELETE', `/keys/${encodeURIComponent('text 0')}`)).status, 200)
    const viaPeer = await runChord(['export', '--peer', ring[1].addr], { timeout: 60_000 })
    assert.equal(viaPeer.code, 0, viaPeer.stderr)
    assert.equal(viaPeer.stderr, '')
    const again = parseExport(viaPeer.stdout)
    assert.equal(again.length, COUNT - 1)
    assertRingOrder(again, 'the export over --peer')
    assert.ok(!again.some(r => r.key === 'text 0'))
  })

  it('an export imported into another ring exports the same', async () => {
    const dump = join(tmp.dir, 'export.jsonl')
    await writeFile(dump, exported.map(r => JSON.stringify(r)).join('\n') + '\n')
    const imported = await runChord(['import', dump, '--api', other.api], { timeout: 60_000 })
    assert.equal(imported.code, 0, imported.stderr)
    const back = await runChord(['export', '--api', other.api], { timeout: 60_000 })
    assert.equal(back.code, 0, back.stderr)
    // the same records in the same (ring) order
    assert.deepEqual(parseExport(back.stdout).map(identity), exported.map(identity))
  })

  it('a malformed line stops the import before anything is stored', async () => {
    const bad = join(tmp.dir, 'bad.jsonl')
    await writeFile(bad, '{"key": "never stored", "value": "x"}\n\n{"key": "k", "value": 5}\n')
    const result = await runChord(['import', bad, '--api', ring[0].api])
    assert.equal(result.code, 2)
    assert.equal(result.stderr, `chord: ${bad}:3: "value" must be a string\n`)
    assert.equal((await api(ring[1], 'GET', '/keys/never%20stored')).status, 404)
    const notBase64 = join(tmp.dir, 'bad64.jsonl')
    await writeFile(notBase64, '{"key": "k", "value": "???", "encoding": "base64"}\n')
    const second = await runChord(['import', notBase64, '--api', ring[0].api])
    assert.deepEqual([second.code, second.stderr], [2, `chord: ${notBase64}:1: "value" is not base64\n`])
  })

  it('serves /metrics as Prometheus text whose counters move with traffic', async () => {
    const scrape = async (d: Daemon): Promise<ReturnType<typeof parsePrometheus>> => {
      const response = await fetch(`http://${d.api}/metrics`)
      assert.match(response.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/)
      return parsePrometheus(await response.text())
    }
    const before = await scrape(ring[0])
    for (const [name, type] of [
      ['chord_lookups_total', 'counter'], ['chord_lookup_hops', 'histogram'], ['chord_owner_checks_total', 'counter'], ['chord_rpc_requests_total', 'counter'],
      ['chord_rpc_errors_total', 'counter'], ['chord_rpc_duration_seconds', 'histogram'], ['chord_rpc_served_total', 'counter'],
      ['chord_operations_total', 'counter'], ['chord_operation_duration_seconds', 'histogram'], ['chord_store', 'gauge'],
      ['chord_ring_changes_total', 'counter'], ['libp2p_data_transfer_bytes_total', 'counter']
    ]) assert.equal(before.families.get(name)?.type, type, `${name} is not a ${type}`)
    // every peer holds every key of a ring of three (one of them deleted since: a tombstone)
    assert.ok(before.samples.get('chord_store{measure="keys"}')! >= COUNT - 1, 'stored keys')
    assert.ok(before.samples.get('chord_store{measure="bytes"}')! > 0, 'stored bytes')
    assert.ok(total(before, 'chord_ring_changes_total') > 0, 'ring changes')

    const body = Array.from({ length: 50 }, (_, i) => JSON.stringify({ key: `metric ${i}`, value: 'v' })).join('\n')
    assert.equal((await api(ring[0], 'POST', '/keys', body)).status, 200)
    for (let i = 0; i < 10; i++) assert.equal((await api(ring[0], 'GET', `/keys/metric%20${i}`)).status, 200)
    for (let i = 0; i < 3; i++) assert.equal((await api(ring[0], 'GET', `/keys/metric%20${i}/lookup`)).status, 200)
    // a lookup asks every replica what it holds: in a ring of three that includes the scraped peer
    assert.equal((await api(ring[1], 'GET', '/keys/metric%200/lookup')).status, 200)
    const after = await scrape(ring[0])
    const grew = (key: string): boolean => (after.samples.get(key) ?? 0) > (before.samples.get(key) ?? 0)
    // operations go straight to the replicas the peer knows, the owner confirming: no lookup needed in a ring this small
    for (const key of ['chord_operations_total{operation="put_ok"}', 'chord_operations_total{operation="get_ok"}', 'chord_owner_checks_total{outcome="confirmed"}', 'chord_lookups_total{outcome="ok"}',
      'chord_rpc_requests_total{method="store"}', 'chord_rpc_requests_total{method="fetch"}', 'chord_lookup_hops_count', 'chord_rpc_served_total']) {
      assert.ok(grew(key), `${key} did not grow`)
    }

    // a peer joining a ring that holds data pulls its share, and counts it
    const joiner = await startDaemon({ dataDir: join(tmp.dir, 'a3'), bootstrap: [ring[0].addr] })
    ring.push(joiner)
    await waitFor(async () => total(await scrape(joiner), 'chord_transfer_records_total') > 0, 30_000, 'the joiner to pull records')
    const moved = await scrape(joiner)
    assert.ok(total(moved, 'chord_transfer_bytes_total') > 0)
    assert.ok((moved.samples.get('chord_transfer_records_total{kind="sync_pull"}') ?? 0) > 0, 'sync pulls counted')
  })
})
