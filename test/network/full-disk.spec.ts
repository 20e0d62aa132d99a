/**
 * A daemon whose data directory is a small tmpfs fills up inside a ring of
 * three (replicas 3): writes it must store fail with ERR_DISK_FULL (HTTP
 * 507, CLI exit 1 with one line), /health and /metrics say it cannot write,
 * it keeps serving reads and its ring position, quorum writes go on without
 * it, and once the filesystem is grown it takes writes again by itself, at
 * the daemon's default recovery interval, with no acknowledged write lost.
 */
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { api, emptyBootstrap, killAll, ringOf, runChord, settled, startDaemon, tempDir } from '../fixtures/daemons.ts'
import { parsePrometheus } from '../fixtures/prometheus.ts'
import { mountTmpfs, tmpfsAvailable } from '../fixtures/tmpfs.ts'
import { waitFor } from '../../harness/peers.ts'
import type { Daemon } from '../fixtures/daemons.ts'
import type { Tmpfs } from '../fixtures/tmpfs.ts'

const MiB = 1024 * 1024
const big = (i: number): string => String(i % 10).repeat(900 * 1024)

describe('a full disk under one daemon of a ring (tmpfs, real daemons)', function () {
  this.timeout(120_000)
  let tmp: Awaited<ReturnType<typeof tempDir>>
  let disk: Tmpfs | undefined
  let daemons: Daemon[] = []

  before(function () {
    if (!tmpfsAvailable()) {
      if (process.env.CI !== undefined) throw new Error('mounting a tmpfs needs root')
      this.skip()
    }
  })

  beforeEach(async () => { tmp = await tempDir('chord-full-') })

  afterEach(async () => {
    await killAll(daemons)
    daemons = []
    await disk?.remove()
    disk = undefined
    await tmp.remove()
  })

  it('refuses writes with ERR_DISK_FULL, serves reads, stays in the ring, and recovers when space returns', async () => {
    disk = await mountTmpfs(8 * MiB)
    const args = ['--replicas', '3']
    const a = await startDaemon({ dataDir: join(tmp.dir, 'a'), bootstrap: [await emptyBootstrap(tmp.dir)], args })
    const full = await startDaemon({ dataDir: join(disk.dir, 'data'), bootstrap: [a.addr], args })
    const c = await startDaemon({ dataDir: join(tmp.dir, 'c'), bootstrap: [a.addr], args })
    daemons = [a, full, c]
    await waitFor(async () => settled(daemons), 30_000, 'the ring to settle')

    // acknowledged writes: everything must still be there at the end
    const acked = new Map<string, string>()
    const put = async (key: string, value: string, consistency = 'ALL'): Promise<{ status: number, text: string }> => {
      const answer = await api(full, 'PUT', `/keys/${key}?consistency=${consistency}`, value)
      if (answer.status === 200) acked.set(key, value)
      return answer
    }
    for (let i = 0; i < 5; i++) assert.equal((await put(`small-${i}`, `value ${i}`)).status, 200)

    let refused: { status: number, text: string } | undefined
    for (let i = 0; i < 40 && refused === undefined; i++) {
      const answer = await put(`big-${i}`, big(i))
      if (answer.status !== 200) refused = answer
    }
    assert.ok(refused !== undefined, 'the disk never filled')
    assert.equal(refused.status, 507, refused.text)
    assert.equal((JSON.parse(refused.text) as { code: string }).code, 'ERR_DISK_FULL')

    // the CLI: exit 1, one line
    const cli = await runChord(['put', 'cli-key', 'cli value', '--consistency', 'ALL', '--api', `http://${full.api}`])
    assert.equal(cli.code, 1, cli.stderr)
    assert.match(cli.stderr, /^chord: .*disk/)
    assert.equal(cli.stderr.trimEnd().split('\n').length, 1, cli.stderr)

    // /health and /metrics say it; it is still a member
    const health = JSON.parse((await api(full, 'GET', '/health')).text) as { status: string, joined: boolean, writable: boolean, problem?: string }
    assert.deepEqual([health.status, health.joined, health.writable], ['degraded', true, false])
    assert.match(health.problem ?? '', /full/)
    const metrics = parsePrometheus((await api(full, 'GET', '/metrics')).text)
    assert.equal(metrics.samples.get('chord_store{measure="writable"}'), 0)
    assert.ok(metrics.samples.get('chord_store{measure="failed_writes"}')! > 0)

    // reads of what it holds go on, through it
    for (const [key, value] of acked) assert.equal((await api(full, 'GET', `/keys/${key}?consistency=ONE`)).text, value, key)

    // quorum writes go on without it, coordinated by it for longer than its clock's 10 s mark window
    // (the mark lives in a preallocated file), and it does not count as holding them
    const until = Date.now() + 12_000
    for (let i = 0; Date.now() < until; i++) {
      const answer = await put(`through-full-${i}`, `value ${i}`, 'QUORUM')
      assert.equal(answer.status, 200, answer.text)
    }
    assert.equal((await put('quorum-key', 'stored on the others', 'QUORUM')).status, 200)
    const lookup = JSON.parse((await api(a, 'GET', '/keys/quorum-key/lookup')).text) as { replicas: Array<{ peer: string, version?: unknown }> }
    assert.equal(lookup.replicas.find(r => r.peer === full.peer)?.version, undefined, 'the full peer counted as a replica that stored it')

    // it keeps its ring position while full
    await new Promise(resolve => setTimeout(resolve, 2000))
    assert.ok(await settled(daemons), 'the ring changed while the disk was full')
    assert.ok((await ringOf(a)).positions[0].successors.some(s => s.peer === full.peer))

    // space returns: writes are stored again, with no restart
    await disk.resize(64 * MiB)
    await waitFor(async () => (await put('after-recovery', 'stored again')).status === 200, 15_000, 'writes accepted again after the filesystem grew')
    const healed = JSON.parse((await api(full, 'GET', '/health')).text) as { status: string, writable: boolean }
    assert.deepEqual([healed.status, healed.writable], ['ok', true])
    assert.equal(full.proc.exitCode, null, 'the daemon exited')

    // no acknowledged write lost: all of them read with ALL, those from before the disk filled through every daemon
    for (const [key, value] of acked) assert.equal((await api(a, 'GET', `/keys/${key}?consistency=ALL`)).text, value, key)
    for (const d of [full, c]) {
      for (const [key, value] of acked) {
        if (!key.startsWith('through-full-')) assert.equal((await api(d, 'GET', `/keys/${key}?consistency=ALL`)).text, value, `${key} through ${d.peer}`)
      }
    }
    // the full one catches up by itself
    await waitFor(async () => {
      const again = JSON.parse((await api(a, 'GET', '/keys/quorum-key/lookup')).text) as { replicas: Array<{ peer: string, version?: unknown }> }
      return again.replicas.find(r => r.peer === full.peer)?.version !== undefined
    }, 15_000, 'the recovered peer to receive the write it missed')
  })
})
