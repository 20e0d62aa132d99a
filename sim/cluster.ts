/**
 * Many RingPeers in one process over the simulated network: creating,
 * crashing, and driving their maintenance either in explicit rounds (to
 * build a ring quickly) or on their own periodic timers (churn).
 */
import { RingPeer } from '../src/ring/ring-peer.ts'
import { ChordLoopback } from '../src/rpc/loopback.ts'
import { Random } from './random.ts'
import { Scheduler } from './scheduler.ts'
import { SimNetwork } from './network.ts'
import { Truth } from './truth.ts'
import type { NetworkOptions } from './network.ts'
import type { RingNode } from '../src/ring/ring-node.ts'
import type { RingPeerInit } from '../src/ring/ring-peer.ts'

/** RingPeer options a cluster passes through as they are (e.g. a probe interval) */
export type PeerTuning = Partial<Omit<RingPeerInit, 'peer' | 'peerBytes' | 'addrs' | 'rpc' | 'clock'>>

export interface ClusterOptions {
  seed: number
  /** successor list length */
  r: number
  virtualNodes?: number
  /** RingPeer's location cache; off by default so lookups follow plain Chord routing as in the paper */
  locationCacheSize?: number
  stabilizeInterval?: number
  fixFingersInterval?: number
  checkPredecessorInterval?: number
  network?: Partial<NetworkOptions>
  /** more RingPeer options, given to every peer after the ones above */
  ringPeer?: PeerTuning
}

export class Cluster {
  readonly scheduler = new Scheduler()
  readonly network: SimNetwork
  readonly options: Required<Omit<ClusterOptions, 'network'>>
  /** peers that are up, by name, in creation order */
  readonly live = new Map<string, RingPeer>()
  /** independent streams, so e.g. more lookups do not move peer ids */
  private readonly ids: Random
  readonly workload: Random
  private created = 0
  private cached: Truth | undefined
  private readonly crashes = new Map<string, () => void>()
  private readonly crashed = new Map<string, Promise<void>>()

  constructor (options: ClusterOptions) {
    const root = new Random(options.seed)
    this.ids = root.fork()
    this.workload = root.fork()
    this.network = new SimNetwork(this.scheduler, root.fork(), options.network)
    this.options = {
      virtualNodes: 1,
      locationCacheSize: 0,
      stabilizeInterval: 1000,
      fixFingersInterval: 5000,
      checkPredecessorInterval: 2000,
      ringPeer: {},
      ...options
    }
  }

  /** a new peer, up on the network but not yet in a ring */
  add (): RingPeer {
    const name = `p${this.created++}`
    const { options } = this
    const peer = new RingPeer({
      peer: name,
      peerBytes: this.ids.bytes(32),
      addrs: () => [],
      // requests to its own positions are answered in-process, as in the service
      rpc: new ChordLoopback(name, this.network.endpoint(name), () => peer),
      clock: this.scheduler,
      virtualNodes: options.virtualNodes,
      successorListLength: options.r,
      locationCacheSize: options.locationCacheSize,
      stabilizeInterval: options.stabilizeInterval,
      fixFingersInterval: options.fixFingersInterval,
      checkPredecessorInterval: options.checkPredecessorInterval,
      // a second choice of position is random: seeded, like everything here
      random: () => this.workload.next(),
      ...options.ringPeer
    })
    this.network.attach(name, peer)
    this.live.set(name, peer)
    this.crashed.set(name, new Promise<void>(resolve => { this.crashes.set(name, resolve) }))
    return peer
  }

  /** fail-stop: no goodbye, no more messages, timers stopped */
  crash (peer: RingPeer): void {
    peer.stop()
    this.network.crash(peer.peer)
    this.live.delete(peer.peer)
    this.crashes.get(peer.peer)?.()
    this.membershipChanged()
  }

  /** settles when the peer crashes: work it was doing will never finish */
  whenCrashed (peer: RingPeer): Promise<void> {
    return this.crashed.get(peer.peer) ?? Promise.resolve()
  }

  /** a peer finished joining or went away: the true ring must be recomputed */
  membershipChanged (): void {
    this.cached = undefined
  }

  /** live peers that are ring members */
  members (): RingPeer[] {
    return [...this.live.values()].filter(p => p.joined)
  }

  /** the true ring as of the last membership change (cached: lookups grade against it) */
  truth (): Truth {
    this.cached ??= new Truth(this.members())
    return this.cached
  }

  /** start a peer's periodic maintenance at a random phase, as real peers would */
  startMaintenance (peer: RingPeer): void {
    const delay = this.workload.int(0, this.options.stabilizeInterval - 1)
    this.scheduler.setTimeout(() => { if (this.live.has(peer.peer)) peer.start() }, delay)
  }

  /** one round of a maintenance step on every member position, run to completion */
  async round (step: (node: RingNode) => Promise<void>): Promise<void> {
    const work = this.members().flatMap(p => p.nodes.map(async n => { await step(n).catch(() => {}) }))
    await this.scheduler.settle(Promise.all(work))
  }

  /**
   * Join `count` new peers at once, each through a random member; returns
   * the ones that joined (a join can fail if its bootstrap member is busy
   * changing, as on a real network).
   */
  async joinBatch (count: number): Promise<RingPeer[]> {
    const via = this.members()
    const fresh = Array.from({ length: count }, () => this.add())
    const joined: RingPeer[] = []
    await this.scheduler.settle(Promise.all(fresh.map(async peer => {
      try {
        await peer.join(this.workload.pick(via).nodes[0].self)
        joined.push(peer)
      } catch {
        this.crash(peer)
      }
    })))
    this.membershipChanged()
    return joined
  }

  /** every member position runs stabilize and checkPredecessor once, concurrently */
  async stabilizationRound (): Promise<void> {
    await this.round(async n => { await Promise.all([n.stabilize(), n.checkPredecessor()]) })
  }

  /**
   * Stabilization rounds until the successor lists and predecessors are
   * ideal (or, with `firstOnly`, just first successors and predecessors);
   * returns the rounds it took. Rounds run stabilize only: rectify already
   * replaces a dead predecessor when the new one notifies.
   */
  async converge (maxRounds: number, firstOnly = false): Promise<number> {
    for (let rounds = 0; ; rounds++) {
      const problems = new Truth(this.members()).problems(this.options.r, { firstOnly, limit: 1 })
      if (problems.length === 0) return rounds
      if (rounds >= maxRounds) throw new Error(`ring not ideal after ${maxRounds} stabilization rounds: ${problems[0]}`)
      await this.round(async n => n.stabilize())
    }
  }
}
