/**
 * embedding: an application that builds its own libp2p node and adds the
 * chord service to it — here a tiny link shortener whose short codes live
 * in the DHT. Two app instances run in this process: one shortens a URL,
 * the other resolves the code, through the service and through libp2p's
 * own contentRouting interface, which the service plugs into.
 *
 *   npm run example:embedding
 *
 * In an app, import { chord } from 'libp2p-chord' instead of '../src/index.ts'.
 * Exits non-zero if the other instance cannot resolve the code.
 */
import { createHash } from 'node:crypto'
import { noise } from '@chainsafe/libp2p-noise'
import { identify } from '@libp2p/identify'
import { ping } from '@libp2p/ping'
import { tcp } from '@libp2p/tcp'
import { yamux } from '@libp2p/yamux'
import { createLibp2p } from 'libp2p'
import { chord } from '../src/index.ts'
import { check, FAST, waitUntil } from './lib.ts'
import type { Chord } from '../src/index.ts'
import type { Libp2p } from '@libp2p/interface'

type AppNode = Libp2p<{ chord: Chord, identify: unknown, ping: unknown }>

/** The app's own node: its transports, its other services, and chord */
async function startApp (bootstrap: string[]): Promise<AppNode> {
  return createLibp2p({
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    services: {
      identify: identify(),
      ping: ping(),
      chord: chord({ ...FAST, bootstrap, replicas: 2 })
    }
  })
}

const encoder = new TextEncoder()
const decoder = new TextDecoder()

/** The app's logic: a short code derived from the URL, stored under "link/<code>" */
async function shorten (node: AppNode, url: string): Promise<string> {
  const code = createHash('sha256').update(url).digest('base64url').slice(0, 7)
  await node.services.chord.put(`link/${code}`, url)
  return code
}

async function resolve (node: AppNode, code: string): Promise<string | undefined> {
  const value = await node.services.chord.get(`link/${code}`)
  return value === undefined ? undefined : decoder.decode(value)
}

const alice = await startApp([])
alice.services.chord.addEventListener('ring:joined', () => { console.log('alice started a ring') })
const bob = await startApp([alice.getMultiaddrs()[0].toString()])
await waitUntil(() => alice.services.chord.joined && bob.services.chord.joined, 10_000, 'bob to join')
console.log(`bob joined through ${alice.getMultiaddrs()[0].toString()}`)

const url = 'https://github.com/libp2p/js-libp2p'
const code = await shorten(alice, url)
console.log(`alice shortened ${url} to ${code}`)
const resolved = await resolve(bob, code)
console.log(`bob resolved ${code} to ${resolved}`)
check(resolved === url, `bob resolved ${code} to ${resolved}`)

// the same store through libp2p's generic content routing
await bob.contentRouting.put(encoder.encode('link/home'), encoder.encode('https://libp2p.io'))
const home = decoder.decode(await alice.contentRouting.get(encoder.encode('link/home')))
console.log(`alice read link/home through libp2p.contentRouting: ${home}`)
check(home === 'https://libp2p.io', `contentRouting.get gave ${home}`)

await Promise.all([alice, bob].map(async node => {
  node.services.chord.leaveOnStop = false
  await node.stop()
}))
console.log('ok')
