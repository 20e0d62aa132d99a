/**
 * The LAN lab itself: hosts reach each other over TCP, each fault cuts
 * exactly what it says and its heal restores it, mDNS crosses the
 * switches, and close() leaves no namespace, link or file behind.
 */
import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { CHORD_PORT, Lab } from './lab.ts'
import { chordCli, hostApi, joined, poll, startDaemon, stopDaemon } from './lab-daemon.ts'
import { requireLab, run } from './netns.ts'
import type { Host } from './lab.ts'
import type { ChildProcess } from 'node:child_process'

/** a TCP listener inside each host, on this port */
const PORT = 4100

describe('LAN lab', function () {
  this.timeout(120_000)
  let lab: Lab | undefined

  before(async function () {
    await requireLab(this, 'LAN lab')
    lab = await Lab.create(5, 2)
    await Promise.all(lab.hosts.map(async h => { await listen(lab!, h) }))
  })

  after(async () => { await lab?.close() })

  /** which ordered pairs (from → to) connect, as "0>1 0>2 …" */
  async function reachable (): Promise<string> {
    const pairs = lab!.hosts.flatMap(a => lab!.hosts.filter(b => b !== a).map(b => [a, b] as const))
    const ok = await Promise.all(pairs.map(async ([a, b]) => await lab!.canConnect(a, b, PORT) ? `${a.index}>${b.index}` : ''))
    return ok.filter(p => p !== '').join(' ')
  }

  /** reachable(), polled until it equals `want` (a link that just came up may take a moment) or 20 s passed */
  async function settlesTo (want: string): Promise<string> {
    let got = ''
    await poll(async () => (got = await reachable()) === want, 20_000, 'the links', 500).catch(() => {})
    return got
  }

  const all = '0>1 0>2 0>3 0>4 1>0 1>2 1>3 1>4 2>0 2>1 2>3 2>4 3>0 3>1 3>2 3>4 4>0 4>1 4>2 4>3'

  it('connects every host to every other', async () => {
    assert.equal(await settlesTo(all), all)
  })

  it('splits the halves (hosts 0–1 | 2–4) and heals', async () => {
    await lab!.split()
    assert.equal(await reachable(), '0>1 1>0 2>3 2>4 3>2 3>4 4>2 4>3')
    await lab!.healSplit()
    assert.equal(await settlesTo(all), all)
  })

  it('isolates one host and reconnects it', async () => {
    await lab!.isolate(lab!.hosts[3])
    assert.equal(await reachable(), '0>1 0>2 0>4 1>0 1>2 1>4 2>0 2>1 2>4 4>0 4>1 4>2')
    await lab!.reconnect(lab!.hosts[3])
    assert.equal(await settlesTo(all), all)
  })

  it('keeps a bridge host (2) that both halves reach while they cannot reach each other', async () => {
    await lab!.bridgeHost(lab!.hosts[2])
    assert.equal(await reachable(), '0>1 0>2 1>0 1>2 2>0 2>1 2>3 2>4 3>2 3>4 4>2 4>3')
    await lab!.healBridgeHost()
    assert.equal(await settlesTo(all), all)
  })

  it('carries multicast across the switches (an mDNS-style UDP datagram to 224.0.0.251)', async () => {
    const [sender, receiver] = [lab!.hosts[0], lab!.hosts[4]]
    const listener = lab!.spawnIn(receiver, process.execPath, ['-e', MULTICAST_LISTENER])
    await firstLine(listener)
    const got = firstLine(listener)
    // UDP: send again every 500 ms until one arrives (as mDNS repeats its queries)
    let arrived = false
    void got.finally(() => { arrived = true })
    for (let i = 0; i < 20 && !arrived; i++) {
      await lab!.exec(sender, process.execPath, ['-e', MULTICAST_SENDER])
      await new Promise(resolve => setTimeout(resolve, 500))
    }
    assert.equal(await got, 'got hello')
  })

  it('runs a daemon on a host, reached from another host and by client commands inside its own', async () => {
    const [server, other] = [lab!.hosts[1], lab!.hosts[3]]
    const daemon = await startDaemon(lab!, server, { bootstrap: [] })
    assert.ok(daemon.addr.startsWith(`/ip4/${server.addr}/tcp/${CHORD_PORT}/p2p/`), daemon.addr)
    await poll(async () => joined(server), 30_000, 'the daemon to start a ring')
    assert.ok(await lab!.canConnect(other, server, CHORD_PORT), 'another host reaches the daemon')
    const put = JSON.parse(await chordCli(lab!, server, ['put', 'greeting', 'hello', '--json'])) as { key: string }
    assert.equal(put.key, 'greeting')
    assert.equal((await hostApi(server, 'GET', '/keys/greeting')).text, 'hello')
    await stopDaemon(daemon)
  })

  it('removes every namespace, link and file on close', async () => {
    const closing = lab!
    lab = undefined
    await closing.close()
    const namespaces = await run('ip', ['netns', 'list'])
    const links = await run('ip', ['-o', 'link', 'show'])
    assert.ok(!namespaces.includes(closing.name), namespaces)
    assert.ok(!links.includes(closing.name), links)
    assert.ok(!existsSync(closing.dir))
  })
})

async function listen (lab: Lab, host: Host): Promise<void> {
  const server = lab.spawnIn(host, process.execPath, ['-e', `require('node:net').createServer(s => s.end()).listen(${PORT}, '${host.addr}', () => console.log('up'))`])
  await firstLine(server)
}

async function firstLine (child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { reject(new Error('no output in 15 s')) }, 15_000)
    child.stdout!.once('data', (chunk: Buffer) => { clearTimeout(timer); resolve(chunk.toString().trim()) })
  })
}

const MULTICAST_LISTENER = `const s = require('node:dgram').createSocket({ type: 'udp4', reuseAddr: true });
s.on('message', m => { console.log('got ' + m); process.exit(0) });
s.bind(5353, () => { s.addMembership('224.0.0.251'); console.log('listening') })`

const MULTICAST_SENDER = `const s = require('node:dgram').createSocket('udp4');
s.send('hello', 5353, '224.0.0.251', () => s.close())`
