/**
 * Real daemons started on damaged data directories: each stops at start with
 * exit code 2 and one line naming the file and the problem, never a crash,
 * an empty store or a new identity. `chord doctor` says the same of a
 * stopped daemon's directory; an older directory (format 0, before
 * chord.json) is upgraded and keeps its keys.
 */
import assert from 'node:assert/strict'
import { cp, readdir, readFile, rm, truncate, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { LevelDatastore } from 'datastore-level'
import { Key } from 'interface-datastore'
import { api, emptyBootstrap, killAll, runChord, startDaemon, tempDir } from '../fixtures/daemons.ts'
import { mountTmpfs, tmpfsAvailable } from '../fixtures/tmpfs.ts'
import type { CliResult, Daemon } from '../fixtures/daemons.ts'

const KEYS = ['alpha', 'beta', 'gamma']

describe('daemons on damaged data directories (real processes)', function () {
  this.timeout(60_000)
  let tmp: Awaited<ReturnType<typeof tempDir>>
  let bootstrap: string
  /** a healthy directory of a stopped daemon that stored KEYS */
  let pristine: string
  let daemon: Daemon | undefined

  before(async () => {
    tmp = await tempDir('chord-datadir-')
    bootstrap = await emptyBootstrap(tmp.dir)
    pristine = join(tmp.dir, 'pristine')
    const d = await startDaemon({ dataDir: pristine, bootstrap: [bootstrap] })
    for (const key of KEYS) assert.equal((await api(d, 'PUT', `/keys/${key}`, `value of ${key}`)).status, 200)
    d.proc.kill('SIGTERM')
    assert.equal((await d.exited).code, 0)
  })

  afterEach(async () => {
    await killAll([daemon])
    daemon = undefined
  })

  after(async () => { await tmp.remove() })

  /** a copy of the pristine directory, damaged by `damage` */
  async function damaged (name: string, damage: (dir: string) => Promise<void>): Promise<string> {
    const dir = join(tmp.dir, name)
    await cp(pristine, dir, { recursive: true })
    await damage(dir)
    return dir
  }

  async function startOn (dir: string, extra: string[] = []): Promise<CliResult> {
    return runChord(['daemon', '--listen', '/ip4/127.0.0.1/tcp/0', '--api', '127.0.0.1:0', '--no-mdns', '--data', dir, '--bootstrap', bootstrap, ...extra], { timeout: 20_000 })
  }

  function assertRefused (result: CliResult, file: string, problem: RegExp): void {
    assert.equal(result.code, 2, `exit code ${result.code}, stderr: ${result.stderr}`)
    const lines = result.stderr.trimEnd().split('\n')
    assert.equal(lines.length, 1, `more than one line:\n${result.stderr}`)
    assert.ok(lines[0].startsWith('chord: '), lines[0])
    assert.ok(lines[0].includes(file), `${lines[0]} does not name ${file}`)
    assert.match(lines[0], problem)
  }

  it('a truncated LevelDB directory: its MANIFEST cut short', async () => {
    const dir = await damaged('truncated-manifest', async d => {
      const manifest = (await readdir(join(d, 'datastore'))).find(f => f.startsWith('MANIFEST-'))!
      await truncate(join(d, 'datastore', manifest), 10)
    })
    assertRefused(await startOn(dir), join(dir, 'datastore'), /Corruption/)
  })

  it('a truncated LevelDB directory: its CURRENT file gone (LevelDB would start an empty store)', async () => {
    const dir = await damaged('no-current', async d => { await rm(join(d, 'datastore', 'CURRENT')) })
    assertRefused(await startOn(dir), join(dir, 'datastore'), /does not exist|gone/)
  })

  it('a corrupted record; chord doctor names it', async () => {
    const dir = await damaged('corrupt-record', async d => {
      const store = new LevelDatastore(join(d, 'datastore'))
      await store.open()
      let path: Key | undefined
      for await (const key of store.queryKeys({ prefix: '/chord/kv/' })) path ??= key
      await store.put(path!, new Uint8Array([0xff, 0xff, 0xff, 0x01, 0x02]))
      await store.close()
    })
    assertRefused(await startOn(dir), join(dir, 'datastore'), /corrupt.*chord doctor/)
    const doctor = await runChord(['doctor', '--data', dir])
    assert.equal(doctor.code, 1, doctor.stdout + doctor.stderr)
    assert.match(doctor.stdout, /^FAIL {2}records +1 damaged \(2 keys/m)
    assert.match(doctor.stdout, /damaged \(see FAIL above\)/)
  })

  it('a damaged peer.key, and a missing one next to data', async () => {
    const cut = await damaged('damaged-key', async d => { await truncate(join(d, 'peer.key'), 5) })
    assertRefused(await startOn(cut), join(cut, 'peer.key'), /damaged, not a libp2p private key/)
    const gone = await damaged('missing-key', async d => { await rm(join(d, 'peer.key')) })
    assertRefused(await startOn(gone), join(gone, 'peer.key'), /missing, yet .* holds a peer's data/)
  })

  it('a directory of another ring (a private ring) and of a newer format', async () => {
    const other = await damaged('other-ring', async () => {})
    const psk = join(tmp.dir, 'swarm.key')
    assert.equal((await runChord(['psk', psk])).code, 0)
    assertRefused(await startOn(other, ['--psk', psk]), join(other, 'chord.json'), /belongs to another ring \(a public ring/)

    const newer = await damaged('newer-format', async d => {
      const meta = JSON.parse(await readFile(join(d, 'chord.json'), 'utf8')) as { format: number }
      await writeFile(join(d, 'chord.json'), JSON.stringify({ ...meta, format: 99 }))
    })
    assertRefused(await startOn(newer), join(newer, 'chord.json'), /format 99 was written by a newer chord/)
  })

  it('a read-only filesystem (tmpfs; needs root)', async function () {
    if (!tmpfsAvailable()) this.skip()
    const fs = await mountTmpfs(16 * 1024 * 1024)
    try {
      const dir = join(fs.dir, 'data')
      await cp(pristine, dir, { recursive: true })
      await fs.remount('ro')
      assertRefused(await startOn(dir), join(dir, 'datastore'), /Read-only file system/)
    } finally {
      await fs.remove()
    }
  })

  it('the healthy directory passes chord doctor; a format-0 directory is upgraded, keeps its keys, and is not shared', async () => {
    const doctor = await runChord(['doctor', '--data', pristine])
    assert.equal(doctor.code, 0, doctor.stdout + doctor.stderr)
    assert.match(doctor.stdout, /^ok {4}records +3 keys, 0 tombstones/m)

    const old = await damaged('format-0', async d => { await rm(join(d, 'chord.json')) })
    daemon = await startDaemon({ dataDir: old, bootstrap: [bootstrap] })
    for (const key of KEYS) assert.equal((await api(daemon, 'GET', `/keys/${key}`)).text, `value of ${key}`)
    const meta = JSON.parse(await readFile(join(old, 'chord.json'), 'utf8')) as { format: number, peer: string }
    assert.equal(meta.format, 1)
    assert.equal(meta.peer, daemon.peer)
    // a second daemon on the same directory
    assertRefused(await startOn(old), join(old, 'datastore'), /in use by another running peer/)
  })
})
