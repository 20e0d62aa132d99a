/**
 * The Chord service: wires the ring logic (src/ring) and the replicated
 * store (src/store) to libp2p — the /chord/1.0.0 protocol handler, the RPC
 * client, the node's datastore, joining through bootstrap addresses, the
 * graceful leave with handoff when the node stops, and libp2p's content
 * routing interface.
 */
import { NotFoundError, TypedEventEmitter, contentRoutingSymbol, serviceCapabilities } from '@libp2p/interface'
import { multiaddr } from '@multiformats/multiaddr'
import { errorMessage } from './util/errors.ts'
import { keyId, nodeId } from './ring/id.ts'
import { describeNode } from './ring/node-ref.ts'
import { RingPeer } from './ring/ring-peer.ts'
import { ChordMetrics } from './metrics.ts'
import { NodeCodec } from './rpc/node-codec.ts'
import { RingRpcClient, registerRingMethods } from './rpc/ring-protocol.ts'
import { ChordLoopback, StoreLoopback } from './rpc/loopback.ts'
import { StoreRpcClient, registerStoreMethods } from './rpc/store-protocol.ts'
import { HybridClock } from './store/hlc.ts'
import { ReplicatedStore } from './store/replicated-store.ts'
import { replicaSet } from './store/replicas.ts'
import { resolveOptions } from './constants.ts'
import { realClock, sleep } from './util/clock.ts'
import { buildClient, buildLocalStore, buildServer, recordLimits, storeLimits, storeOptions } from './wiring.ts'
import type { ResolvedOptions } from './constants.ts'
import type { KeyLocation, ReadOptions, WriteOptions } from './store/replicated-store.ts'
import type { LocalStore, StoreStats } from './store/local-store.ts'
import type { RpcClient } from './rpc/rpc-client.ts'
import type { RpcServer } from './rpc/rpc-server.ts'
import type { StoreRecord, Version } from './store/record.ts'
import type { RangePage } from './store/types.ts'
import type { ChordComponents, ChordEvents, ChordInit, ChordLimits, Chord, ExportRangeOptions, Placement, RingState } from './index.ts'
import type { Id } from './ring/id.ts'
import type { LookupResult } from './ring/lookup.ts'
import type { NodeRef } from './ring/types.ts'
import type { ContentRouting, Logger, PeerInfo, Startable } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

export { PROTOCOL } from './constants.ts'

const encoder = new TextEncoder()
const bytesOf = (data: Uint8Array | string): Uint8Array => typeof data === 'string' ? encoder.encode(data) : data

export class ChordService extends TypedEventEmitter<ChordEvents> implements Chord, Startable {
  readonly [Symbol.toStringTag] = '@libp2p/chord'
  readonly [serviceCapabilities]: string[] = ['@libp2p/chord', '@libp2p/content-routing']

  private readonly components: ChordComponents
  private readonly options: ResolvedOptions
  private readonly bootstrap: string[]
  private readonly log: Logger
  private readonly client: RpcClient
  private readonly server: RpcServer
  private readonly codec: NodeCodec
  private readonly metrics: ChordMetrics
  readonly ring: RingPeer
  readonly store: ReplicatedStore
  private readonly local: LocalStore
  /** leave gracefully (tell neighbours, hand data over) when the node stops */
  leaveOnStop: boolean
  private joining: AbortController | undefined
  private running = false

  constructor (components: ChordComponents, init: ChordInit = {}) {
    super()
    this.components = components
    this.options = resolveOptions(init)
    this.bootstrap = [...(init.bootstrap ?? [])]
    this.leaveOnStop = this.options.leaveOnStop
    this.log = components.logger.forComponent('chord')
    this.codec = new NodeCodec({ maxAddrs: this.options.maxAddrsPerNode })
    this.metrics = new ChordMetrics(components.metrics, () => this.local.stats())
    this.client = buildClient(components, this.options, this.log, this.metrics)
    this.server = buildServer(this.options, this.log, this.metrics)
    this.local = buildLocalStore(components, this.options)
    this.ring = this.buildRing()
    this.store = this.buildStore()
  }

