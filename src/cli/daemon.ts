/**
 * `chord daemon`: run a peer until SIGINT/SIGTERM, then leave the ring
 * gracefully, handing its keys over; a second signal exits at once.
 */
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { mdns } from '@libp2p/mdns'
import { multiaddr } from '@multiformats/multiaddr'
import { Registry } from 'prom-client'
import { isLoopback, startApi } from '../api/index.ts'
import { createChordNode } from '../node.ts'
import { readBootstrap } from './bootstrap-file.ts'
import { count, formatBytes, logChordEvents, timestamped, watchLeave, watchStorage } from './daemon-log.ts'
import { Progress } from './progress.ts'
import { ringJoiner } from './join.ts'
import { readPsk } from './psk.ts'
import { UsageError, atMost, parseHostPort, positiveInt } from './usage.ts'
import type { HostPort } from './usage.ts'
import type { RunningApi } from '../api/index.ts'
import type { ChordNode, Muxer } from '../node.ts'

export const DAEMON_HELP = `Usage: chord daemon [options]

Start a peer, join the ring through the bootstrap peers (or start a new ring
when none other than this peer is listed) and serve until SIGINT/SIGTERM,
which leaves the ring gracefully, handing this peer's keys over; a second
signal exits at once.

Options:
  --listen MULTIADDR      address to listen on, repeatable
                          (default /ip4/0.0.0.0/tcp/4001); TCP, or WebSockets
                          for browsers with /ws, e.g. /ip4/0.0.0.0/tcp/4003/ws
  --bootstrap FILE|ADDR   bootstrap.json file or multiaddr, repeatable
                          (default ./bootstrap.json; an empty list starts a new ring)
  --data DIR              the peer's key and LevelDB data, created if missing
                          (default ./.data/<tcp port>, e.g. ./.data/4001)
  --api HOST:PORT         local HTTP API (default 127.0.0.1:<tcp port + 1000>,
                          e.g. 127.0.0.1:5001; port 0 picks a free one)
  --no-api                serve no HTTP API
  --replicas N            peers holding each key (default 3)
  --no-fsync              acknowledge writes once LevelDB has them, before they
                          reach the disk: faster, but a power cut may lose the
                          last acknowledged writes of every replica it takes
                          down (default: each write is synced to disk first,
                          concurrent writes sharing one sync)
  --psk FILE              private ring: only peers holding this pre-shared key
                          can connect (write one with "chord psk FILE")
  --no-mdns               no LAN discovery (mDNS is on by default)
  --mdns-wait MS          with mDNS and no bootstrap peer but this one, how long
                          to look for LAN peers before starting a ring (default 3000)
  --virtual-nodes N       ring positions held by this peer (default 1)
  --position-choices N    with one position: the hashed positions this peer chooses
                          among when it joins, to even out the keys held per peer
                          (default 1024, at most 1024; 1: plain Chord's one)
  --successors N          successor list length (default max(8, 2 × replicas ×
                          virtual nodes))
  --stabilize MS          stabilization interval (default 1000); finger and
                          predecessor checks, and the probes of lost peers that
                          merge rings after a partition, scale with it
  --sync MS               replica sync interval (default 5000); the sweep that
                          hands keys to their new replicas runs every 6 × MS
  --muxer NAME            yamux or mplex, repeatable, first preferred (default both)
  -h, --help              show this help
`

export interface DaemonOptions {
  listen: string[]
  bootstrap: string[]
  dataDir: string
  /** undefined: no HTTP API */
  api: HostPort | undefined
  replicas: number
  /** sync each write to disk before acknowledging it */
  fsync: boolean
  psk: { file: string, key: Uint8Array } | undefined
  mdns: boolean
  mdnsWait: number
  virtualNodes: number
  positionChoices: number
  successors: number | undefined
  stabilize: number
  sync: number
  muxers: Muxer[]
}

/** mDNS service name: only chord daemons answer it, not every libp2p node on the LAN */
const MDNS_SERVICE_TAG = '_chord._udp.local'

function isMultiaddr (text: string): boolean {
  try {
    multiaddr(text)
    return true
  } catch {
    return false
  }
}

