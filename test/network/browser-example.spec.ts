/**
 * The browser example in headless Chromium (Debian's package, driven by
 * playwright-core): `examples/browser/serve.ts` bundles the page for the
 * browser with esbuild and starts three daemons listening on WebSockets;
 * the page's own libp2p node (WebSockets, noise, yamux) runs chord() in
 * client mode. A key put in the page is read back with the CLI from a
 * daemon, a key put with the CLI is shown in the page, and the page's peer
 * is in no daemon's view of the ring. A screenshot goes to test-artifacts/.
 *
 * Skipped, saying so, where /usr/bin/chromium is missing, except under CI
 * (CI=true), where .ci/run installs it and its absence fails the test.
 */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { launchChromium, needChromium } from '../../harness/browser.ts'
import { waitFor } from '../../harness/peers.ts'
import { ROOT, TSX, runChord } from '../fixtures/daemons.ts'
import type { ChildProcess } from 'node:child_process'
import type { Browser, Page } from 'playwright-core'

const ARTIFACTS = join(ROOT, 'test-artifacts')

describe('browser example (headless Chromium, client mode over WebSockets)', function () {
  this.timeout(180_000)
  let serve: ChildProcess | undefined
  let output = ''
  let browser: Browser | undefined
  let page: Page
  let apis: string[] = []
  const errors: string[] = []

  before(async function () {
    needChromium(this)
    const [node, ...nodeArgs] = TSX
    serve = spawn(node, [...nodeArgs, join(ROOT, 'examples/browser/serve.ts'), '--port', '0'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
    serve.stdout!.on('data', (chunk: Buffer) => { output += chunk.toString() })
    serve.stderr!.on('data', (chunk: Buffer) => { output += chunk.toString() })
    await waitFor(() => /open (http:\/\/\S+) in a browser/.test(output) || serve!.exitCode !== null, 90_000, () => `the example to serve its page:\n${output}`)
    assert.equal(serve.exitCode, null, output)
    apis = [...output.matchAll(/daemon-\d+ {2}API (\S+)/g)].map(m => m[1])
    assert.equal(apis.length, 3, output)
    browser = await launchChromium()
    page = await browser.newPage({ viewport: { width: 900, height: 700 } })
    page.on('console', message => { if (message.type() === 'error') errors.push(`console error: ${message.text()}`) })
    page.on('pageerror', err => { errors.push(`page error: ${err.message}`) })
    await mkdir(ARTIFACTS, { recursive: true })
  })

  after(async () => {
    await browser?.close()
    if (serve !== undefined && serve.exitCode === null && serve.signalCode === null) {
      const exited = new Promise(resolve => serve!.once('exit', resolve))
      // the example stops its daemons on SIGTERM, one after another, and removes their data
      serve.kill('SIGTERM')
      const timer = setTimeout(() => serve!.kill('SIGKILL'), 60_000)
      await exited
      clearTimeout(timer)
    }
  })

  async function submit (button: string, key: string, value?: string): Promise<string> {
    await page.fill('#key', key)
    if (value !== undefined) await page.fill('#value', value)
    const result = page.locator('#result')
    await result.evaluate(element => { element.textContent = '' })
    await page.click(button)
    // the page shows … while the operation runs, then its outcome
    await waitFor(async () => !['', '…'].includes((await result.textContent()) ?? ''), 30_000, `${button} ${key} to finish`)
    return (await result.textContent()) ?? ''
  }

  it('the page joins nothing, puts a key the CLI reads from a daemon, and shows a key the CLI put', async () => {
    const url = /open (http:\/\/\S+) in a browser/.exec(output)![1]
    await page.goto(url)
    await page.waitForSelector('#status[data-state="ready"]', { timeout: 60_000 }).catch(async (err: Error) => {
      throw new Error(`${err.message}\nstatus: ${await page.textContent('#status')}\nlog: ${await page.textContent('#log')}\n${errors.join('\n')}`)
    })
    assert.equal(await submit('#put', 'from-browser', 'hello from Chromium'), 'stored from-browser')
    const read = await runChord(['get', 'from-browser', '--api', apis[1]])
    assert.equal(read.code, 0, read.stderr)
    assert.equal(read.stdout.replace(/\n$/, ''), 'hello from Chromium')

    const put = await runChord(['put', 'from-cli', 'hello from the CLI', '--api', apis[2]])
    assert.equal(put.code, 0, put.stderr)
    assert.equal(await submit('#get', 'from-cli'), 'hello from the CLI')
    assert.equal(await submit('#get', 'never-put'), 'no value under never-put')

    // the page's peer used the ring without entering it
    const peer = (await page.textContent('#peer'))!
    assert.match(peer, /^12D3Koo\w+$/)
    const ring = await (await fetch(`http://${apis[0]}/ring?peers=true`)).text()
    assert.equal((JSON.parse(ring) as { peers: unknown[] }).peers.length, 3)
    assert.ok(!ring.includes(peer), 'the page\'s peer appears in the ring')
    await page.screenshot({ path: join(ARTIFACTS, 'browser-example.png') })
    assert.deepEqual(errors, [])
  })

  it('?store=idb keeps the page\'s datastore in IndexedDB (datastore-idb) and works the same', async () => {
    const url = /open (http:\/\/\S+) in a browser/.exec(output)![1]
    await page.goto(`${url}?store=idb`)
    await page.waitForSelector('#status[data-state="ready"]', { timeout: 60_000 })
    // libp2p keeps its peer store there: the database exists in this origin
    const databases = await page.evaluate('indexedDB.databases().then(list => list.map(d => d.name))') as string[]
    assert.ok(databases.includes('libp2p-chord-example'), `IndexedDB databases: ${databases.join(', ')}`)
    assert.equal(await submit('#put', 'from-idb-page', 'stored with IndexedDB'), 'stored from-idb-page')
    assert.equal(await submit('#get', 'from-cli'), 'hello from the CLI')
    assert.deepEqual(errors, [])
  })

  it('SIGTERM (Ctrl-C) stops the daemons one after another and removes their data', async () => {
    const dir = /data in (\S+)\)/.exec(output)![1]
    assert.ok(existsSync(dir))
    const started = Date.now()
    const exited = new Promise<number | null>(resolve => serve!.once('exit', resolve))
    serve!.kill('SIGTERM')
    assert.equal(await exited, 0, output)
    assert.match(output, /stopping the daemons/)
    assert.ok(!existsSync(dir), `${dir} left behind`)
    console.log(`      stopped in ${Date.now() - started} ms`)
  })
})