  /** The ring logic, its messages on /chord/1.0.0, and its events turned into the service's */
  private buildRing (): RingPeer {
    const { options, components } = this
    const peer = components.peerId.toString()
    const limits = { maxNodesPerMessage: options.maxNodesPerMessage, maxAddrsPerNode: options.maxAddrsPerNode }
    const ring: RingPeer = new RingPeer({
      peer,
      peerBytes: components.peerId.toMultihash().bytes,
      addrs: () => components.addressManager.getAddresses().map(a => a.toString()),
      rpc: new ChordLoopback(peer, new RingRpcClient(this.client, this.codec, limits), () => ring),
      virtualNodes: options.virtualNodes,
      successorListLength: options.successorListLength,
      locationCacheSize: options.locationCacheSize,
      stabilizeInterval: options.stabilizeInterval,
      fixFingersInterval: options.fixFingersInterval,
      checkPredecessorInterval: options.checkPredecessorInterval,
      // ring unification after partitions: lost members are probed on the stabilization's time scale
      probeInterval: 2 * options.stabilizeInterval,
      maxProbeInterval: 10 * options.stabilizeInterval,
      onProbe: (outcome) => { this.metrics.probe(outcome) },
      log: this.log,
      onSuccessorChange: (vnode, previous, current) => {
        this.log('position %d: successor %s -> %s', vnode, describeNode(previous), describeNode(current))
        this.store.ringChanged()
        this.metrics.ringChange('successor')
        this.safeDispatchEvent('successor:change', { detail: { vnode, previous, current } })
      },
      onPredecessorChange: (vnode, previous, current) => {
        this.log('position %d: predecessor %s -> %s', vnode, describeNode(previous), describeNode(current))
        this.store.predecessorChanged()
        this.metrics.ringChange('predecessor')
        this.safeDispatchEvent('predecessor:change', { detail: { vnode, previous, current } })
      },
      onSuccessorListChange: () => { this.store.successorsChanged() },
      onLookup: (hops) => { this.metrics.lookup(hops) }
    })
    registerRingMethods(this.server, ring, this.codec, limits)
    return ring
  }

  /** The replicated store over the ring, and its messages on /chord/1.0.0 */
  private buildStore (): ReplicatedStore {
    const { options } = this
    const peer = this.components.peerId.toString()
    const limits = storeLimits(options)
    const store: ReplicatedStore = new ReplicatedStore({
      ring: this.ring,
      rpc: new StoreLoopback(peer, new StoreRpcClient(this.client, this.codec, limits), () => store.replica),
      local: this.local,
      hlc: new HybridClock({ now: options.wallClock }),
      limits: recordLimits(options),
      options: storeOptions(options),
      log: this.log,
      onOwnerCheck: (outcome) => { this.metrics.ownerCheck(outcome) },
      onReadBeyond: () => { this.metrics.readBeyond() },
      onProgress: (progress) => {
        this.metrics.transfer(progress.reason, progress.direction, progress.keys, progress.bytes)
        this.safeDispatchEvent('transfer:progress', { detail: progress })
      }
    })
    registerStoreMethods(this.server, store.replica, this.codec, limits)
    return store
  }

  /** libp2p's content routing: put/get of values, as @libp2p/kad-dht offers them */
  get [contentRoutingSymbol] (): Partial<ContentRouting> {
    return {
      put: async (key, value, options) => { await this.put(key, value, options) },
      get: async (key, options) => {
        const value = await this.get(key, options)
        if (value === undefined) throw new NotFoundError('no value stored under this key')
        return value
      }
    }
  }

  /** Position of this peer's first virtual node */
  get id (): Id {
    return this.ring.nodes[0].self.id
  }

  get joined (): boolean {
    return this.ring.joined
  }

  async start (): Promise<void> {
    await this.local.open()
    this.client.start()
    await this.components.registrar.handle(this.options.protocol, (stream, connection) => {
      this.server.handleStream(stream, connection)
    }, {
      maxInboundStreams: this.options.maxInboundStreams,
      maxOutboundStreams: this.options.maxOutboundStreams
    })
    this.running = true
  }

  /** Join (or create) the ring once the transports listen */
  async afterStart (): Promise<void> {
    this.ring.start()
    this.store.start()
    this.components.events?.addEventListener('peer:discovery', this.onDiscovery)
    if (!this.options.autoJoin) return
    this.join(this.bootstrap).catch(err => {
      if (this.running) this.log.error('could not join the ring: %s', errorMessage(err))
    })
  }