function tcpPort (addr: string): number | undefined {
  const port = multiaddr(addr).getComponents().find(c => c.name === 'tcp')?.value
  return port === undefined ? undefined : Number(port)
}

export async function parseDaemonArgs (args: string[]): Promise<DaemonOptions | 'help'> {
  const { values } = parseArgs({
    args,
    options: {
      listen: { type: 'string', multiple: true },
      bootstrap: { type: 'string', multiple: true },
      data: { type: 'string' },
      api: { type: 'string' },
      replicas: { type: 'string' },
      psk: { type: 'string' },
      mdns: { type: 'boolean' },
      fsync: { type: 'boolean' },
      'mdns-wait': { type: 'string' },
      'virtual-nodes': { type: 'string' },
      'position-choices': { type: 'string' },
      successors: { type: 'string' },
      stabilize: { type: 'string' },
      sync: { type: 'string' },
      muxer: { type: 'string', multiple: true },
      help: { type: 'boolean', short: 'h' }
    },
    allowPositionals: false,
    // --no-mdns, --no-api, --no-fsync
    allowNegative: true
  })
  if (values.help === true) return 'help'
  const listen = values.listen ?? ['/ip4/0.0.0.0/tcp/4001']
  for (const addr of listen) {
    if (!isMultiaddr(addr)) throw new UsageError(`--listen ${JSON.stringify(addr)} is not a multiaddr`)
  }
  const port = tcpPort(listen[0])
  // --no-api arrives as api: false although the option takes a string
  const api = apiAddress(values.api as unknown, port)
  const bootstrap = await bootstrapPeers(values.bootstrap ?? ['bootstrap.json'])
  const muxers = (values.muxer ?? ['yamux', 'mplex']).map(m => {
    if (m !== 'yamux' && m !== 'mplex') throw new UsageError(`--muxer must be yamux or mplex, got ${JSON.stringify(m)}`)
    return m
  })
  return {
    listen,
    bootstrap,
    dataDir: values.data ?? join('.data', String(port ?? 'peer')),
    api,
    replicas: positiveInt('replicas', values.replicas, 3),
    fsync: values.fsync ?? true,
    psk: values.psk === undefined ? undefined : { file: values.psk, key: await readPsk(values.psk) },
    mdns: values.mdns ?? true,
    mdnsWait: positiveInt('mdns-wait', values['mdns-wait'], 3000),
    virtualNodes: positiveInt('virtual-nodes', values['virtual-nodes'], 1),
    positionChoices: atMost(1024, 'position-choices', positiveInt('position-choices', values['position-choices'], 1024)),
    successors: values.successors === undefined ? undefined : positiveInt('successors', values.successors, 8),
    stabilize: positiveInt('stabilize', values.stabilize, 1000),
    sync: positiveInt('sync', values.sync, 5000),
    muxers
  }
}

/** --api HOST:PORT, --no-api, or by default the loopback at the TCP port + 1000 */
function apiAddress (flag: unknown, port: number | undefined): HostPort | undefined {
  if (flag === false) return undefined
  if (typeof flag === 'string') return parseHostPort('api', flag)
  return { host: '127.0.0.1', port: port !== undefined && port > 0 && port + 1000 <= 65535 ? port + 1000 : 0 }
}

/** each --bootstrap entry: a multiaddr, or else the path of a bootstrap file */
async function bootstrapPeers (entries: string[]): Promise<string[]> {
  const peers: string[] = []
  for (const entry of entries) {
    if (isMultiaddr(entry)) peers.push(entry)
    else peers.push(...(await readBootstrap(entry)).peers)
  }
  return peers
}

