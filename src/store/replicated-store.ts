/**
 * The replicated key–value store on top of the ring.
 *
 * - A key lives on its first r distinct peers from successor(key) on.
 * - Any peer coordinates a put/get/delete: it sends to the replicas and
 *   answers once the consistency level's count acknowledged (durably stored)
 *   or answered. When it already knows the members around the key it skips
 *   the lookup: the peer it takes for the owner confirms in the same round
 *   trip (or the lookup follows). Versions are (hybrid clock, writer) so every
 *   replica keeps the same last write; deletes are tombstones.
 * - Reads repair replicas that answered with an older version or nothing.
 * - Maintenance: each position syncs its own range (pred, self] with the other
 *   replicas by range digests (pulls what a joining peer lacks, re-creates
 *   copies lost in a crash); a sweep hands keys this peer no longer replicates
 *   to their replicas, and drops them only once every replica acknowledged;
 *   a graceful leave hands everything over before the peer exits.
 */
import { betweenRightIncl, distance, keyId, RING_SIZE } from '../ring/id.ts'
import { Periodic } from '../util/periodic.ts'
import { realClock } from '../util/clock.ts'
import { silentLog } from '../util/log.ts'
import { errorMessage } from '../util/errors.ts'
import { ClockDriftError, InvalidRecordError, LeavingError, QuorumError, RecordTooLargeError } from './errors.ts'
import { assertWellFormed, isExpired, newer, sizeProblem } from './record.ts'
import { pushRecords, syncRange, xorDigests } from './range-sync.ts'
import { replicaSet, required } from './replicas.ts'
import type { LocalStore, StoreStats } from './local-store.ts'
import type { RecordLimits, StoreRecord, Version } from './record.ts'
import type { HybridClock } from './hlc.ts'
import type { RangeSyncInit, SyncResult } from './range-sync.ts'
import type { Consistency, FetchResult, Ownership, RangePage, RingView, StoreHandler, StoreRpc, TransferProgress, VersionEntry } from './types.ts'
import type { Id } from '../ring/id.ts'
import type { NodeRef, RequestOptions } from '../ring/types.ts'
import type { Clock } from '../util/clock.ts'
import type { Log } from '../util/log.ts'

/** consecutive sync or sweep rounds run at once because the one before moved data */
const MAX_REPEATS = 8
/** acknowledged versions dropped per datastore batch */
const DELETE_BATCH = 1024

export interface ReplicatedStoreInit {
  ring: RingView
  rpc: StoreRpc
  local: LocalStore
  hlc: HybridClock
  limits: RecordLimits
  /** replication factor r (default 3) */
  replicas?: number
  /** default consistency level of reads and writes (default QUORUM) */
  consistency?: Consistency
  /** ms between replica syncs of this peer's own ranges (default 5000) */
  syncInterval?: number
  /** ms between sweeps for keys this peer no longer replicates (default 30000; ring changes trigger one too) */
  sweepInterval?: number
  /** ms between collections of old tombstones and expired keys (default 60000) */
  gcInterval?: number
  /** how long a graceful leave may spend handing data over (default 30000) */
  leaveTimeout?: number
  batchRecords?: number
  batchBytes?: number
  versionsPage?: number
  /** batches in flight at once per transfer (default 3) */
  pipelineDepth?: number
  /**
   * ms a sweep another peer asked for waits, so that the successor lists
   * around a join have settled and lookups name the new replica sets
   * (default 5000; the service passes (r + 1) stabilization rounds)
   */
  sweepSoonDelay?: number
  /** ms between checks of whether the replica sets of this peer's ranges changed (default 500) */
  replicaWatchInterval?: number
  /** records a FETCH answers with at most, and bytes (default 256, 2 MiB) */
  maxFetchBytes?: number
  clock?: Clock
  log?: Log
  onProgress?(progress: TransferProgress): void
  /** a read or write went straight to a guessed owner: how its check ended */
  onOwnerCheck?(outcome: OwnerCheckOutcome): void
}

export type OwnerCheckOutcome = 'confirmed' | 'not_owner' | 'failed'

export interface WriteOptions extends RequestOptions {
  consistency?: Consistency
  /** ms until the key expires */
  ttl?: number
}

export interface ReadOptions extends RequestOptions {
  consistency?: Consistency
}

export interface KeyLocation {
  key: Id
  owner: NodeRef
  hops: number
  /** the key's replica set, with what each one holds */
  replicas: Array<{ node: NodeRef, version?: Version, deleted?: boolean, error?: string }>
}

