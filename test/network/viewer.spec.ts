/**
 * The ring viewer in headless Chromium (Debian's package, driven by
 * playwright-core) against a live ring of in-process peers serving the API:
 * the page loads without console errors, shows every peer with its links
 * and fingers, rings the replicas of a looked-up key, and follows a peer
 * joining and one leaving. Screenshots go to test-artifacts/.
 *
 * Skipped, saying so, where /usr/bin/chromium is missing, except under CI
 * (CI=true), where .ci/run installs it and its absence fails the test.
 */
import assert from 'node:assert/strict'
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { startApiRing } from '../../harness/api-ring.ts'
import { launchChromium, needChromium } from '../../harness/browser.ts'
import { ROOT } from '../fixtures/daemons.ts'
import { waitFor } from '../../harness/peers.ts'
import { waitForIdealRing } from '../fixtures/ring.ts'
import type { ApiRing } from '../../harness/api-ring.ts'
import type { Browser, Page } from 'playwright-core'

const ARTIFACTS = join(ROOT, 'test-artifacts')
const PEERS = 5
/**
 * The page polls every second, so a change shows within a second or two; the
 * deadline is far above that for a loaded machine (the time taken is logged:
 * how fast is for benchmarks, the test checks that the change shows)
 */
const SHOWS_WITHIN = 30_000

describe('ring viewer (headless Chromium)', function () {
  this.timeout(120_000)
  let ring: ApiRing | undefined
  let browser: Browser | undefined
  let page: Page
  const errors: string[] = []

  before(async function () {
    needChromium(this)
    ring = await startApiRing(PEERS)
    await waitForIdealRing(ring.peers, 400)
    browser = await launchChromium()
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } })
    page.on('console', message => { if (message.type() === 'error' || message.type() === 'warning') errors.push(`console ${message.type()}: ${message.text()}`) })
    page.on('pageerror', err => { errors.push(`page error: ${err.message}`) })
    await mkdir(ARTIFACTS, { recursive: true })
  })

  after(async () => {
    await browser?.close()
    await ring?.stop()
  })

  it('loads without console errors and draws every peer, its links and fingers', async () => {
    await page.goto(ring!.url)
    await page.waitForSelector(`body[data-peers="${PEERS}"]`, { timeout: 15_000 })
    assert.equal(await page.textContent('#peer-count'), String(PEERS))
    assert.equal(await page.locator('g.node').count(), PEERS)
    assert.equal(await page.locator('g.node.unreachable').count(), 0)
    assert.equal(await page.locator('path.succ').count(), PEERS, 'a successor link per position')
    assert.equal(await page.locator('path.pred').count(), PEERS, 'a predecessor link per position')
    assert.ok(await page.locator('path.finger').count() > 0, 'the selected peer\'s fingers')
    assert.equal(await page.locator('#peers tbody tr').count(), PEERS)
    // the daemon's own peer is selected first
    assert.equal(await page.getAttribute('g.node.selected', 'data-peer'), ring!.peers[0].peerId.toString())
    assert.deepEqual(errors, [])
  })

  it('rings the replicas of a looked-up key, and selects a peer on click', async () => {
    await ring!.peers[2].services.chord.put('viewer key', 'some value')
    const { owner, replicas } = await ring!.peers[1].services.chord.lookup('viewer key')
    await page.fill('#lookup-key', 'viewer key')
    await page.click('#lookup-form button[type=submit]')
    await page.waitForSelector('g.node.owner', { timeout: 10_000 })
    assert.equal(await page.getAttribute('g.node.owner', 'data-peer'), owner.peer)
    const ringed = await page.locator('g.node.owner, g.node.replica').evaluateAll(nodes => nodes.map(n => n.getAttribute('data-peer')))
    assert.deepEqual(ringed.sort(), replicas.map(r => r.node.peer).sort())
    assert.match(await page.textContent('#lookup-result') ?? '', /holds the write of/)

    const other = ring!.peers[3].peerId.toString()
    await page.click(`g.node[data-peer="${other}"] .dot`)
    await page.waitForSelector(`g.node.selected[data-peer="${other}"]`, { timeout: SHOWS_WITHIN })
    assert.match(await page.textContent('#selected') ?? '', new RegExp(other))
    assert.deepEqual(errors, [])
  })

  it('shows a peer joining and a peer leaving within seconds', async () => {
    const renders = async (): Promise<number> => Number(await page.getAttribute('body', 'data-renders'))
    assert.ok(await renders() > 0)
    const joiner = await ring!.add()
    await waitFor(() => joiner.services.chord.joined, 20_000, 'the new peer to join')
    let started = Date.now()
    await page.waitForSelector(`body[data-peers="${PEERS + 1}"]`, { timeout: SHOWS_WITHIN })
    const joinShown = Date.now() - started
    assert.equal(await page.locator(`g.node[data-peer="${joiner.peerId.toString()}"]`).count(), 1)
    assert.match(await page.textContent('#events') ?? '', new RegExp(`…${joiner.peerId.toString().slice(-6)} joined`))
    await page.screenshot({ path: join(ARTIFACTS, 'viewer-joined.png') })

    const leaving = ring!.peers[2].peerId.toString()
    started = Date.now()
    await ring!.remove(2)
    await page.waitForSelector(`body[data-peers="${PEERS}"]`, { timeout: SHOWS_WITHIN })
    const leaveShown = Date.now() - started
    assert.match(await page.textContent('#events') ?? '', new RegExp(`…${leaving.slice(-6)} (left|stopped answering)`))
    await page.screenshot({ path: join(ARTIFACTS, 'viewer-left.png') })
    console.log(`      a join showed after ${joinShown} ms, a leave after ${leaveShown} ms`)
    assert.deepEqual(errors, [])
  })
})