  /**
   * A peer discovery found (mDNS, say): once we are a ring member, probe it —
   * it may be a member of another ring (formed apart while the LAN was
   * split), and then the two rings merge
   */
  private readonly onDiscovery = ({ detail }: CustomEvent<PeerInfo>): void => {
    if (!this.joined) return
    const peer = detail.id
    const addrs = detail.multiaddrs.map(a => a.toString())
    this.ring.meet({ id: nodeId(peer.toMultihash().bytes, 0), peer: peer.toString(), vnode: 0, addrs })
  }

  /** Graceful leave while the transports still work */
  async beforeStop (): Promise<void> {
    this.components.events?.removeEventListener('peer:discovery', this.onDiscovery)
    this.running = false
    this.joining?.abort(new Error('node stopping'))
    if (this.leaveOnStop) await this.leave()
    // maintenance ends here, while the transports still work; stop() only closes
    this.ring.stop()
    this.store.stop()
  }

  async stop (): Promise<void> {
    this.running = false
    await this.components.registrar.unhandle(this.options.protocol)
    this.client.stop()
    this.server.close()
    await this.local.close()
  }

  /**
   * Join the ring through any of `addrs` (multiaddrs of members), retrying
   * with backoff until one answers. With no address other than our own,
   * create a new ring.
   */
  async join (addrs: string[] = this.bootstrap, options: { signal?: AbortSignal } = {}): Promise<void> {
    if (this.joined) return
    for (const addr of addrs) parseMultiaddr(addr)
    this.joining?.abort()
    const controller = new AbortController()
    this.joining = controller
    const signal = options.signal === undefined ? controller.signal : AbortSignal.any([controller.signal, options.signal])
    let delay = this.options.joinRetryMinDelay
    for (let attempt = 1; ; attempt++) {
      // our own listen addresses may only be known once the transports listen
      const seeds = addrs.filter(a => !this.isOwnAddress(a))
      if (seeds.length === 0) {
        await this.ring.create()
        this.safeDispatchEvent('ring:joined', { detail: { via: undefined } })
        return
      }
      for (const seed of shuffle(seeds)) {
        signal.throwIfAborted()
        try {
          await this.joinVia(seed, signal)
          this.log('joined the ring through %s', seed)
          this.safeDispatchEvent('ring:joined', { detail: { via: seed } })
          return
        } catch (err) {
          signal.throwIfAborted()
          this.log('join through %s failed (attempt %d): %s', seed, attempt, errorMessage(err))
        }
      }
      await sleep(realClock, delay * (0.5 + Math.random()), signal)
      delay = Math.min(delay * 2, this.options.joinRetryMaxDelay)
    }
  }

  private async joinVia (addr: string, signal: AbortSignal): Promise<void> {
    const connection = await this.components.connectionManager.openConnection(multiaddr(addr), {
      signal: AbortSignal.any([signal, AbortSignal.timeout(this.options.dialTimeout)])
    })
    const peer = connection.remotePeer
    if (peer.equals(this.components.peerId)) throw new Error(`${addr} is this peer`)
    const via: NodeRef = { id: nodeId(peer.toMultihash().bytes, 0), peer: peer.toString(), vnode: 0, addrs: [addr] }
    await this.ring.join(via)
  }

  private isOwnAddress (addr: string): boolean {
    const ma = parseMultiaddr(addr)
    const self = this.components.peerId.toString()
    if (ma.getComponents().some(c => c.name === 'p2p' && c.value === self)) return true
    const bare = (s: string): string => s.replace(/\/p2p\/[^/]+$/, '')
    const own = new Set(this.components.addressManager.getAddresses().map(a => bare(a.toString())))
    return own.has(bare(ma.toString()))
  }

  /**
   * Graceful leave: neighbours are told so the ring closes at once, then
   * every key held here is handed to the peers that now replicate it.
   */
  async leave (): Promise<void> {
    if (!this.ring.nodes.some(n => n.joined)) return
    await this.ring.leave()
    this.log('left the ring; handing over %d keys', this.local.stats().keys + this.local.stats().tombstones)
    const { handed, remaining } = await this.store.leave()
    this.log('handed over %d keys%s', handed, remaining > 0 ? `, ${remaining} could not be` : '')
    this.safeDispatchEvent('ring:left', { detail: { handed, remaining } })
  }

  async put (key: Uint8Array | string, value: Uint8Array | string, options?: WriteOptions): Promise<Version> {
    return this.timed('put', async () => this.store.put(bytesOf(key), bytesOf(value), options))
  }

