/**
 * Daemons reachable over WebSockets (what a browser can dial): `chord
 * daemon --listen …/ws` beside TCP, a daemon joining through another's
 * WebSockets address, the CLI's --peer over WebSockets, and a private ring
 * (--psk) over WebSockets keeping out peers without its key.
 */
import assert from 'node:assert/strict'
import { api, emptyBootstrap, killAll, runChord, settled, startDaemon, tempDir } from '../fixtures/daemons.ts'
import { waitFor } from '../../harness/peers.ts'
import type { Daemon } from '../fixtures/daemons.ts'

const WS = ['--listen', '/ip4/127.0.0.1/tcp/0/ws']

/** The daemon's WebSockets address, with /p2p/ */
export function wsAddr (daemon: Daemon): string {
  const found = [...daemon.output().matchAll(/listening on (\S+\/ws\/p2p\/\S+)/g)].map(m => m[1])
  assert.ok(found.length > 0, `no WebSockets address in:\n${daemon.output()}`)
  return found[0]
}

describe('WebSockets', function () {
  this.timeout(90_000)
  const daemons: Daemon[] = []
  let cleanup: (() => Promise<void>) | undefined
  afterEach(async () => {
    await killAll(daemons.splice(0))
    await cleanup?.()
  })

  it('a daemon listens on WebSockets beside TCP; another joins through it, and the CLI reaches it with --peer', async () => {
    const tmp = await tempDir()
    cleanup = tmp.remove
    const first = await startDaemon({ dataDir: `${tmp.dir}/a`, bootstrap: [await emptyBootstrap(tmp.dir)], args: WS })
    daemons.push(first)
    assert.match(first.output(), /listening on \/ip4\/127\.0\.0\.1\/tcp\/\d+\/p2p\//)
    const ws = wsAddr(first)
    const second = await startDaemon({ dataDir: `${tmp.dir}/b`, bootstrap: [ws], args: WS })
    daemons.push(second)
    await waitFor(async () => settled(daemons), 30_000, 'two daemons in one ring')
    const put = await runChord(['put', 'over-ws', 'hello', '--peer', ws])
    assert.equal(put.code, 0, put.stderr)
    assert.equal((await api(second, 'GET', '/keys/over-ws')).text, 'hello')
    const get = await runChord(['get', 'over-ws', '--peer', wsAddr(second)])
    assert.equal(get.code, 0, get.stderr)
    assert.equal(get.stdout.trim(), 'hello')
  })

  it('a private ring over WebSockets: --peer with the key works, without it the connection fails', async () => {
    const tmp = await tempDir()
    cleanup = tmp.remove
    const key = `${tmp.dir}/ring.key`
    const psk = await runChord(['psk', key])
    assert.equal(psk.code, 0, psk.stderr)
    const first = await startDaemon({ dataDir: `${tmp.dir}/a`, bootstrap: [await emptyBootstrap(tmp.dir)], psk: key, args: WS })
    daemons.push(first)
    const second = await startDaemon({ dataDir: `${tmp.dir}/b`, bootstrap: [wsAddr(first)], psk: key, args: WS })
    daemons.push(second)
    await waitFor(async () => settled(daemons), 30_000, 'two private daemons in one ring')
    const put = await runChord(['put', 'secret', 'kept', '--peer', wsAddr(second), '--psk', key])
    assert.equal(put.code, 0, put.stderr)
    const get = await runChord(['get', 'secret', '--peer', wsAddr(first), '--psk', key])
    assert.equal(get.stdout.trim(), 'kept')
    const outsider = await runChord(['get', 'secret', '--peer', wsAddr(first), '--timeout', '3000'])
    assert.equal(outsider.code, 1)
    assert.match(outsider.stderr, /^chord: cannot reach peer .*--psk/m)
  })
})
