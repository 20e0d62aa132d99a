/**
 * `chord daemon`: run a peer until SIGINT/SIGTERM, then leave the ring
 * gracefully; a second signal exits at once.
 */
import { parseArgs } from 'node:util'
import { multiaddr } from '@multiformats/multiaddr'
import { describeNode } from '../ring/node-ref.ts'
import { createChordNode } from '../node.ts'
import { readBootstrap } from './bootstrap-file.ts'
import { UsageError } from './usage.ts'
import type { Muxer } from '../node.ts'

export const DAEMON_HELP = `Usage: chord daemon [options]

Start a peer, join the ring through the bootstrap peers (or start a new ring
when none other than this peer is listed) and serve until SIGINT/SIGTERM,
which leaves the ring gracefully; a second signal exits at once.

Options:
  --listen MULTIADDR      address to listen on, repeatable
                          (default /ip4/0.0.0.0/tcp/4001)
  --bootstrap FILE|ADDR   bootstrap.json file or multiaddr, repeatable
                          (default ./bootstrap.json; an empty list starts a new ring)
  --virtual-nodes N       ring positions held by this peer (default 1)
  --successors N          successor list length r (default 8)
  --stabilize MS          stabilization interval (default 1000)
  --muxer NAME            yamux or mplex, repeatable, first preferred (default both)
  -h, --help              show this help
`

export interface DaemonOptions {
  listen: string[]
  bootstrap: string[]
  virtualNodes: number
  successors: number
  stabilize: number
  muxers: Muxer[]
}

function positiveInt (name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback
  const n = Number(value)
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--${name} must be a positive integer, got ${JSON.stringify(value)}`)
  return n
}

function isMultiaddr (text: string): boolean {
  try {
    multiaddr(text)
    return true
  } catch {
    return false
  }
}

export async function parseDaemonArgs (args: string[]): Promise<DaemonOptions | 'help'> {
  const { values } = parseArgs({
    args,
    options: {
      listen: { type: 'string', multiple: true },
      bootstrap: { type: 'string', multiple: true },
      'virtual-nodes': { type: 'string' },
      successors: { type: 'string' },
      stabilize: { type: 'string' },
      muxer: { type: 'string', multiple: true },
      help: { type: 'boolean', short: 'h' }
    },
    allowPositionals: false
  })
  if (values.help === true) return 'help'
  const listen = values.listen ?? ['/ip4/0.0.0.0/tcp/4001']
  for (const addr of listen) {
    if (!isMultiaddr(addr)) throw new UsageError(`--listen ${JSON.stringify(addr)} is not a multiaddr`)
  }
  const bootstrap: string[] = []
  for (const entry of values.bootstrap ?? ['bootstrap.json']) {
    // a multiaddr, or else the path of a bootstrap file
    if (isMultiaddr(entry)) bootstrap.push(entry)
    else bootstrap.push(...(await readBootstrap(entry)).peers)
  }
  const muxers = (values.muxer ?? ['yamux', 'mplex']).map(m => {
    if (m !== 'yamux' && m !== 'mplex') throw new UsageError(`--muxer must be yamux or mplex, got ${JSON.stringify(m)}`)
    return m
  })
  return {
    listen,
    bootstrap,
    virtualNodes: positiveInt('virtual-nodes', values['virtual-nodes'], 1),
    successors: positiveInt('successors', values.successors, 8),
    stabilize: positiveInt('stabilize', values.stabilize, 1000),
    muxers
  }
}

export async function runDaemon (options: DaemonOptions): Promise<void> {
  const log = (line: string): void => { console.log(`${new Date().toISOString()} ${line}`) }
  const node = await createChordNode({
    listen: options.listen,
    muxers: options.muxers,
    start: false,
    chord: {
      bootstrap: options.bootstrap,
      virtualNodes: options.virtualNodes,
      successorListLength: options.successors,
      stabilizeInterval: options.stabilize
    }
  })
  const chord = node.services.chord
  chord.addEventListener('ring:joined', (evt) => {
    log(evt.detail.via === undefined ? 'started a new ring' : `joined the ring through ${evt.detail.via}`)
  })
  chord.addEventListener('successor:change', (evt) => { log(`position ${evt.detail.vnode}: successor is now ${describeNode(evt.detail.current)}`) })
  chord.addEventListener('predecessor:change', (evt) => { log(`position ${evt.detail.vnode}: predecessor is now ${describeNode(evt.detail.current)}`) })
  await node.start()
  log(`peer ${node.peerId.toString()}`)
  for (const addr of node.getMultiaddrs()) log(`listening on ${addr.toString()}`)
  if (!chord.joined) log(`joining through ${options.bootstrap.join(', ')}`)

  let stopping = false
  const shutdown = (signal: string): void => {
    if (stopping) {
      log(`${signal} again: exiting now`)
      process.exit(1)
    }
    stopping = true
    log(`${signal}: leaving the ring`)
    Promise.resolve(node.stop()).then(() => {
      log('left the ring, bye')
      process.exit(0)
    }, (err: Error) => {
      log(`error while leaving: ${err.message}`)
      process.exit(1)
    })
  }
  process.on('SIGINT', () => { shutdown('SIGINT') })
  process.on('SIGTERM', () => { shutdown('SIGTERM') })
}
