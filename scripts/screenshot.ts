/**
 * docs/viewer.png, the README's picture of the ring viewer: ten in-process
 * peers with 400 keys, one peer selected (its fingers drawn) and a key
 * looked up (its replicas ringed), in headless Chromium.
 *
 *   npm run screenshot [-- OUT.png]
 *
 * Needs Debian's chromium (/usr/bin/chromium, or CHROMIUM=path).
 */
import { mkdir } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { startApiRing } from '../harness/api-ring.ts'
import { hasChromium, launchChromium } from '../harness/browser.ts'
import { waitFor } from '../harness/peers.ts'

const PEERS = 10
const KEYS = 400
const out = resolve(process.argv[2] ?? fileURLToPath(new URL('../docs/viewer.png', import.meta.url)))

if (!hasChromium()) {
  console.error('screenshot: no Chromium at /usr/bin/chromium (apt-get install chromium, or set CHROMIUM)')
  process.exit(1)
}
const ring = await startApiRing(PEERS)
try {
  const writer = ring.peers[0].services.chord
  for (let i = 0; i < KEYS; i += 50) {
    await writer.putMany(Array.from({ length: 50 }, (_, j) => ({ key: `key-${i + j}`, value: `value ${i + j} `.repeat(1 + ((i + j) % 7)) })))
  }
  // every key on its three replicas, and fingers settled
  await waitFor(() => ring.peers.reduce((sum, p) => sum + p.services.chord.storeStats().keys, 0) === 3 * KEYS, 30_000, 'three copies of every key')
  await new Promise(resolve => setTimeout(resolve, 2000))

  const browser = await launchChromium()
  try {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 }, deviceScaleFactor: 1 })
    await page.goto(ring.url)
    await page.waitForSelector(`body[data-peers="${PEERS}"]`, { timeout: 20_000 })
    const selected = ring.peers[3].peerId.toString()
    await page.click(`g.node[data-peer="${selected}"] .dot`)
    await page.fill('#lookup-key', 'key-42')
    await page.click('#lookup-form button[type=submit]')
    await page.waitForSelector('g.node.owner', { timeout: 10_000 })
    await mkdir(dirname(out), { recursive: true })
    await page.screenshot({ path: out })
    console.log(`wrote ${out}`)
  } finally {
    await browser.close()
  }
} finally {
  await ring.stop()
}
