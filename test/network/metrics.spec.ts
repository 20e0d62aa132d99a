/**
 * The service's metrics through libp2p's metrics interface, read back as
 * Prometheus text: the counters exist and move with traffic.
 */
import assert from 'node:assert/strict'
import { Registry } from 'prom-client'
import { createChordNode } from '../../src/node.ts'
import { FAST } from '../../harness/peers.ts'
import { parsePrometheus } from '../fixtures/prometheus.ts'
import { stopAll, waitForIdealRing } from '../fixtures/ring.ts'
import type { Peer } from '../../harness/peers.ts'

/** the samples of Prometheus text, checked strictly (test/fixtures/prometheus.ts) */
function parse (text: string): Map<string, number> {
  return parsePrometheus(text).samples
}

describe('metrics', function () {
  this.timeout(60_000)
  let peers: Peer[] = []
  afterEach(async () => { await stopAll(peers); peers = [] })

  it('counts lookups, requests, operations and stored keys, in Prometheus text', async () => {
    const registry = new Registry()
    const first = await createChordNode({ muxers: ['mplex'], inboundConnectionThreshold: Infinity, metricsRegistry: registry, chord: FAST })
    peers = [first]
    for (let i = 0; i < 3; i++) {
      peers.push(await createChordNode({ muxers: ['mplex'], inboundConnectionThreshold: Infinity, chord: { ...FAST, bootstrap: [first.getMultiaddrs()[0].toString()] } }))
    }
    await waitForIdealRing(peers, 200)
    const before = parse(await registry.metrics())
    for (let i = 0; i < 20; i++) await first.services.chord.put(`metric-${i}`, 'v')
    for (let i = 0; i < 20; i++) await first.services.chord.get(`metric-${i}`)
    for (let i = 0; i < 5; i++) await first.services.chord.lookup(`metric-${i}`)
    // reads coordinated elsewhere ask `first` too (it holds about three quarters of the keys): requests it serves,
    // whatever the maintenance traffic in this short window
    for (let i = 0; i < 20; i++) await peers[1].services.chord.get(`metric-${i}`)
    const after = parse(await registry.metrics())
    const grew = (name: string): boolean => (after.get(name) ?? 0) > (before.get(name) ?? 0)
    assert.ok(grew('chord_operations_total{operation="put_ok"}'), 'puts not counted')
    assert.ok(grew('chord_operations_total{operation="get_ok"}'), 'gets not counted')
    assert.ok(grew('chord_lookups_total{outcome="ok"}'), 'lookups not counted')
    assert.ok(grew('chord_owner_checks_total{outcome="confirmed"}'), 'operations sent straight to their owner not counted')
    assert.ok(grew('chord_rpc_requests_total{method="store"}'), 'store requests not counted')
    assert.ok(grew('chord_rpc_served_total'), 'served requests not counted')
    assert.ok((after.get('chord_store{measure="keys"}') ?? 0) > 0, 'stored keys not reported')
    assert.ok([...after.keys()].some(k => k.startsWith('chord_operation_duration_seconds_bucket')), 'no latency histogram')
    assert.ok([...after.keys()].some(k => k.startsWith('libp2p_')), 'libp2p metrics missing')
  })
})
