/**
 * The browser example's page script, bundled by serve.ts with esbuild
 * (platform=browser): a libp2p node with WebSockets, noise and yamux runs
 * the chord() service in client mode and puts and gets keys through the
 * ring's members — daemons listening on /ws addresses.
 *
 * Members to start from: ?bootstrap=MULTIADDR (repeatable), else the
 * `bootstrap` list of config.json next to the page (serve.ts writes it).
 * ?store=idb keeps libp2p's datastore in IndexedDB (datastore-idb) instead
 * of memory.
 */
import { noise } from '@chainsafe/libp2p-noise'
import { identify } from '@libp2p/identify'
import { webSockets } from '@libp2p/websockets'
import { yamux } from '@libp2p/yamux'
import { IDBDatastore } from 'datastore-idb'
import { createLibp2p } from 'libp2p'
// in an app of your own: import { chord } from 'libp2p-chord'
import { chord } from '../../src/index.ts'
import type { Chord } from '../../src/index.ts'
import type { Datastore } from 'interface-datastore'

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T
const status = $<HTMLParagraphElement>('status')
const result = $<HTMLDivElement>('result')
const keyInput = $<HTMLInputElement>('key')
const valueInput = $<HTMLInputElement>('value')

function log (line: string): void {
  $('log').textContent = `${new Date().toISOString().slice(11, 23)} ${line}\n${$('log').textContent ?? ''}`
}

function show (text: string, error = false): void {
  result.textContent = text
  result.className = error ? 'error' : ''
}

function setStatus (text: string, state: 'starting' | 'ready' | 'error'): void {
  status.textContent = text
  status.dataset.state = state
}

async function bootstrapList (): Promise<string[]> {
  const params = new URLSearchParams(location.search).getAll('bootstrap')
  if (params.length > 0) return params
  const response = await fetch('config.json')
  if (!response.ok) throw new Error(`config.json: HTTP ${response.status}; give ?bootstrap=MULTIADDR instead`)
  return ((await response.json()) as { bootstrap: string[] }).bootstrap
}

async function datastore (): Promise<Datastore | undefined> {
  if (new URLSearchParams(location.search).get('store') !== 'idb') return undefined // libp2p's default: in memory
  const store = new IDBDatastore('libp2p-chord-example')
  await store.open()
  return store
}

async function start (): Promise<Chord> {
  const bootstrap = await bootstrapList()
  const node = await createLibp2p({
    datastore: await datastore(),
    addresses: { listen: [] },
    transports: [webSockets()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    // libp2p dials neither private addresses nor plain ws:// from a browser by
    // default; the local daemons are both. Leave the default for public wss:// members.
    connectionGater: { denyDialMultiaddr: () => false },
    services: {
      identify: identify(),
      chord: chord({ clientMode: true, bootstrap })
    }
  })
  $('peer').textContent = node.peerId.toString()
  log(`started; members to reach: ${bootstrap.join(', ')}`)
  node.addEventListener('peer:connect', (event) => { log(`connected to ${event.detail.toString()}`) })
  return node.services.chord
}

/** Run one operation from the form, showing its outcome */
function action (run: (key: string) => Promise<string>): (event: Event) => void {
  return (event) => {
    event.preventDefault()
    const key = keyInput.value
    if (key === '') {
      show('type a key first', true)
      return
    }
    show('…')
    run(key).then(text => { show(text) }, (err: Error & { code?: string }) => {
      show(`${err.code ?? err.name}: ${err.message}`, true)
      log(`failed: ${err.message}`)
    })
  }
}

try {
  setStatus('connecting to the ring…', 'starting')
  const ring = await start()
  const started = performance.now()
  // the first lookup tells when the ring answers
  const first = await ring.findSuccessor('hello')
  setStatus(`ready: a client of the ring (owner of "hello" found in ${first.hops} hop${first.hops === 1 ? '' : 's'}, ${Math.round(performance.now() - started)} ms)`, 'ready')
  $('form').addEventListener('submit', action(async key => {
    const version = await ring.put(key, valueInput.value)
    log(`put ${key} (version ${version.wallTime}.${version.logical})`)
    return `stored ${key}`
  }))
  $('get').addEventListener('click', action(async key => {
    const value = await ring.get(key)
    log(`get ${key}: ${value === undefined ? 'absent' : `${value.byteLength} bytes`}`)
    return value === undefined ? `no value under ${key}` : new TextDecoder().decode(value)
  }))
  $('lookup').addEventListener('click', action(async key => {
    const location = await ring.lookup(key)
    return location.replicas.map(r => `${r.node.peer} ${r.version === undefined ? '(none)' : `v${r.version.wallTime}.${r.version.logical}`}`).join('\n')
  }))
} catch (err) {
  setStatus(`could not start: ${(err as Error).message}`, 'error')
}