/** A replica's answer to a read: the record it holds, if any */
interface ReadAnswer {
  node: NodeRef
  record: StoreRecord | undefined
}

export interface HandoffResult {
  /** keys handed to their replicas and dropped here */
  handed: number
  /** keys that could not be handed over this time */
  remaining: number
}

export class ReplicatedStore implements StoreHandler {
  private readonly init: ReplicatedStoreInit
  private readonly ring: RingView
  private readonly local: LocalStore
  private readonly r: number
  private readonly log: Log
  private readonly sync: RangeSyncInit
  private readonly tasks: Periodic[]
  private readonly sweeper: Periodic
  private readonly syncer: Periodic
  private readonly clock: Clock
  private readonly self: string
  private leaving = false
  private syncRepeats = 0
  private sweepRepeats = 0
  /** when the last sweep began, and a nudged sweep waiting for its turn */
  private lastSweep = -Infinity
  private nudged: unknown
  /** between start() and stop(): a stopped store sets no timer for anyone */
  private running = false
  /** the replica sets of this peer's ranges when last looked at */
  private replicaSets = ''

  constructor (init: ReplicatedStoreInit) {
    this.init = init
    this.ring = init.ring
    this.local = init.local
    this.self = init.ring.peer
    this.r = init.replicas ?? 3
    if (!Number.isInteger(this.r) || this.r < 1) throw new RangeError(`replicas must be a positive integer, got ${this.r}`)
    this.log = init.log ?? silentLog
    this.clock = init.clock ?? realClock
    this.sync = {
      local: init.local,
      rpc: init.rpc,
      batchRecords: init.batchRecords ?? 256,
      batchBytes: init.batchBytes ?? 1024 * 1024,
      versionsPage: init.versionsPage ?? 4096,
      pipelineDepth: init.pipelineDepth ?? 3,
      acceptMany: async (records, from) => this.acceptMany(records, from),
      onProgress: init.onProgress
    }
    this.syncer = new Periodic(async () => {
      // a round that moved data goes again at once (it checks the digests
      // again and takes what changed meanwhile), a bounded number of times
      if (await this.syncOwnRanges()) {
        if (this.syncRepeats++ < MAX_REPEATS) this.syncer.runSoon()
      } else {
        this.syncRepeats = 0
      }
    }, init.syncInterval ?? 5000, this.clock)
    this.sweeper = new Periodic(async () => {
      const { handed, remaining } = await this.sweep('handoff')
      if (handed > 0 && remaining > 0 && this.sweepRepeats++ < MAX_REPEATS) {
        this.sweeper.runSoon()
      } else {
        this.sweepRepeats = 0
      }
    }, init.sweepInterval ?? 30_000, this.clock)
    this.tasks = [
      this.syncer,
      this.sweeper,
      // a change of a replica set that no successor or predecessor change
      // announces (a peer joined or left two or more positions away)
      new Periodic(async () => { this.watchReplicaSets() }, init.replicaWatchInterval ?? 500, this.clock),
      new Periodic(async () => {
        const collected = await this.local.gc(Date.now())
        if (collected.tombstones + collected.expired > 0) this.log('gc: dropped %d tombstones, %d expired keys', collected.tombstones, collected.expired)
      }, init.gcInterval ?? 60_000, this.clock)
    ]
  }

  start (): void {
    this.leaving = false
    this.running = true
    for (const task of this.tasks) task.start()
  }

  stop (): void {
    this.running = false
    for (const task of this.tasks) task.stop()
    if (this.nudged !== undefined) this.clock.clearTimeout(this.nudged)
    this.nudged = undefined
  }

  /**
   * A position's predecessor changed. If a peer joined there, the peers
   * r − 1 and fewer positions further on now replicate less (the joiner took
   * a replica slot in front of them), but nothing in their own neighbourhood
   * changed: tell them to sweep now rather than at their next sweepInterval.
   */
  predecessorChanged (): void {
    this.ringChanged()
    const others = new Map<string, NodeRef>()
    for (const position of this.ring.memberPositions()) {
      for (const node of this.otherReplicas(position)) others.set(node.peer, node)
    }
    for (const node of others.values()) {
      this.sync.rpc.sweepSoon(node).catch(err => { this.log('could not ask %s to sweep: %s', node.peer, errorMessage(err)) })
    }
  }

