/**
 * Real daemon processes started with the CLI on 127.0.0.1, driven through
 * their HTTP API and the client commands: one ring of five, a graceful
 * leave, a crash, a restart on a data directory, a private ring, and the
 * errors a user can run into.
 */
import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { spawn } from 'node:child_process'
import { createServer } from 'node:net'
import { ROOT, api, emptyBootstrap, killAll, ringOf, runChord, settled, startDaemon, tempDir } from '../fixtures/daemons.ts'
import { waitFor } from '../../harness/peers.ts'
import type { Daemon } from '../fixtures/daemons.ts'
import type { StatsJson } from '../../src/api/index.ts'
import type { AddressInfo } from 'node:net'

/** a port nothing listens on (just freed) */
async function closedPort (): Promise<number> {
  const server = createServer()
  await new Promise<void>(resolve => { server.listen(0, '127.0.0.1', resolve) })
  const { port } = server.address() as AddressInfo
  await new Promise(resolve => server.close(resolve))
  return port
}

const oneLine = (text: string): void => { assert.equal(text.trim().split('\n').length, 1, `expected one line on stderr, got:\n${text}`) }

async function copies (daemon: Daemon): Promise<{ peers: number, keys: number }> {
  const stats = JSON.parse((await api(daemon, 'GET', '/stats?peers=true')).text) as StatsJson
  const peers = stats.peers ?? []
  return { peers: peers.filter(p => p.store !== undefined).length, keys: peers.reduce((sum, p) => sum + (p.store?.keys ?? 0), 0) }
}

async function readAll (daemon: Daemon, keys: string[]): Promise<string[]> {
  const wrong: string[] = []
  for (const key of keys) {
    const { status, text } = await api(daemon, 'GET', `/keys/${encodeURIComponent(key)}`)
    if (status !== 200 || text !== `value of ${key}`) wrong.push(`${key}: ${status} ${text}`)
  }
  return wrong
}

