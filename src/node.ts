/**
 * A ready-made libp2p node running the chord service: TCP and WebSockets
 * (so browsers can dial it: listen on e.g. /ip4/0.0.0.0/tcp/4003/ws), noise,
 * mplex and yamux, with the connection-manager limits a DHT needs. Apps that build
 * their own libp2p node only need `chord()` from the index.
 */
import { join } from 'node:path'
import { noise } from '@chainsafe/libp2p-noise'
import { identify } from '@libp2p/identify'
import { mplex } from '@libp2p/mplex'
import { ping } from '@libp2p/ping'
import { prometheusMetrics } from '@libp2p/prometheus-metrics'
import { preSharedKey } from '@libp2p/pnet'
import { tcp } from '@libp2p/tcp'
import { webSockets } from '@libp2p/websockets'
import { yamux } from '@libp2p/yamux'
import { createLibp2p } from 'libp2p'
import { chord } from './index.ts'
import { PROTOCOL } from './constants.ts'
import { DataDirError, openDataDir, ringIdentity } from './persistence/data-dir.ts'
import type { DataDir } from './persistence/data-dir.ts'
import { errorMessage } from './util/errors.ts'
import type { Chord, ChordInit } from './index.ts'
import type { Libp2p, PrivateKey } from '@libp2p/interface'
import type { Libp2pOptions } from 'libp2p'
import type { Datastore } from 'interface-datastore'
import type { Registry } from 'prom-client'

export { DataDirError } from './persistence/data-dir.ts'
export { examineDataDir } from './persistence/doctor.ts'
export { DurableLevelDatastore } from './persistence/durable-level.ts'
export type { DurableLevelInit } from './persistence/durable-level.ts'
export type { DoctorReport, Finding } from './persistence/doctor.ts'

export type Muxer = 'mplex' | 'yamux'

export interface ChordNodeOptions {
  /** multiaddrs to listen on (default /ip4/127.0.0.1/tcp/0); TCP, and WebSockets with /ws (e.g. /ip4/0.0.0.0/tcp/4003/ws) */
  listen?: string[]
  /** muxers offered, in order of preference (default ['yamux', 'mplex']) */
  muxers?: Muxer[]
  /** the peer's key; a new one is generated when absent */
  privateKey?: PrivateKey
  /** libp2p's datastore (peer store, and chord records unless chord.datastore says); in memory when absent */
  datastore?: Datastore
  /**
   * A directory for the peer key and a LevelDB datastore of the chord records,
   * so a restarted peer keeps its identity, ring position and data (overrides
   * privateKey and datastore; libp2p's peer store is then kept in memory)
   */
  dataDir?: string
  /**
   * With dataDir: a write is acknowledged only once it is on stable storage
   * (fsync, with concurrent writes sharing one sync). false trades that for
   * speed: a power cut may then lose the last acknowledged writes of every
   * replica it takes down at once. Default true.
   */
  fsync?: boolean
  /** With dataDir: while the disk refuses writes, how often to check whether it takes them again, in ms (default 2000) */
  storageRecoveryInterval?: number
  /**
   * Inbound connections accepted per second per remote host. libp2p's
   * default of 5 refuses peers of one machine or NAT that start together;
   * keep a finite number on open networks.
   */
  inboundConnectionThreshold?: number
  /**
   * A pre-shared key (the /key/swarm/psk/1.0.0/ file format of @libp2p/pnet):
   * only peers holding the same key can connect (a private network)
   */
  psk?: Uint8Array
  /** peer discovery modules, e.g. mdns(); they only report peers, the app decides whom to dial */
  peerDiscovery?: Libp2pOptions['peerDiscovery']
  /** libp2p's connection gater: which peers and addresses may connect (default: any) */
  connectionGater?: Libp2pOptions['connectionGater']
  chord?: ChordInit
  /** start the node before returning (default true) */
  start?: boolean
  /**
   * A prom-client Registry to collect libp2p's and the chord service's
   * metrics in (serve `registry.metrics()` as Prometheus text); none when absent
   */
  metricsRegistry?: Registry
  /** libp2p's metrics implementation itself (overrides metricsRegistry), e.g. one that only counts */
  metrics?: Libp2pOptions['metrics']
}