  /**
   * Sweep soon: once the ring around the join has settled, and at most once
   * a second whoever asks (another peer may ask as often as it likes)
   */
  sweepSoon (): void {
    if (!this.running || this.leaving || this.nudged !== undefined) return
    const wait = Math.max(this.init.sweepSoonDelay ?? 5000, this.lastSweep + 1000 - this.clock.now())
    this.nudged = this.clock.setTimeout(() => {
      this.nudged = undefined
      this.sweeper.runSoon()
    }, wait)
  }

  /** The replica set of a position's own range (predecessor, self] */
  private positionReplicas (position: { self: NodeRef, successors: NodeRef[] }): NodeRef[] {
    return replicaSet([position.self, ...position.successors], this.r)
  }

  /** ...without this peer */
  private otherReplicas (position: { self: NodeRef, successors: NodeRef[] }): NodeRef[] {
    return this.positionReplicas(position).filter(n => n.peer !== this.self)
  }

  /** The ring around this peer changed: re-check replicas soon */
  ringChanged (): void {
    this.syncer.runSoon()
    this.sweeper.runSoon()
  }

  /** Run a sync and a sweep when the replica sets of this peer's ranges changed */
  private watchReplicaSets (): void {
    const now = this.ring.memberPositions().map(p => [
      p.predecessor?.id.toString(16),
      p.self.id.toString(16),
      ...this.positionReplicas(p).map(n => n.peer)
    ].join(',')).join(';')
    if (now === this.replicaSets) return
    const first = this.replicaSets === ''
    this.replicaSets = now
    if (!first) this.ringChanged()
  }

  stats (): StoreStats {
    return this.local.stats()
  }

  // --- the coordinator: operations any peer can run for any key ---

  async put (key: Uint8Array, value: Uint8Array, options: WriteOptions = {}): Promise<Version> {
    return this.write(this.newRecord(key, value, false, options.ttl), options)
  }

  /** Write a tombstone: the key reads as absent on every replica, even ones that missed the delete */
  async delete (key: Uint8Array, options: WriteOptions = {}): Promise<Version> {
    return this.write(this.newRecord(key, new Uint8Array(0), true, undefined), options)
  }

  async putMany (entries: Iterable<{ key: Uint8Array, value: Uint8Array }>, options: WriteOptions = {}, concurrency = 32): Promise<Version[]> {
    const list = [...entries]
    const versions: Version[] = new Array(list.length)
    // check everything first, so a bad entry fails the batch before any write
    list.forEach(({ key, value }) => { this.newRecord(key, value, false, options.ttl) })
    let next = 0
    await Promise.all(Array.from({ length: Math.min(concurrency, list.length) }, async () => {
      while (next < list.length) {
        const i = next++
        versions[i] = await this.put(list[i].key, list[i].value, options)
      }
    }))
    return versions
  }

  /** The value of `key`, or undefined when it is absent, deleted or expired */
  async get (key: Uint8Array, options: ReadOptions = {}): Promise<Uint8Array | undefined> {
    const record = await this.getRecord(key, options)
    return record === undefined || record.deleted || isExpired(record, Date.now()) ? undefined : record.value
  }

  async has (key: Uint8Array, options: ReadOptions = {}): Promise<boolean> {
    return (await this.get(key, options)) !== undefined
  }

  /** Which peers should hold `key`, and what each of them holds */
  async lookup (key: Uint8Array, options: RequestOptions = {}): Promise<KeyLocation> {
    this.checkKey(key)
    const found = await this.ring.findSuccessor(keyId(key), options)
    const replicas = await Promise.all(replicaSet(found.successors, this.r).map(async node => {
      try {
        const { records: [record] } = await this.sync.rpc.fetch(node, [key], options)
        return { node, version: record?.version, deleted: record?.deleted }
      } catch (err) {
        return { node, error: errorMessage(err) }
      }
    }))
    return { key: found.key, owner: found.owner, hops: found.hops, replicas }
  }

  /**
   * The newest record the replicas hold (tombstones included). Asks as many
   * replicas as the consistency level needs, owner first, and more when one
   * fails; an absent key is only concluded once every replica answered, so a
   * replica still receiving its handoff cannot hide a write.
   */
  async getRecord (key: Uint8Array, options: ReadOptions = {}): Promise<StoreRecord | undefined> {
    this.checkKey(key)
    const consistency = options.consistency ?? this.init.consistency ?? 'QUORUM'
    try {
      const direct = await this.readDirect(key, consistency, options)
      const replicas = direct.replicas ?? await this.replicasOf(key, options)
      return await this.readFrom(key, replicas, consistency, direct.answers, options)
    } catch (err) {
      // the caller gave up: say so, rather than how the requests it cut short failed
      options.signal?.throwIfAborted()
      throw err
    }
  }

