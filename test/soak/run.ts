/**
 * Soak: steady load on a ring of peers for a bounded time, printing memory
 * and open handles as it goes, then whether they stayed flat, and what is
 * left once every peer stopped. Opt-in, not part of npm test:
 *
 *   npm run soak                       16 peers, 10 minutes
 *   npm run soak -- --minutes 2 --peers 16 --rate 200 --sample 20
 *
 * Runs with --expose-gc: memory is sampled after a full collection, so the
 * figures show what is retained, not what is waiting for the collector.
 * Exits 1 when the retained heap or the handles grew past the bounds below.
 */
import { parseArgs } from 'node:util'
import { pool } from '../fixtures/kv.ts'
import { seeded } from '../fixtures/random.ts'
import { startRing, stopAll, waitForIdealRing } from '../fixtures/ring.ts'
import type { Peer } from '../../harness/peers.ts'

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    peers: { type: 'string', default: '16' },
    rate: { type: 'string', default: '200' },
    keys: { type: 'string', default: '2000' },
    sample: { type: 'string', default: '30' },
    seed: { type: 'string', default: '1' }
  }
})
const minutes = Number(values.minutes)
const peerCount = Number(values.peers)
const rate = Number(values.rate)
const keySpace = Number(values.keys)
const sampleEvery = Number(values.sample) * 1000
const rand = seeded(Number(values.seed))
const MB = 1024 * 1024
const gc = (globalThis as { gc?: () => void }).gc
if (gc === undefined) console.log('(run with node --expose-gc for retained-heap figures: npm run soak does)')

interface Sample {
  at: number
  rss: number
  heap: number
  /** Buffers and other memory outside the V8 heap */
  external: number
  /** active resources by type, timers apart */
  handles: Record<string, number>
  timers: number
  connections: number
  streams: number
  ok: number
  failed: number
  keys: number
}

function countByType (): { handles: Record<string, number>, timers: number } {
  const handles: Record<string, number> = {}
  let timers = 0
  for (const type of process.getActiveResourcesInfo()) {
    if (type === 'Timeout') timers++
    else handles[type] = (handles[type] ?? 0) + 1
  }
  return { handles, timers }
}

const baseline = countByType()
const began = Date.now()
const peers: Peer[] = await startRing(peerCount, { init: () => ({ replicas: 3 }) })
await waitForIdealRing(peers, 400)
const keys = Array.from({ length: keySpace }, (_, i) => `soak-${i}`)
const value = 'x'.repeat(100)
await pool(keys, 32, async key => { await rand.pick(peers).services.chord.put(key, value) })
console.log(`${peerCount} peers, ${keySpace} keys written in ${((Date.now() - began) / 1000).toFixed(1)} s; ${rate} operations/s for ${minutes} min (60% reads, 30% writes, 10% deletes)`)

// the load: a fixed rate, at most 64 operations in flight (a slow ring sheds load instead of queueing it)
let ok = 0
let failed = 0
let inFlight = 0
const operation = async (): Promise<void> => {
  const peer = rand.pick(peers).services.chord
  const key = rand.pick(keys)
  const dice = rand()
  const signal = AbortSignal.timeout(10_000)
  try {
    if (dice < 0.6) await peer.get(key, { signal })
    else if (dice < 0.9) await peer.put(key, value, { signal })
    else await peer.delete(key, { signal })
    ok++
  } catch {
    failed++
  }
}
const tick = 20
const load = setInterval(() => {
  for (let i = 0; i < rate * tick / 1000 && inFlight < 64; i++) {
    inFlight++
    void operation().finally(() => { inFlight-- })
  }
}, tick)

const samples: Sample[] = []
const start = Date.now()
console.log('   min   rss MB  heap MB  ext MB  conns  streams  timers  handles                          ops ok/failed  keys held')
while (Date.now() - start < minutes * 60_000) {
  await new Promise(resolve => setTimeout(resolve, Math.min(sampleEvery, start + minutes * 60_000 - Date.now())))
  gc?.()
  const memory = process.memoryUsage()
  const connections = peers.flatMap(p => p.getConnections())
  const sample: Sample = {
    at: Date.now() - start,
    rss: memory.rss,
    heap: memory.heapUsed,
    external: memory.external,
    ...countByType(),
    connections: connections.length,
    streams: connections.reduce((n, c) => n + c.streams.length, 0),
    ok,
    failed,
    keys: peers.reduce((n, p) => n + p.services.chord.storeStats().keys + p.services.chord.storeStats().tombstones, 0)
  }
  samples.push(sample)
  ok = 0
  failed = 0
  const handles = Object.entries(sample.handles).map(([t, n]) => `${t} ${n}`).join(', ')
  console.log(`${(sample.at / 60_000).toFixed(1).padStart(6)}  ${(sample.rss / MB).toFixed(0).padStart(7)}  ${(sample.heap / MB).toFixed(1).padStart(7)}  ${(sample.external / MB).toFixed(1).padStart(6)}  ${String(sample.connections).padStart(5)}  ${String(sample.streams).padStart(7)}  ${String(sample.timers).padStart(6)}  ${handles.padEnd(32)} ${`${sample.ok}/${sample.failed}`.padStart(13)}  ${String(sample.keys).padStart(9)}`)
}
clearInterval(load)
while (inFlight > 0) await new Promise(resolve => setTimeout(resolve, 50))

// flat: after the first sample (warm-up), the retained heap and the handles stay within bounds
const warm = samples[Math.min(1, samples.length - 1)]
const last = samples.at(-1)!
const heapGrowth = (last.heap - warm.heap) / MB
const handleTotal = (s: Sample): number => Object.values(s.handles).reduce((a, b) => a + b, 0)
const maxHandles = Math.max(...samples.slice(1).map(handleTotal))
const problems: string[] = []
if (gc !== undefined && heapGrowth > Math.max(16, warm.heap / MB * 0.25)) problems.push(`retained heap grew ${heapGrowth.toFixed(1)} MB after the warm-up`)
if (maxHandles > handleTotal(warm) * 1.25 + 8) problems.push(`handles grew from ${handleTotal(warm)} to ${maxHandles}`)
if (last.streams > last.connections * 4) problems.push(`${last.streams} streams on ${last.connections} connections`)
console.log(`retained heap ${(warm.heap / MB).toFixed(1)} → ${(last.heap / MB).toFixed(1)} MB (${heapGrowth >= 0 ? '+' : ''}${heapGrowth.toFixed(1)}), rss ${(warm.rss / MB).toFixed(0)} → ${(last.rss / MB).toFixed(0)} MB, handles ${handleTotal(warm)} → ${handleTotal(last)} (max ${maxHandles}), timers ${warm.timers} → ${last.timers}`)

await stopAll(peers)
await new Promise(resolve => setTimeout(resolve, 500))
const after = countByType()
const left = Object.entries(after.handles).filter(([t, n]) => n > (baseline.handles[t] ?? 0)).map(([t, n]) => `${t} ${n - (baseline.handles[t] ?? 0)}`)
console.log(`after every peer stopped: ${left.length === 0 ? 'no handle left' : `left: ${left.join(', ')}`}, ${after.timers} timers (${baseline.timers} before the start)`)
if (left.length > 0) problems.push(`handles left after the stop: ${left.join(', ')}`)
console.log(problems.length === 0 ? 'flat: PASS' : `NOT FLAT: ${problems.join('; ')}`)
process.exitCode = problems.length === 0 ? 0 : 1