describe('chord daemons and client commands (real processes)', function () {
  this.timeout(60_000)
  let tmp: Awaited<ReturnType<typeof tempDir>>
  const daemons: Daemon[] = []
  const keys = Array.from({ length: 40 }, (_, i) => `key ${i}/ü`)
  const later = Array.from({ length: 10 }, (_, i) => `written while down ${i}`)

  before(async () => { tmp = await tempDir() })
  after(async () => {
    await killAll(daemons)
    await tmp?.remove()
  })

  it('five daemons started with the CLI join one ring', async () => {
    const first = await startDaemon({ dataDir: join(tmp.dir, 'd0'), bootstrap: [await emptyBootstrap(tmp.dir)] })
    daemons.push(first)
    daemons.push(...await Promise.all([1, 2, 3, 4].map(async i => startDaemon({ dataDir: join(tmp.dir, `d${i}`), bootstrap: [first.addr] }))))
    await waitFor(async () => settled(daemons), 30_000, 'a ring of five ordered by id')
    assert.match(first.output(), /started a new ring/)
    // a joiner reports once it checked, a stabilize round later, that no peer joining at the same moment crowds its position
    const joined = /joined the ring through \/ip4\/127\.0\.0\.1/
    await waitFor(() => daemons.slice(1).every(d => joined.test(d.output())), 10_000, () => `not every daemon reported its join:\n${daemons.map(d => d.output()).join('\n')}`)

    const ring = await runChord(['ring', '--json', '--api', daemons[2].api])
    assert.equal(ring.code, 0, ring.stderr)
    assert.equal(JSON.parse(ring.stdout).positions[0].successors.length, 4)
    const human = await runChord(['ring', '--api', daemons[2].api])
    assert.match(human.stdout, /^peer +\S+ \(ring member\)/)
    assert.equal((await api(daemons[3], 'GET', '/health')).status, 200)
  })

  it('a daemon whose data directory (exit 2) or API port (exit 1) is taken says so', async () => {
    const base = ['daemon', '--listen', '/ip4/127.0.0.1/tcp/0', '--no-mdns', '--bootstrap', daemons[0].addr]
    const results = await Promise.all([
      runChord([...base, '--data', daemons[0].dataDir, '--api', '127.0.0.1:0']),
      runChord([...base, '--data', join(tmp.dir, 'spare'), '--api', daemons[0].api])
    ])
    assert.deepEqual(results.map(r => r.code), [2, 1], results.map(r => r.stderr).join(''))
    for (const result of results) oneLine(result.stderr)
    assert.match(results[0].stderr, /^chord: .*d0\/datastore: in use by another running peer$/m)
    assert.match(results[1].stderr, new RegExp(`^chord: cannot serve the API on ${daemons[0].api.replace(/\./g, '\\.')}: EADDRINUSE \\(use --api HOST:PORT or --no-api\\)`))
  })

  it('keys put through one daemon are read through the others, via the API and via --peer', async () => {
    const [d0, d1, d2, d3, d4] = daemons
    // the three ways to give a value
    const fromArg = await runChord(['put', 'cli-arg', 'from an argument', '--api', d0.api])
    assert.deepEqual([fromArg.code, fromArg.stdout], [0, 'stored "cli-arg"\n'], fromArg.stderr)
    const fromStdin = await runChord(['put', 'cli-stdin', '--api', d1.api], { input: 'from stdin\n' })
    assert.equal(fromStdin.code, 0, fromStdin.stderr)
    const file = join(tmp.dir, 'value.bin')
    await writeFile(file, new Uint8Array([0, 1, 2, 255]))
    const fromFile = await runChord(['put', 'cli-file', '--file', file, '--json', '--peer', d2.addr])
    assert.equal(fromFile.code, 0, fromFile.stderr)
    assert.equal(JSON.parse(fromFile.stdout).key, 'cli-file')

    for (const key of keys) assert.equal((await api(d0, 'PUT', `/keys/${encodeURIComponent(key)}`, `value of ${key}`)).status, 200)
    for (const d of [d1, d2, d3, d4]) assert.deepEqual(await readAll(d, keys), [], `read through ${d.peer}`)
    // the three given on the command line, read as bytes through every other daemon's API
    const given = [
      { key: 'cli-arg', through: d0, value: new TextEncoder().encode('from an argument') },
      { key: 'cli-stdin', through: d1, value: new TextEncoder().encode('from stdin\n') },
      { key: 'cli-file', through: d2, value: new Uint8Array([0, 1, 2, 255]) }
    ]
    for (const { key, through, value } of given) {
      for (const d of daemons.filter(other => other !== through)) {
        const response = await fetch(`http://${d.api}/keys/${key}`, { signal: AbortSignal.timeout(20_000) })
        assert.deepEqual([response.status, new Uint8Array(await response.arrayBuffer())], [200, value], `${key} read through ${d.peer}`)
      }
    }

    // the client commands, through the API and through a peer over libp2p
    const viaApi = await runChord(['get', 'cli-stdin', '--api', d3.api])
    assert.deepEqual([viaApi.code, viaApi.stdout], [0, 'from stdin\n'], viaApi.stderr)
    const viaPeer = await runChord(['get', keys[7], '--peer', d4.addr])
    assert.deepEqual([viaPeer.code, viaPeer.stdout], [0, `value of ${keys[7]}`], viaPeer.stderr)
    const binary = await runChord(['get', 'cli-file', '--json', '--peer', d1.addr])
    assert.deepEqual(JSON.parse(binary.stdout), { key: 'cli-file', value: 'AAEC/w==', encoding: 'base64' })
    const text = await runChord(['get', 'cli-arg', '--json', '--api', d4.api])
    assert.deepEqual(JSON.parse(text.stdout), { key: 'cli-arg', value: 'from an argument', encoding: 'utf8' })

    const has = await runChord(['has', keys[3], '--api', d2.api])
    assert.deepEqual([has.code, has.stdout], [0, 'yes\n'])
    const lookup = await runChord(['lookup', keys[3], '--json', '--peer', d3.addr])
    assert.equal(lookup.code, 0, lookup.stderr)
    const location = JSON.parse(lookup.stdout)
    assert.equal(location.replicas.length, 3)
    assert.ok(location.replicas.every((r: { version?: unknown }) => r.version !== undefined), lookup.stdout)
    assert.match((await runChord(['lookup', keys[3], '--api', d3.api])).stdout, /^owner +12D3\S+ @[0-9a-f]{8} \(\d+ hops?\)$/m)

    const del = await runChord(['del', 'cli-arg', '--api', d1.api])
    assert.deepEqual([del.code, del.stdout], [0, 'deleted "cli-arg"\n'])
    const gone = await runChord(['get', 'cli-arg', '--api', d2.api])
    assert.deepEqual([gone.code, gone.stdout, gone.stderr], [3, '', 'chord: no value stored under "cli-arg"\n'])
    const hasNot = await runChord(['has', 'cli-arg', '--peer', d0.addr])
    assert.deepEqual([hasNot.code, hasNot.stdout], [3, 'no\n'])

    // every key on exactly three peers
    const stats = await runChord(['stats', '--json', '--api', d0.api])
    const { peers, network } = JSON.parse(stats.stdout) as StatsJson
    assert.ok(network !== undefined && network.sent > 0 && network.protocols['/chord/1.0.0'].received > 0, stats.stdout)
    assert.match((await api(d0, 'GET', '/metrics')).text, /^chord_rpc_requests_total\{method="store"\} [1-9]/m)
    assert.equal(peers?.length, 5)
    assert.equal(peers.reduce((sum, p) => sum + p.store!.keys, 0), 3 * (keys.length + 2))
    assert.match((await runChord(['stats', '--api', d0.api])).stdout, /keys per peer \(5 peers, \d+ keys in all, counting every replica\)/)
  })

  it('rejects a value over the size limit with one clear line and exit 2', async () => {
    const file = join(tmp.dir, 'big.bin')
    await writeFile(file, new Uint8Array(1024 * 1024 + 1))
    for (const target of [['--api', daemons[0].api], ['--peer', daemons[1].addr]]) {
      const result = await runChord(['put', 'big', '--file', file, ...target])
      assert.equal(result.code, 2, result.stderr)
      assert.equal(result.stderr, 'chord: request body over the limit of 1048576 bytes\n')
    }
  })

  it('SIGTERM: the daemon hands its keys over and exits 0', async () => {
    const leaving = daemons[1]
    const { keys: live, tombstones } = (JSON.parse((await api(leaving, 'GET', '/stats')).text) as StatsJson).store
    const held = live + tombstones
    assert.ok(live > 0)
    leaving.proc.kill('SIGTERM')
    assert.deepEqual(await leaving.exited, { code: 0, signal: null })
    assert.match(leaving.output(), new RegExp(`SIGTERM: leaving the ring, handing over ${held} keys?\n`))
    assert.match(leaving.output(), new RegExp(`left the ring: handed over ${held} keys?\n`))
    daemons.splice(1, 1)
    // nothing lost, and every key back on three peers
    assert.deepEqual(await readAll(daemons[0], keys), [])
    await waitFor(async () => (await copies(daemons[0])).keys === 3 * (keys.length + 2), 20_000, 'three copies of every key on the four peers left')
  })

  let crashed: Daemon
  it('kill -9: the keys are still readable', async () => {
    crashed = daemons.splice(1, 1)[0]
    crashed.proc.kill('SIGKILL')
    await crashed.exited
    for (const d of daemons) assert.deepEqual(await readAll(d, keys), [])
    for (const key of later) assert.equal((await api(daemons[0], 'PUT', `/keys/${encodeURIComponent(key)}`, `value of ${key}`)).status, 200)
    await waitFor(async () => settled(daemons), 20_000, 'the three peers left to close the ring')
  })

  it('a daemon restarted on its data directory rejoins with its data', async () => {
    const restarted = await startDaemon({ dataDir: crashed.dataDir, bootstrap: [daemons[0].addr] })
    daemons.push(restarted)
    assert.equal(restarted.peer, crashed.peer)
    const held = Number(/data directory \S+: (\d+) keys? /.exec(restarted.output())?.[1])
    assert.ok(held > 0, restarted.output())
    await waitFor(async () => settled(daemons), 20_000, 'the restarted peer back in the ring')
    assert.deepEqual(await readAll(restarted, [...keys, ...later]), [])
    // every key on three of the four peers again, the restarted one included
    await waitFor(async () => (await copies(restarted)).keys === 3 * (keys.length + 2 + later.length), 20_000, 'three copies of every key')
    assert.ok((await ringOf(restarted)).store.keys > 0)
  })
})