  /**
   * The first round of a read without a lookup: ask the replicas this peer
   * already knows of, the guessed owner with an owner check. If the owner
   * confirms, its successor list names the replica set; answers from peers
   * in that set count whatever way the set was learned.
   */
  private async readDirect (key: Uint8Array, consistency: Consistency, options: RequestOptions): Promise<{ replicas?: NodeRef[], answers: ReadAnswer[] }> {
    const guess = this.ring.knownSuccessors(keyId(key), this.r)
    if (guess === undefined || guess.length === 0) return { answers: [] }
    const [owner, ...others] = guess.slice(0, Math.max(required(consistency, guess.length), 1))
    const answers: ReadAnswer[] = []
    const [checked] = await Promise.all([
      this.checkOwner(guess, async () => this.sync.rpc.fetchChecked(owner, key, options)),
      ...others.map(async node => this.sync.rpc.fetch(node, [key], options).then(({ records: [record] }) => { answers.push({ node, record }) }, () => {}))
    ])
    if (checked === undefined) return { answers }
    answers.push({ node: owner, record: checked.answer.record })
    return { replicas: checked.replicas, answers }
  }

  /**
   * Run an owner-checked request to `guess[0]`; undefined unless it
   * confirmed, with successors that can be right. They are remembered for
   * later guesses, and a guess that does not answer is forgotten, so the
   * next one does not wait on it again.
   */
  private async checkOwner<T extends { ownership: Ownership }> (guess: NodeRef[], request: () => Promise<T>): Promise<{ answer: T, replicas: NodeRef[] } | undefined> {
    const owner = guess[0]
    try {
      const answer = await request()
      const replicas = answer.ownership.owner ? this.confirmedReplicas(owner, answer.ownership.successors, guess.length) : undefined
      this.init.onOwnerCheck?.(replicas !== undefined ? 'confirmed' : 'not_owner')
      if (replicas === undefined) return undefined
      this.ring.learn(answer.ownership.successors)
      return { answer, replicas }
    } catch (err) {
      this.init.onOwnerCheck?.('failed')
      if (owner.peer !== this.self) this.ring.forget(owner)
      this.log('owner check of %s failed: %s', owner.peer, errorMessage(err))
      return undefined
    }
  }

  /**
   * The replica set an owner's successor list names, read up to where the
   * list wraps round the ring; undefined when it names fewer peers than we
   * already know of there (a lie, or a list still being repaired): a lookup
   * decides then.
   */
  private confirmedReplicas (owner: NodeRef, successors: NodeRef[], known: number): NodeRef[] | undefined {
    const inOrder: NodeRef[] = [owner]
    let last = 0n
    for (const node of successors) {
      const d = distance(owner.id, node.id)
      if (d <= last) break
      inOrder.push(node)
      last = d
    }
    const replicas = replicaSet(inOrder, this.r)
    return replicas.length < Math.min(this.r, known) ? undefined : replicas
  }

