/**
 * The simulator (sim/): virtual time, the in-memory network, and the ring
 * code driven over them at N = 64. If these hold, the paper tables that
 * `npm run sim` prints are measurements of the real ring code.
 */
import assert from 'node:assert/strict'
import { grow } from '../../sim/build.ts'
import { Cluster } from '../../sim/cluster.ts'
import { lookupBatch, tally } from '../../sim/lookups.ts'
import { Scheduler } from '../../sim/scheduler.ts'
import { successorRings } from '../../sim/truth.ts'
import { failures } from '../../sim/experiments/failures.ts'
import { partition } from '../../sim/experiments/partition.ts'
import { mean } from '../../sim/stats.ts'
import type { NodeRef } from '../../src/ring/types.ts'

describe('simulator', function () {
  this.timeout(30_000)

  it('runs timers in virtual time and lets promise chains finish between events', async () => {
    const clock = new Scheduler()
    const seen: string[] = []
    const sleep = async (ms: number): Promise<void> => { await new Promise<void>(resolve => { clock.setTimeout(resolve, ms) }) }
    const chain = async (name: string, steps: number[]): Promise<void> => {
      for (const ms of steps) {
        await sleep(ms)
        seen.push(`${name}@${clock.now()}`)
      }
    }
    const cancelled = clock.setTimeout(() => { seen.push('cancelled') }, 5)
    clock.clearTimeout(cancelled)
    const done = Promise.all([chain('a', [10, 10, 10]), chain('b', [15, 15])])
    await clock.settle(done)
    // at the same instant, timers fire in the order they were set (b's at 15, a's at 20)
    assert.deepEqual(seen, ['a@10', 'b@15', 'a@20', 'b@30', 'a@30'])
    assert.equal(clock.now(), 30)
  })

  it('builds a 64-peer ring that converges, looks up correctly in about ½·log2 N hops', async () => {
    const n = 64
    const cluster = new Cluster({ seed: 7, r: 8 })
    const steps = await grow(cluster, n)
    assert.equal(cluster.members().length, n)
    assert.deepEqual(cluster.truth().problems(8, { fingers: true }), [], 'ring and fingers ideal')
    assert.ok(steps[0].stabilizeRounds < 100, `converged in ${steps[0].stabilizeRounds} rounds`)

    const outcomes = await lookupBatch(cluster, 1000)
    const t = tally(outcomes)
    assert.equal(t.ok, 1000, `every lookup names the true successor: ${JSON.stringify(t)}`)
    const hops = mean(outcomes.map(o => o.hops))
    const half = 0.5 * Math.log2(n)
    // successor lists of r = 8 save the last steps, so a little under ½·log2 N
    assert.ok(hops > half - 1.2 && hops < half + 0.5, `mean hops ${hops.toFixed(2)}, ½·log2 N = ${half}`)
  })

  it('is reproducible: the same seed gives the same run', async () => {
    const run = async (): Promise<string> => {
      const cluster = new Cluster({ seed: 3, r: 4 })
      await grow(cluster, 32)
      const outcomes = await lookupBatch(cluster, 200)
      return JSON.stringify([cluster.scheduler.now(), cluster.scheduler.processed, outcomes])
    }
    assert.equal(await run(), await run())
  })

  it('heals after a quarter of the peers crash, with maintenance on its own timers', async () => {
    const n = 64
    const r = 12
    const cluster = new Cluster({ seed: 11, r })
    await grow(cluster, n)
    for (const peer of cluster.workload.sample(cluster.members(), n / 4)) cluster.crash(peer)
    for (const peer of cluster.members()) cluster.startMaintenance(peer)
    await cluster.scheduler.advance(30_000)
    for (const peer of cluster.members()) peer.stop()
    assert.deepEqual(cluster.truth().problems(r, { fingers: true }), [], 'ideal again')
    const t = tally(await lookupBatch(cluster, 500))
    assert.equal(t.ok, 500, JSON.stringify(t))
  })

  // regression: when the key's predecessor had crashed, the lookup walked
  // backwards through every earlier member until it gave up, instead of
  // asking the closest member that answered for its successor list
  it('right after half the peers crash, lookups name a live or crashed successor and never give up', async () => {
    const [row] = await failures({ seed: 3, n: 64, r: 12, fractions: [0.5], lookups: 400 })
    const [now, round] = row.phases
    assert.equal(now.tally.failed, 0, `lookups threw: ${JSON.stringify(now.tally)}`)
    assert.equal(now.tally.wrong, 0, `lookups named a live wrong owner: ${JSON.stringify(now.tally)}`)
    assert.ok(now.hops.p99 <= 12, `hops p99 ${now.hops.p99}`)
    assert.equal(round.tally.ok, round.tally.lookups, `after one round: ${JSON.stringify(round.tally)}`)
  })

  it('partitions the network: requests across the cut time out, in flight answers are lost, a heal restores it', async () => {
    // a fixed 20 ms each way: a request arrives at +20, its answer at +40
    const cluster = new Cluster({ seed: 5, r: 4, network: { minLatency: 20, maxLatency: 20 } })
    await grow(cluster, 8)
    const { scheduler, network } = cluster
    assert.deepEqual(successorRings(cluster.members()), { sizes: [8], off: 0 })
    const [a, b, c] = cluster.members()
    const rpc = network.endpoint(a.peer)
    const to = (peer: typeof a): NodeRef => peer.nodes[0].self
    network.partition([[a.peer, c.peer], [b.peer]])
    const started = scheduler.now()
    await assert.rejects(scheduler.settle(rpc.ping(to(b))), /timed out/)
    assert.equal(scheduler.now() - started, network.options.requestTimeout, 'fails after the request timeout')
    await scheduler.settle(rpc.ping(to(c)))
    // an answer on its way when the cut comes is lost: the asker waits for its timeout
    const asked = scheduler.now()
    const inFlight = rpc.getSuccessorList(to(c))
    await scheduler.run(() => false, asked + 30)
    network.partition([[a.peer], [c.peer]])
    await assert.rejects(scheduler.settle(inFlight), /timed out/)
    assert.equal(scheduler.now() - asked, network.options.requestTimeout)
    assert.ok(network.cut.ping >= 1 && network.cut.getSuccessorList === 1, JSON.stringify(network.cut))
    network.heal()
    await scheduler.settle(rpc.ping(to(b)))
  })

  it('after a partition into halves heals, the halves become one ideal ring again', async () => {
    const row = await partition({ seed: 1, n: 64, r: 8, case: 'halves', splitMs: 60_000, deadlineMs: 120_000 })
    assert.deepEqual(row.parts, [32, 32])
    assert.ok(row.partsIdealMs !== null, `each half an ideal ring of its own within the split: ${row.ringsPerPartAtHeal.join(' / ')} rings per half`)
    const found = `${row.ringsAtEnd.length} rings (${row.ringsAtEnd.join(' + ')} members)${row.offRing > 0 ? `, ${row.offRing} off a ring` : ''}`
    assert.ok(row.mergedMs !== null, `not one ideal ring ${row.deadlineMs / 1000} s after the heal: ${found}`)
    assert.deepEqual(row.ringsAtEnd, [64])
  })
})