describe('private rings (--psk)', function () {
  this.timeout(60_000)
  let tmp: Awaited<ReturnType<typeof tempDir>>
  const daemons: Daemon[] = []
  before(async () => { tmp = await tempDir() })
  after(async () => {
    await killAll(daemons)
    await tmp?.remove()
  })

  it('a peer without the pre-shared key cannot join a private ring; peers with it can', async () => {
    const key = join(tmp.dir, 'ring.key')
    const other = join(tmp.dir, 'other.key')
    for (const file of [key, other]) {
      const written = await runChord(['psk', file])
      assert.equal(written.code, 0, written.stderr)
    }
    assert.match(await readFile(key, 'utf8'), /^\/key\/swarm\/psk\/1\.0\.0\/\n\/base16\/\n[0-9a-f]{64}$/)

    const first = await startDaemon({ dataDir: join(tmp.dir, 'p0'), bootstrap: [await emptyBootstrap(tmp.dir)], psk: key })
    daemons.push(first)
    const [member, outsider, wrongKey] = await Promise.all([
      startDaemon({ dataDir: join(tmp.dir, 'p1'), bootstrap: [first.addr], psk: key }),
      startDaemon({ dataDir: join(tmp.dir, 'p2'), bootstrap: [first.addr] }),
      startDaemon({ dataDir: join(tmp.dir, 'p3'), bootstrap: [first.addr], psk: other })
    ])
    daemons.push(member, outsider, wrongKey)
    assert.match(first.output(), /private ring: pre-shared key from /)
    await waitFor(async () => settled([first, member]), 20_000, 'the two peers with the key to form a ring')
    // the others keep retrying; give them a few rounds
    await new Promise(resolve => setTimeout(resolve, 1500))
    for (const d of [outsider, wrongKey]) assert.equal((await api(d, 'GET', '/health')).status, 503, d.output())
    assert.ok(await settled([first, member]), 'the private ring is still the two peers')

    const denied = await runChord(['get', 'k', '--peer', first.addr, '--timeout', '2000'])
    assert.equal(denied.code, 1)
    oneLine(denied.stderr)
    assert.match(denied.stderr, /^chord: cannot reach peer .* \(a private ring needs --psk FILE\)$/m)
    const put = await runChord(['put', 'k', 'private', '--peer', first.addr, '--psk', key])
    assert.equal(put.code, 0, put.stderr)
    const get = await runChord(['get', 'k', '--peer', member.addr, '--psk', key])
    assert.deepEqual([get.code, get.stdout], [0, 'private'], get.stderr)
  })
})