  /** Complete a read on `replicas`, given the answers some of them already gave */
  private async readFrom (key: Uint8Array, replicas: NodeRef[], consistency: Consistency, given: ReadAnswer[], options: RequestOptions): Promise<StoreRecord | undefined> {
    if (replicas.length === 0) throw new QuorumError('no replica to read from')
    const needed = required(consistency, replicas.length)
    const member = new Set(replicas.map(n => n.peer))
    const answers = given.filter(a => member.delete(a.node.peer))
    const unasked = replicas.filter(n => member.has(n.peer))
    const errors: string[] = []
    const asked: Array<Promise<void>> = []
    let inFlight = 0
    let newest: StoreRecord | undefined
    const consider = (record: StoreRecord | undefined): void => {
      if (record !== undefined && (newest === undefined || newer(record.version, newest.version))) newest = record
    }
    answers.forEach(a => { consider(a.record) })
    const result = await new Promise<StoreRecord | undefined>((resolve, reject) => {
      let settled = false
      const finish = (): void => {
        if (settled) return
        if (answers.length >= needed && newest !== undefined) {
          settled = true
          resolve(newest)
          return
        }
        if (inFlight > 0) return // answers still on their way
        if (unasked.length > 0) {
          ask()
        } else if (answers.length >= needed && errors.length === 0) {
          // absent: every replica answered so (one that failed may hold the key)
          settled = true
          resolve(newest)
        } else {
          settled = true
          const why = answers.length >= needed ? 'none holding the key, and absence needs every replica' : `${needed} needed`
          reject(new QuorumError(`read answered by ${answers.length} of ${replicas.length} replicas, ${why}: ${errors.join('; ')}`))
        }
      }
      const ask = (): void => {
        const node = unasked.shift()!
        inFlight++
        asked.push(this.sync.rpc.fetch(node, [key], options).then(({ records: [record] }) => {
          answers.push({ node, record })
          consider(record)
        }, err => {
          errors.push(errorMessage(err))
        }).finally(() => {
          inFlight--
          finish()
        }))
      }
      for (let i = answers.length; i < needed && unasked.length > 0; i++) ask()
      finish()
    })
    // read repair of the replicas that answered, once every one asked has
    void Promise.allSettled(asked).then(async () => {
      if (newest === undefined) return
      const stale = answers.filter(a => a.record === undefined || newer(newest!.version, a.record.version))
      await Promise.all(stale.map(async a => this.storeAt(a.node, [newest!]).catch(() => {})))
    })
    return result
  }

  private newRecord (key: Uint8Array, value: Uint8Array, deleted: boolean, ttl: number | undefined): StoreRecord {
    this.checkKey(key)
    if (ttl !== undefined && (!Number.isSafeInteger(ttl) || ttl <= 0)) throw new InvalidRecordError(`ttl must be a positive number of milliseconds, got ${ttl}`)
    const record: StoreRecord = { key, value, deleted, version: { ...this.init.hlc.now(), writer: this.self } }
    if (ttl !== undefined) record.expiresAt = Date.now() + ttl
    const tooLarge = sizeProblem(record, this.init.limits)
    if (tooLarge !== undefined) throw new RecordTooLargeError(tooLarge)
    assertWellFormed(record)
    return record
  }

  private checkKey (key: Uint8Array): void {
    if (!(key instanceof Uint8Array)) throw new InvalidRecordError('a key must be bytes (Uint8Array) or a string')
    if (key.byteLength === 0) throw new InvalidRecordError('a key must not be empty')
    if (key.byteLength > this.init.limits.maxKeyBytes) {
      throw new RecordTooLargeError(`key is ${key.byteLength} bytes, over the limit of ${this.init.limits.maxKeyBytes} bytes`)
    }
  }

  /**
   * Store on the replicas; resolve, with the version written, once the
   * consistency level's count stored it durably as their newest version.
   * A replica that already holds a newer version (written through a peer
   * whose clock runs ahead) does not count: the write then takes a version
   * after that one and goes again, so a write acknowledged later is never
   * ordered before one acknowledged earlier.
   */
  private async write (record: StoreRecord, options: WriteOptions): Promise<Version> {
    try {
      return await this.storeOnReplicas(record, options)
    } catch (err) {
      options.signal?.throwIfAborted()
      throw err
    }
  }

  /** write()'s work: place, store, restamp past newer versions, retry once */
  private async storeOnReplicas (record: StoreRecord, options: WriteOptions): Promise<Version> {
    const consistency = options.consistency ?? this.init.consistency ?? 'QUORUM'
    let retried = false
    for (let restamps = 0; ; ) {
      const superseded: Version[] = []
      // a replica that did not store it kept what it held: this very version (a retry), or a newer one
      const kept = async (node: NodeRef): Promise<void> => {
        const { records: [held] } = await this.sync.rpc.fetch(node, [record.key], options)
        if (held !== undefined && !newer(held.version, record.version)) return
        if (held !== undefined) superseded.push(held.version)
        throw new Error(`${node.peer} kept a newer version`)
      }
      const storeOn = async (node: NodeRef): Promise<void> => {
        const [stored] = await this.storeAt(node, [record], options)
        if (!stored) await kept(node)
      }
      const tasks = new Map<string, Promise<void>>()
      const start = (node: NodeRef, task: Promise<void>): void => {
        task.catch(() => {}) // a store to a peer that turns out not to be a replica counts for nothing
        tasks.set(node.peer, task)
      }
      const replicas = await this.writeDirect(record, options, start, storeOn, kept) ?? await this.replicasOf(record.key, options)
      for (const node of replicas) if (!tasks.has(node.peer)) start(node, storeOn(node))
      const needed = required(consistency, replicas.length)
      try {
        await atLeast(replicas.map(node => tasks.get(node.peer)!), needed, replicas.length, consistency)
        return record.version
      } catch (err) {
        if (!(err instanceof QuorumError)) throw err
        options.signal?.throwIfAborted()
        if (superseded.length > 0 && restamps++ < 3) {
          for (const version of superseded) this.init.hlc.update(version)
          record = { ...record, version: { ...this.init.hlc.now(), writer: this.self } }
          continue
        }
        // the ring may be repairing around a dead replica: look again once
        if (retried) throw err
        retried = true
        this.log('write of a key reached too few replicas, retrying: %s', errorMessage(err))
        await new Promise(resolve => setTimeout(resolve, this.init.syncInterval ?? 1000))
      }
    }
  }