  async putMany (entries: Iterable<{ key: Uint8Array | string, value: Uint8Array | string }>, options?: WriteOptions): Promise<Version[]> {
    return this.store.putMany([...entries].map(e => ({ key: bytesOf(e.key), value: bytesOf(e.value) })), options)
  }

  async get (key: Uint8Array | string, options?: ReadOptions): Promise<Uint8Array | undefined> {
    return this.timed('get', async () => this.store.get(bytesOf(key), options))
  }

  async has (key: Uint8Array | string, options?: ReadOptions): Promise<boolean> {
    return this.store.has(bytesOf(key), options)
  }

  async delete (key: Uint8Array | string, options?: WriteOptions): Promise<Version> {
    return this.timed('delete', async () => this.store.delete(bytesOf(key), options))
  }

  private async timed<T> (operation: string, run: () => Promise<T>): Promise<T> {
    const done = this.metrics.operation(operation)
    try {
      const result = await run()
      done(true)
      return result
    } catch (err) {
      done(false)
      throw err
    }
  }

  async lookup (key: Uint8Array | string, options?: { signal?: AbortSignal }): Promise<KeyLocation> {
    return this.store.lookup(bytesOf(key), options)
  }

  /** The record this peer itself holds for `key` (tombstones included), without asking the ring */
  async getLocalRecord (key: Uint8Array | string): Promise<StoreRecord | undefined> {
    return this.local.get(bytesOf(key))
  }

  /** The records this peer itself holds in (from, to], in ring order (tombstones included), for exports */
  async * localRecords (from: Id, to: Id, options?: { signal?: AbortSignal }): AsyncGenerator<StoreRecord> {
    yield * this.local.range(from, to, options)
  }

  /** What this peer holds: keys, tombstones, bytes */
  storeStats (): StoreStats {
    return this.store.stats()
  }

  /** The member responsible for `key` (bytes or UTF-8 string), with the hops it took */
  async findSuccessor (key: Uint8Array | string, options: { signal?: AbortSignal } = {}): Promise<LookupResult> {
    return this.findSuccessorOfId(keyId(bytesOf(key)), options)
  }

  /** findSuccessor for a position on the ring */
  async findSuccessorOfId (id: Id, options: { signal?: AbortSignal } = {}): Promise<LookupResult> {
    return this.ring.findSuccessor(id, options)
  }

  getRingState (): RingState {
    return { peer: this.components.peerId.toString(), joined: this.joined, positions: this.ring.getState() }
  }

  /** r: the distinct peers holding each key */
  get replicationFactor (): number {
    return this.options.replicas
  }

  /** The sizes this peer accepts, for front ends that check input before the ring does */
  get limits (): ChordLimits {
    return { maxKeyBytes: this.options.maxKeyBytes, maxValueBytes: this.options.maxValueBytes, maxItemsPerMessage: this.options.maxItemsPerMessage }
  }

  /** Where the keys at ring position `id` live: successor(id) and the replica set from it on */
  async placement (id: Id, options: { signal?: AbortSignal } = {}): Promise<Placement> {
    const found = await this.ring.findSuccessor(id, options)
    return { id, owner: found.owner, replicas: replicaSet(found.successors, this.options.replicas), hops: found.hops }
  }

  /**
   * One page of the records `node` holds in (from, until], in ring order
   * from `from` on, tombstones included: RANGE_RECORDS, checked as the
   * store's own range reads are
   */
  async exportRange (node: NodeRef, from: Id, until: Id, options: ExportRangeOptions = {}): Promise<RangePage> {
    const maxRecords = Math.max(1, Math.min(options.maxRecords ?? 256, this.options.maxItemsPerMessage))
    const maxBytes = options.maxBytes ?? 1024 * 1024
    // the store's own client: its loopback answers for this peer in process
    return this.store.context.rpc.rangeRecords(node, from, until, maxRecords, maxBytes, { signal: options.signal })
  }

}

function parseMultiaddr (addr: string): Multiaddr {
  try {
    return multiaddr(addr)
  } catch (err) {
    throw new TypeError(`invalid bootstrap multiaddr ${JSON.stringify(addr)}: ${errorMessage(err)}`)
  }
}

function shuffle<T> (items: readonly T[]): T[] {
  const out = [...items]
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]]
  }
  return out
}