export type ChordNode = Libp2p<{ chord: Chord, identify: unknown, ping: unknown }>

export function muxerFactory (muxer: Muxer): ReturnType<typeof mplex> | ReturnType<typeof yamux> {
  // mplex closes a connection when the remote opens more than 5 streams in a
  // second (disconnectThreshold); a DHT does that routinely
  return muxer === 'mplex' ? mplex({ disconnectThreshold: Infinity }) : yamux()
}

export async function createChordNode (options: ChordNodeOptions = {}): Promise<ChordNode> {
  const dir = options.dataDir === undefined
    ? undefined
    : await openDataDir(options.dataDir, {
      ring: ringIdentity(options.chord?.protocol ?? PROTOCOL, options.psk),
      sync: options.fsync,
      recoveryInterval: options.storageRecoveryInterval
    })
  const node = await createLibp2p(libp2pOptions(options, dir)).catch(async (err: unknown) => {
    await dir?.datastore.close()
    throw err
  })
  if (dir !== undefined) ownDataDir(node, options.dataDir!, dir.datastore)
  return node
}

function libp2pOptions (options: ChordNodeOptions, dir: DataDir | undefined): Libp2pOptions<ChordNode['services']> {
  return {
    start: options.start,
    metrics: options.metrics ?? (options.metricsRegistry === undefined
      ? undefined
      : prometheusMetrics({ registry: options.metricsRegistry, collectDefaultMetrics: false, preserveExistingMetrics: true })),
    privateKey: dir?.privateKey ?? options.privateKey,
    // with a data directory, libp2p's peer store stays in memory: a peer store write that fails on a
    // full disk would fail the dials the ring needs, and it holds nothing the ring cannot learn again
    datastore: dir === undefined ? options.datastore : undefined,
    addresses: { listen: options.listen ?? ['/ip4/127.0.0.1/tcp/0'] },
    transports: [tcp(), webSockets()],
    connectionEncrypters: [noise()],
    connectionProtector: options.psk === undefined ? undefined : preSharedKey({ psk: options.psk }),
    peerDiscovery: options.peerDiscovery,
    connectionGater: options.connectionGater,
    streamMuxers: (options.muxers ?? ['yamux', 'mplex']).map(muxerFactory),
    connectionManager: {
      inboundConnectionThreshold: options.inboundConnectionThreshold ?? 100,
      dialTimeout: 5000
    },
    // libp2p pings every connection every 10 s by default, a stream each: the ring's own requests
    // already find dead neighbours, and each request has a timeout
    connectionMonitor: { pingInterval: 60_000 },
    services: {
      identify: identify(),
      ping: ping(),
      chord: chord(dir === undefined ? options.chord : { ...options.chord, datastore: dir.datastore })
    }
  }
}

/**
 * The datastore is ours to close, once libp2p no longer uses it; a record
 * the store cannot read at start is a damaged data directory
 */
function ownDataDir (node: ChordNode, path: string, datastore: { close(): Promise<void> }): void {
  const start = node.start.bind(node)
  const stop = node.stop.bind(node)
  node.start = async () => {
    try {
      await start()
    } catch (err) {
      const code = (err as { code?: string }).code
      if (code !== 'ERR_INVALID_RECORD' && !/corrupt/i.test(errorMessage(err))) throw err
      await Promise.resolve(node.stop()).catch(() => {})
      throw new DataDirError(`${join(path, 'datastore')}: ${errorMessage(err)} (run "chord doctor --data ${path}")`)
    }
  }
  node.stop = async () => {
    await stop()
    await datastore.close()
  }
}