  /**
   * A write without a lookup: store on the replicas this peer already knows
   * of, the guessed owner with an owner check (it stores nothing if the key
   * is not its own). Resolves with the replica set the owner confirmed, or
   * undefined when the guess was wrong or the owner did not answer.
   */
  private async writeDirect (record: StoreRecord, options: RequestOptions, start: (node: NodeRef, task: Promise<void>) => void, storeOn: (node: NodeRef) => Promise<void>, kept: (node: NodeRef) => Promise<void>): Promise<NodeRef[] | undefined> {
    const guess = this.ring.knownSuccessors(keyId(record.key), this.r)
    if (guess === undefined || guess.length === 0) return undefined
    const [owner, ...others] = guess
    for (const node of others) start(node, storeOn(node))
    const checked = await this.checkOwner(guess, async () => this.sync.rpc.storeChecked(owner, record, options))
    if (checked === undefined) return undefined
    start(owner, checked.answer.stored ? Promise.resolve() : kept(owner))
    return checked.replicas
  }

  private async replicasOf (key: Uint8Array, options: RequestOptions): Promise<NodeRef[]> {
    const found = await this.ring.findSuccessor(keyId(key), options)
    return replicaSet(found.successors, this.r)
  }

  private async storeAt (node: NodeRef, records: StoreRecord[], options: RequestOptions = {}): Promise<boolean[]> {
    return this.sync.rpc.store(node, records, options)
  }

  // --- StoreHandler: requests from other peers ---

  async store (records: StoreRecord[], from: string): Promise<boolean[]> {
    if (this.leaving) throw new LeavingError()
    return this.acceptMany(records, from)
  }

  /**
   * Take records from elsewhere: merge each one's clock, keep those newer
   * than what is held, with one datastore batch. A record stamped too far
   * ahead of our clock is refused: the others are still kept, and then the
   * call fails, so no sender takes the refused record as acknowledged (a
   * `false` would tell it a same or newer version is held).
   */
  private async acceptMany (records: StoreRecord[], from: string): Promise<boolean[]> {
    const accepted: StoreRecord[] = []
    const refused: Error[] = []
    for (const record of records) {
      try {
        if (from !== this.self) this.init.hlc.update(record.version)
        accepted.push(record)
      } catch (err) {
        refused.push(err as Error)
      }
    }
    const results = await this.local.applyMany(accepted)
    if (refused.length === 1) throw refused[0]
    if (refused.length > 1) throw new ClockDriftError(`${refused.length} of ${records.length} records refused: ${refused[0].message}`)
    return results.map(result => result === 'stored')
  }

  ownership (key: Uint8Array): Ownership {
    if (!this.leaving) {
      const id = keyId(key)
      for (const position of this.ring.memberPositions()) {
        if (position.predecessor !== undefined && betweenRightIncl(position.predecessor.id, id, position.self.id)) {
          // the other replicas are all the asker needs
          return { owner: true, successors: replicaSet(position.successors, this.r - 1, this.self) }
        }
      }
    }
    return { owner: false, successors: [] }
  }

  async fetchChecked (key: Uint8Array): Promise<{ record: StoreRecord | undefined, ownership: Ownership }> {
    const { records: [record] } = await this.fetch([key])
    return { record, ownership: this.ownership(key) }
  }