describe('command-line errors', function () {
  this.timeout(60_000)
  let tmp: Awaited<ReturnType<typeof tempDir>>
  before(async () => { tmp = await tempDir() })
  after(async () => { await tmp?.remove() })

  it('--help works on every command', async () => {
    const commands = ['daemon', 'psk', 'put', 'get', 'del', 'has', 'lookup', 'ring', 'stats', 'import', 'export', 'doctor']
    const results = await Promise.all(commands.map(async c => runChord([c, '--help'])))
    results.forEach((r, i) => {
      assert.equal(r.code, 0, r.stderr)
      assert.match(r.stdout, new RegExp(`^Usage: chord ${commands[i]}\\b`))
    })
    const top = await runChord(['--help'])
    assert.equal(top.code, 0)
    for (const c of commands) assert.match(top.stdout, new RegExp(`^  ${c}\\b`, 'm'))
  })

  it('bad arguments, unreachable daemons and bad files: one line on stderr and the documented exit code', async () => {
    const write = async (name: string, text: string): Promise<string> => {
      const file = join(tmp.dir, name)
      await writeFile(file, text)
      return file
    }
    const notJson = await write('not-json.json', '{ "peers": [ ')
    const noPeers = await write('no-peers.json', '{ "seeds": [] }')
    const badAddr = await write('bad-addr.json', '{ "peers": ["/ip4/127.0.0.1/tcp/4001", "tcp://seed:4001"] }')
    const badKey = await write('bad.key', 'not a key')
    const closed = await closedPort()
    const cases: Array<{ args: string[], code: number, stderr: RegExp }> = [
      { args: ['frobnicate'], code: 2, stderr: /unknown command "frobnicate"/ },
      { args: ['get'], code: 2, stderr: /usage: chord get KEY/ },
      { args: ['put', 'a', 'b', 'c'], code: 2, stderr: /usage: chord put KEY/ },
      { args: ['get', 'k', '--colour'], code: 2, stderr: /--colour/ },
      { args: ['get', 'k', '--api', 'localhost'], code: 2, stderr: /--api must be HOST:PORT/ },
      { args: ['get', 'k', '--api', `127.0.0.1:${closed}`], code: 1, stderr: new RegExp(`cannot reach the daemon API at http://127\\.0\\.0\\.1:${closed} \\(ECONNREFUSED\\)`) },
      { args: ['get', 'k', '--peer', 'not-a-multiaddr'], code: 2, stderr: /--peer "not-a-multiaddr" is not a multiaddr/ },
      { args: ['get', 'k', '--peer', `/ip4/127.0.0.1/tcp/${closed}`, '--timeout', '3000'], code: 1, stderr: new RegExp(`cannot reach peer /ip4/127\\.0\\.0\\.1/tcp/${closed}: `) },
      { args: ['get', 'k', '--psk', badKey], code: 2, stderr: /--psk only applies with --peer/ },
      { args: ['get', 'k', '--api', '127.0.0.1:1', '--peer', '/ip4/127.0.0.1/tcp/1'], code: 2, stderr: /either --api or --peer/ },
      { args: ['put', 'k', '--file', join(tmp.dir, 'missing')], code: 2, stderr: /cannot read --file .*missing: ENOENT/ },
      { args: ['put', 'k', '--ttl', 'soon'], code: 2, stderr: /--ttl must be a positive integer/ },
      { args: ['daemon', '--bootstrap', notJson], code: 2, stderr: /not-json\.json: not valid JSON/ },
      { args: ['daemon', '--bootstrap', noPeers], code: 2, stderr: /no-peers\.json: "peers" must be an array/ },
      { args: ['daemon', '--bootstrap', badAddr], code: 2, stderr: /bad-addr\.json: peers\[1\] "tcp:\/\/seed:4001" is not a multiaddr/ },
      { args: ['daemon', '--bootstrap', join(tmp.dir, 'absent.json')], code: 2, stderr: /absent\.json: cannot read \(ENOENT\)/ },
      { args: ['daemon', '--psk', badKey], code: 2, stderr: /bad\.key: not a pre-shared key/ },
      { args: ['daemon', '--replicas', '0'], code: 2, stderr: /--replicas must be a positive integer/ },
      { args: ['get', 'k', '--api', 'https://127.0.0.1:5001'], code: 2, stderr: /--api: the HTTP API is plain http:\/\// },
      { args: ['doctor'], code: 2, stderr: /doctor needs --data DIR/ },
      { args: ['daemon', '--api', '127.0.0.1'], code: 2, stderr: /--api must be HOST:PORT/ },
      { args: ['daemon', 'extra'], code: 2, stderr: /extra/ },
      { args: ['psk', badKey], code: 2, stderr: /bad\.key exists; use --force/ }
    ]
    // a few at a time: each is a process start
    for (let i = 0; i < cases.length; i += 4) {
      await Promise.all(cases.slice(i, i + 4).map(async ({ args, code, stderr }) => {
        const result = await runChord(args, { input: '' })
        assert.equal(result.code, code, `chord ${args.join(' ')}: ${result.stderr}`)
        oneLine(result.stderr)
        assert.match(result.stderr, /^chord: /)
        assert.match(result.stderr, stderr)
      }))
    }
    const none = await runChord([])
    assert.equal(none.code, 2)
    assert.match(none.stdout, /^Usage: chord <command>/)
  })

  it('the installed bin runs the built CLI', async function () {
    if (!existsSync(join(ROOT, 'dist/src/cli/chord.js'))) this.skip() // npm run build makes it; CI builds before testing
    const child = spawn(process.execPath, [join(ROOT, 'bin/chord.js'), '--help'], { stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString() })
    assert.equal(await new Promise(resolve => { child.once('exit', resolve) }), 0)
    assert.match(stdout, /^Usage: chord <command>/)
  })
})