export async function runDaemon (options: DaemonOptions): Promise<void> {
  // a leave's progress: redrawn in place on a terminal, a log line every 10 s otherwise
  const tty = process.stdout.isTTY === true
  const status: Progress = new Progress({ stream: process.stdout, mode: tty ? 'tty' : 'lines', interval: tty ? 100 : 10_000, line: text => { log(text) }, flush: false })
  const log = timestamped(text => { status.print(text) })
  const metrics = new Registry()
  const node = await createDaemonNode(options, metrics)
  const flushTransfers = logChordEvents(node.services.chord, log)
  const joiner = ringJoiner(node, { bootstrap: options.bootstrap, lan: options.mdns, grace: options.mdnsWait, log })
  await node.start()
  log(`peer ${node.peerId.toString()}`)
  for (const addr of node.getMultiaddrs()) log(`listening on ${addr.toString()}`)
  const held = node.services.chord.storeStats()
  log(`data directory ${options.dataDir}: ${count(held.keys, 'key')} (${formatBytes(held.bytes)})${options.fsync ? '' : '; --no-fsync: writes are acknowledged before they reach the disk'}`)
  const unwatchStorage = watchStorage(node.services.chord, log)
  if (options.psk !== undefined) log(`private ring: pre-shared key from ${options.psk.file}`)
  const api = await serveApi(node, options.api, metrics, log)
  joiner.start()
  leaveOnSignals(node, {
    log,
    status,
    stop: async () => {
      joiner.stop()
      unwatchStorage()
      await api.stop()
    },
    flush: flushTransfers
  })
}

/** The peer, not started: the ring joiner decides when and through whom it joins */
async function createDaemonNode (options: DaemonOptions, metrics: Registry): Promise<ChordNode> {
  return createChordNode({
    metricsRegistry: metrics,
    listen: options.listen,
    muxers: options.muxers,
    dataDir: options.dataDir,
    fsync: options.fsync,
    psk: options.psk?.key,
    peerDiscovery: options.mdns ? [mdns({ serviceTag: MDNS_SERVICE_TAG })] : undefined,
    start: false,
    chord: {
      bootstrap: options.bootstrap,
      // ringJoiner decides when and through whom (bootstrap, LAN peers)
      autoJoin: false,
      replicas: options.replicas,
      virtualNodes: options.virtualNodes,
      positionChoices: options.positionChoices,
      successorListLength: options.successors,
      stabilizeInterval: options.stabilize,
      fixFingersInterval: 5 * options.stabilize,
      checkPredecessorInterval: 2 * options.stabilize,
      syncInterval: options.sync,
      sweepInterval: 6 * options.sync
    }
  })
}

/** The API over libp2p, and over HTTP at `http` unless --no-api; a peer that cannot serve it stops */
async function serveApi (node: ChordNode, http: HostPort | undefined, metrics: Registry, log: (text: string) => void): Promise<RunningApi> {
  let api: RunningApi
  try {
    api = await startApi(node, { http, metrics })
  } catch (err) {
    node.services.chord.leaveOnStop = false
    await node.stop()
    const { host, port } = http!
    throw new Error(`cannot serve the API on ${host}:${port}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message} (use --api HOST:PORT or --no-api)`)
  }
  if (api.http !== undefined) {
    log(`HTTP API on ${api.http.url}`)
    if (!isLoopback(http!.host)) log(`warning: the HTTP API on ${http!.host} has no authentication; anyone who reaches it can read and write keys`)
  }
  return api
}

interface Shutdown {
  log(text: string): void
  status: Progress
  /** what runs before the node stops: the joiner, the API */
  stop(): Promise<void>
  /** log the transfers not yet logged */
  flush(): void
}

/** SIGINT/SIGTERM: leave the ring gracefully, showing the handoff; a second signal exits at once */
function leaveOnSignals (node: ChordNode, init: Shutdown): void {
  const { log } = init
  const chord = node.services.chord
  let stopping = false
  const shutdown = (signal: string): void => {
    if (stopping) {
      log(`${signal} again: exiting now`)
      process.exit(1)
    }
    stopping = true
    // tombstones are handed over too, so deletes are not undone
    const { keys, tombstones } = chord.storeStats()
    const total = chord.joined ? keys + tombstones : 0
    log(`${signal}: leaving the ring${chord.joined ? `, handing over ${count(total, 'key')}` : ''}`)
    const unwatch = total > 0 ? watchLeave(chord, total, init.status) : () => {}
    init.stop()
      .then(async () => { await node.stop() })
      .then(() => {
        unwatch()
        init.flush()
        log('stopped')
        process.exit(0)
      }, (err: Error) => {
        unwatch()
        log(`error while leaving: ${err.message}`)
        process.exit(1)
      })
  }
  process.on('SIGINT', () => { shutdown('SIGINT') })
  process.on('SIGTERM', () => { shutdown('SIGTERM') })
}