  async storeChecked (record: StoreRecord, from: string): Promise<{ stored: boolean, ownership: Ownership }> {
    const ownership = this.ownership(record.key)
    // not ours: keep nothing, so a wrongly guessed owner holds no stray copy
    const [stored] = ownership.owner ? await this.store([record], from) : [false]
    return { stored, ownership }
  }

  async fetch (keys: Uint8Array[]): Promise<FetchResult> {
    const records: StoreRecord[] = []
    let bytes = 0
    let answered = 0
    const budget = this.init.maxFetchBytes ?? 2 * 1024 * 1024
    for (const key of keys) {
      const record = await this.local.get(key)
      if (record !== undefined) {
        bytes += record.key.byteLength + record.value.byteLength
        // always answer at least one record, however large
        if (records.length > 0 && bytes > budget) break
        records.push(record)
      }
      answered++
    }
    return { records, answered }
  }

  async rangeDigest (from: Id, until: Id): Promise<Uint8Array> {
    return xorDigests((await this.local.rangeDigests(from, until)).map(b => b.digest))
  }

  async bucketDigests (from: Id, until: Id): Promise<Array<{ bucket: number, digest: Uint8Array }>> {
    return (await this.local.rangeDigests(from, until)).filter(b => b.digest.some(x => x !== 0)).map(({ bucket, digest }) => ({ bucket, digest }))
  }

  async rangeRecords (from: Id, until: Id, maxRecords: number, maxBytes: number): Promise<RangePage> {
    const records: StoreRecord[] = []
    let bytes = 0
    // the answer must fit in a frame: at most one record past this budget
    const budget = Math.min(maxBytes, this.init.maxFetchBytes ?? 2 * 1024 * 1024)
    const max = Math.max(1, maxRecords)
    for await (const record of this.local.range(from, until, { pageHint: max + 1 })) {
      const size = record.key.byteLength + record.value.byteLength
      if (records.length === max || (records.length > 0 && bytes + size > budget)) return { records, more: true }
      records.push(record)
      bytes += size
    }
    return { records, more: false }
  }

  async versions (from: Id, until: Id, bucket: number, limit: number): Promise<{ entries: VersionEntry[], more: boolean }> {
    const entries: VersionEntry[] = []
    const max = Math.max(1, Math.min(limit, this.sync.versionsPage))
    for await (const entry of this.local.versionsIn(from, until, bucket)) {
      if (entries.length === max) return { entries, more: true }
      entries.push(entry)
    }
    return { entries, more: false }
  }

  // --- maintenance ---

  /** Sync each position's own range (pred, self] with the other replicas of it; true if records moved */
  private async syncOwnRanges (): Promise<boolean> {
    let moved = false
    for (const position of this.ring.memberPositions()) {
      if (position.predecessor === undefined) continue
      const others = this.otherReplicas(position)
      // one replica after the other: what the first sync brought is not pulled again from the next
      for (const peer of others) {
        try {
          const result = await syncRange(this.sync, peer, position.predecessor!.id, position.self.id, 'both', 'sync')
          if (result.pushed + result.pulled > 0) {
            moved = true
            this.log('sync with %s: pushed %d, pulled %d keys', peer.peer, result.pushed, result.pulled)
          }
        } catch (err) {
          this.log('sync with %s failed: %s', peer.peer, errorMessage(err))
        }
      }
    }
    return moved
  }

