/**
 * The Chord service: wires the ring logic (src/ring) and the replicated
 * store (src/store) to libp2p — the /chord/1.0.0 protocol handler, the RPC
 * client, the node's datastore, joining through bootstrap addresses, the
 * graceful leave with handoff when the node stops, and libp2p's content
 * routing interface.
 */
import { NotFoundError, TypedEventEmitter, contentRoutingSymbol, serviceCapabilities } from '@libp2p/interface'
import { errorMessage } from './util/errors.ts'
import { keyId } from './ring/id.ts'
import type { ClientRing } from './ring/client-ring.ts'
import { RingPeer } from './ring/ring-peer.ts'
import { ChordMetrics } from './metrics.ts'
import { NodeCodec } from './rpc/node-codec.ts'
import { RingRpcClient, registerRingMethods } from './rpc/ring-protocol.ts'
import { StoreLoopback } from './rpc/loopback.ts'
import { StoreRpcClient, registerStoreMethods } from './rpc/store-protocol.ts'
import { CLIENT_METHODS, clientProtocol } from './rpc/client-methods.ts'
import { HybridClock } from './store/hlc.ts'
import { ReplicatedStore } from './store/replicated-store.ts'
import { replicaSet } from './store/replicas.ts'
import { resolveOptions } from './constants.ts'
import { buildClient, buildClientRing, buildLocalStore, buildRingPeer, buildServer, handleProtocols, recordLimits, ringLimits, storeLimits, storeOptions, unhandleProtocols } from './wiring.ts'
import { ClientLink, ringOfMode } from './client-mode.ts'
import { contactOf, joinRing, parseMultiaddr } from './joining.ts'
import { forgetPosition, restorePosition, savePosition } from './position-mark.ts'
import type { ResolvedOptions } from './constants.ts'
import type { KeyLocation, ReadOptions, WriteOptions } from './store/replicated-store.ts'
import type { LocalStore, StoreStats } from './store/local-store.ts'
import type { RpcClient } from './rpc/rpc-client.ts'
import type { RpcServer } from './rpc/rpc-server.ts'
import type { StoreRecord, Version } from './store/record.ts'
import type { RangePage, RingView } from './store/types.ts'
import type { ChordComponents, ChordEvents, ChordInit, ChordLimits, Chord, ExportRangeOptions, Placement, RingState } from './index.ts'
import type { Id } from './ring/id.ts'
import type { LookupResult } from './ring/lookup.ts'
import type { NodeRef } from './ring/types.ts'
import type { ContentRouting, IdentifyResult, Logger, PeerInfo, Startable } from '@libp2p/interface'

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
  /** the ring as a client sees it (client mode) */
  readonly clientRing: ClientRing
  /** the one of the two the store works on */
  private readonly view: RingView
  private readonly link: ClientLink
  /** what members answer clients on `<protocol>/client` */
  private readonly clientServer: RpcServer
  private isClient: boolean
  private switching: Promise<void> = Promise.resolve()
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
    this.isClient = this.options.clientMode
    this.log = components.logger.forComponent('chord')
    this.codec = new NodeCodec({ maxAddrs: this.options.maxAddrsPerNode })
    this.metrics = new ChordMetrics(components.metrics, () => this.local.stats())
    this.client = buildClient(components, this.options, this.log, this.metrics)
    this.server = buildServer(this.options, this.log, this.metrics)
    this.local = buildLocalStore(components, this.options)
    this.ring = this.buildRing()
    const ringRpc = new RingRpcClient(this.client, this.codec, ringLimits(this.options))
    this.clientRing = buildClientRing(components, this.options, ringRpc, this.log, this.metrics, async (options) => { await this.link.whenNoMembers(options) })
    this.link = new ClientLink({ components, options: this.options, ring: this.clientRing, log: this.log })
    this.view = ringOfMode(this.ring, this.clientRing, () => this.isClient)
    this.store = this.buildStore()
    this.clientServer = this.server.subset(CLIENT_METHODS)
    if (this.isClient) this.client.setProtocol(clientProtocol(this.options.protocol))
  }

  /** The ring logic, its messages on /chord/1.0.0, and its events turned into the service's */
  private buildRing (): RingPeer {
    const ring = buildRingPeer(this.components, this.options, new RingRpcClient(this.client, this.codec, ringLimits(this.options)), {
      log: this.log,
      metrics: this.metrics,
      store: () => this.store,
      emit: (type, detail) => { this.safeDispatchEvent(type, { detail }) },
      positionChanged: (vnode) => { savePosition(this.local, this.ring, vnode, this.log) }
    })
    registerRingMethods(this.server, ring, this.codec, ringLimits(this.options))
    return ring
  }

  /** The replicated store over the ring, and its messages on /chord/1.0.0 */
  private buildStore (): ReplicatedStore {
    const { options } = this
    const peer = this.components.peerId.toString()
    const limits = storeLimits(options)
    const store: ReplicatedStore = new ReplicatedStore({
      ring: this.view,
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
    await restorePosition(this.local, this.ring, this.options.positionChoices, this.log)
    this.client.start()
    if (!this.isClient) await this.handle()
    this.running = true
  }

  /** Members answer members on the ring's protocol, and clients on `<protocol>/client`; a client handles neither */
  private async handle (): Promise<void> {
    await handleProtocols(this.components, this.options, this.server, this.clientServer)
  }

  private async unhandle (): Promise<void> {
    await unhandleProtocols(this.components, this.options)
  }

  /** Join (or create) the ring once the transports listen; a client connects to members */
  async afterStart (): Promise<void> {
    this.components.events?.addEventListener('peer:discovery', this.onDiscovery)
    this.components.events?.addEventListener('peer:identify', this.onIdentify)
    if (this.isClient) {
      this.link.start(this.options.autoJoin ? this.bootstrap : [], [])
      return
    }
    this.ring.start()
    this.store.start()
    if (this.options.autoJoin) this.joinInBackground(this.bootstrap)
  }

  private joinInBackground (addrs: string[]): void {
    this.join(addrs).catch(err => {
      if (this.running) this.log.error('could not join the ring: %s', errorMessage(err))
    })
  }

  /**
   * A peer discovery found (mDNS, say): once we are a ring member, probe it —
   * it may be a member of another ring (formed apart while the LAN was
   * split), and then the two rings merge. A client connects to it, to learn
   * whether it is a member.
   */
  private readonly onDiscovery = ({ detail }: CustomEvent<PeerInfo>): void => {
    if (this.isClient) {
      this.link.discovered(detail)
      return
    }
    if (!this.joined) return
    const peer = detail.id
    const addrs = detail.multiaddrs.map(a => a.toString())
    this.ring.meet(contactOf(peer, addrs))
  }

  /** A connected peer's protocols are known: a client routes through members; a member never probes a peer that is none */
  private readonly onIdentify = ({ detail }: CustomEvent<IdentifyResult>): void => {
    if (this.isClient) this.link.identified(detail)
    else if (!detail.protocols.includes(this.options.protocol)) this.ring.unmeet(detail.peerId.toString())
  }

  /** Graceful leave while the transports still work */
  async beforeStop (): Promise<void> {
    this.components.events?.removeEventListener('peer:discovery', this.onDiscovery)
    this.components.events?.removeEventListener('peer:identify', this.onIdentify)
    this.running = false
    this.joining?.abort(new Error('node stopping'))
    this.link.stop()
    if (this.leaveOnStop) await this.leave()
    // maintenance ends here, while the transports still work; stop() only closes
    this.ring.stop()
    this.store.stop()
  }

  async stop (): Promise<void> {
    this.running = false
    if (!this.isClient) await this.unhandle()
    this.client.stop()
    this.server.close()
    this.clientServer.close()
    await this.local.close()
  }

  /** 'client': use the ring without being a member (clientMode); 'server': a ring member */
  getMode (): 'client' | 'server' {
    return this.isClient ? 'client' : 'server'
  }

  /**
   * Switch at run time. To client mode: leave the ring gracefully (keys are
   * handed over) and stop answering as a member, then route through the
   * members known. To server mode: answer as a member and join the ring
   * through the bootstrap addresses and the members the client knew.
   */
  async setMode (mode: 'client' | 'server'): Promise<void> {
    if (mode !== 'client' && mode !== 'server') throw new TypeError(`mode must be 'client' or 'server', got ${JSON.stringify(mode)}`)
    // one switch at a time, in the order asked
    const switched = this.switching.then(async () => this.switchMode(mode))
    this.switching = switched.catch(() => {})
    return switched
  }

  private async switchMode (mode: 'client' | 'server'): Promise<void> {
    if ((mode === 'client') === this.isClient) return
    if (mode === 'client') {
      const known = this.ring.knownMembers()
      this.joining?.abort(new Error('switching to client mode'))
      await this.leave()
      this.ring.stop()
      this.store.stop()
      this.isClient = true
      await this.unhandle()
      this.client.setProtocol(clientProtocol(this.options.protocol))
      this.link.start(this.bootstrap, known)
      return
    }
    const known = this.clientRing.members().flatMap(m => m.addrs.slice(0, 1).map(a => a.includes('/p2p/') ? a : `${a}/p2p/${m.peer}`))
    this.link.stop()
    this.isClient = false
    this.client.setProtocol(this.options.protocol)
    this.store.context.leaving = false
    await this.handle()
    this.ring.start()
    this.store.start()
    this.joinInBackground([...this.bootstrap, ...known])
  }

  /**
   * Join the ring through any of `addrs` (multiaddrs of members), retrying
   * with backoff until one answers. With no address other than our own,
   * create a new ring. In client mode: connect to them, to route through.
   */
  async join (addrs: string[] = this.bootstrap, options: { signal?: AbortSignal } = {}): Promise<void> {
    for (const addr of addrs) parseMultiaddr(addr)
    if (this.isClient) return this.link.connect(addrs, options.signal)
    if (this.joined) return
    this.joining?.abort()
    const controller = new AbortController()
    this.joining = controller
    const signal = options.signal === undefined ? controller.signal : AbortSignal.any([controller.signal, options.signal])
    await joinRing({
      components: this.components,
      options: this.options,
      ring: this.ring,
      log: this.log,
      onJoined: (via) => { this.safeDispatchEvent('ring:joined', { detail: { via } }) }
    }, addrs, signal)
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
    if (remaining === 0) await forgetPosition(this.local, this.ring, this.log)
    this.log('handed over %d keys%s', handed, remaining > 0 ? `, ${remaining} could not be` : '')
    this.safeDispatchEvent('ring:left', { detail: { handed, remaining } })
  }

  async put (key: Uint8Array | string, value: Uint8Array | string, options?: WriteOptions): Promise<Version> {
    return this.metrics.timed('put', async () => this.store.put(bytesOf(key), bytesOf(value), options))
  }

  async putMany (entries: Iterable<{ key: Uint8Array | string, value: Uint8Array | string }>, options?: WriteOptions): Promise<Version[]> {
    return this.store.putMany([...entries].map(e => ({ key: bytesOf(e.key), value: bytesOf(e.value) })), options)
  }

  async get (key: Uint8Array | string, options?: ReadOptions): Promise<Uint8Array | undefined> {
    return this.metrics.timed('get', async () => this.store.get(bytesOf(key), options))
  }

  async has (key: Uint8Array | string, options?: ReadOptions): Promise<boolean> {
    return this.store.has(bytesOf(key), options)
  }

  async delete (key: Uint8Array | string, options?: WriteOptions): Promise<Version> {
    return this.metrics.timed('delete', async () => this.store.delete(bytesOf(key), options))
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
    return this.view.findSuccessor(id, options)
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
    const found = await this.view.findSuccessor(id, options)
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