  /**
   * Hand over keys this peer should not hold: walk them in ring order, look
   * up the replica set of each run of keys sharing an owner, make every
   * replica hold our version (copy → acknowledgement), then drop ours — only
   * the versions that were acknowledged. 'leave' treats every key that way.
   */
  private async sweep (reason: 'handoff' | 'leave'): Promise<HandoffResult> {
    this.lastSweep = this.clock.now()
    const result: HandoffResult = { handed: 0, remaining: 0 }
    const positions = this.ring.memberPositions()
    // a position without a predecessor is not yet known to the ring around
    // it (it just joined or restarted): lookups would not name this peer yet,
    // and it would hand away keys it is about to replicate again
    if (reason === 'handoff' && (positions.length === 0 || positions.some(p => p.predecessor === undefined))) return result
    const primaries = reason === 'leave'
      ? []
      : positions.map(p => [p.predecessor!.id, p.self.id] as const)
    const inPrimary = (id: Id): boolean => primaries.some(([a, b]) => betweenRightIncl(a, id, b))

    // first pass: key ids only (no record is read), one lookup per run of
    // keys that share an owner; keep the runs this peer does not replicate
    interface Run { from: Id, until: Id, replicas: NodeRef[] | undefined }
    const runs: Run[] = []
    let run: Run | undefined
    for await (const id of this.local.idsIn(0n, 0n)) {
      if (inPrimary(id)) continue
      if (run !== undefined && betweenRightIncl(run.from, id, run.until)) continue
      const from = (id - 1n + RING_SIZE) % RING_SIZE
      try {
        const found = await this.ring.findSuccessor(id)
        const replicas = replicaSet(found.successors, this.r, reason === 'leave' ? this.self : undefined)
        run = { from, until: found.owner.id, replicas }
      } catch (err) {
        this.log('sweep: lookup failed: %s', errorMessage(err))
        run = { from, until: id, replicas: undefined }
      }
      if (reason === 'leave' || run.replicas === undefined || !run.replicas.some(n => n.peer === this.self)) runs.push(run)
    }

    // second pass, per run: the versions held now, a push to every replica,
    // then a drop of exactly the versions every replica acknowledged
    for (const { from, until, replicas } of runs) {
      const entries: VersionEntry[] = []
      for await (const entry of this.local.versionsIn(from, until)) entries.push(entry)
      if (entries.length === 0) continue
      if (replicas === undefined || replicas.length === 0) {
        result.remaining += entries.length
        continue
      }
      const acked = await Promise.all(replicas.map(async peer => {
        try {
          await syncRange(this.sync, peer, from, until, 'push', reason)
          return true
        } catch (err) {
          this.log('handoff to %s failed: %s', peer.peer, errorMessage(err))
          return false
        }
      }))
      if (!acked.every(Boolean)) {
        result.remaining += entries.length
        continue
      }
      // exactly the versions acknowledged: a write that arrived since stays
      for (let i = 0; i < entries.length; i += DELETE_BATCH) {
        await this.local.deleteMany(entries.slice(i, i + DELETE_BATCH).map(e => ({ key: e.key, upTo: e.version })))
      }
      result.handed += entries.length
    }
    if (result.handed > 0 || result.remaining > 0) this.log('%s: handed over %d keys, %d remain', reason, result.handed, result.remaining)
    return result
  }

  /**
   * Graceful leave (after the ring was told): refuse new data, then hand
   * every key to its replicas, retrying while the ring settles.
   */
  async leave (): Promise<HandoffResult> {
    this.leaving = true
    this.stop()
    const deadline = Date.now() + (this.init.leaveTimeout ?? 30_000)
    let handed = 0
    for (;;) {
      if (!this.ring.hasOtherPeers()) {
        const { keys, tombstones } = this.local.stats()
        if (keys + tombstones > 0) this.log.error('leave: no other peer to hand %d keys to; they stay in the local store', keys + tombstones)
        return { handed, remaining: keys + tombstones }
      }
      const result = await this.sweep('leave')
      handed += result.handed
      if (result.remaining === 0) return { handed, remaining: 0 }
      if (Date.now() > deadline) {
        this.log.error('leave: %d keys could not be handed over in time; they stay in the local store', result.remaining)
        return { handed, remaining: result.remaining }
      }
      // a round that handed keys over goes on at once; one that could not waits for the ring
      if (result.handed === 0) await new Promise(resolve => setTimeout(resolve, Math.min(this.init.syncInterval ?? 1000, 1000)))
    }
  }

  /** Push records straight to a peer (used by tests and tools) */
  async pushTo (peer: NodeRef, records: StoreRecord[]): Promise<SyncResult> {
    const result: SyncResult = { pushed: 0, pulled: 0, bytes: 0 }
    await pushRecords(this.sync, peer, records, 'handoff', result)
    return result
  }
}

/** Wait until `needed` of the tasks succeed; fail as soon as that cannot happen */
async function atLeast<T> (tasks: Array<Promise<T>>, needed: number, total: number, consistency: Consistency): Promise<void> {
  if (needed === 0) throw new QuorumError('no replica to write to')
  await new Promise<void>((resolve, reject) => {
    let ok = 0
    const errors: string[] = []
    for (const task of tasks) {
      task.then(() => {
        if (++ok === needed) resolve()
      }, (err) => {
        errors.push(errorMessage(err))
        if (total - errors.length < needed) {
          reject(new QuorumError(`stored on ${ok} of ${total} replicas, ${consistency} needs ${needed}: ${errors.join('; ')}`))
        }
      })
    }
  })
}
