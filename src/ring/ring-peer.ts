/**
 * A peer on the Chord ring: its virtual nodes, iterative lookups across the
 * ring, joining, leaving, and the periodic maintenance that keeps the ring
 * correct. Independent of libp2p: messages go out through ChordRpc and come
 * in through the ChordHandler this class implements, so a simulator can drive
 * it over an in-memory network in virtual time.
 */
import { RingNode } from './ring-node.ts'
import { NotJoinedError } from './errors.ts'
import { nodeId } from './id.ts'
import { iterativeLookup } from './lookup.ts'
import { describeNode } from './node-ref.ts'
import { MemberCache, knownSuccessors } from './member-cache.ts'
import { Suspects } from './suspects.ts'
import type { Unification } from './unification.ts'
import { MAX_RECHOICES, choosePeerPosition, crowdedBy, positionOf } from './position-choice.ts'
import { realClock, sleep } from '../util/clock.ts'
import { errorMessage } from '../util/errors.ts'
import { silentLog } from '../util/log.ts'
import { RingMaintenance } from './ring-maintenance.ts'
import { positionCount, unificationFor } from './ring-peer-init.ts'
import type { NodeState } from './ring-node.ts'
import type { Id } from './id.ts'
import type { LookupContext, LookupResult } from './lookup.ts'
import type { ProbeOutcome } from './unification.ts'
import type { ChordHandler, ChordRpc, NodeRef, RequestOptions, StepResult } from './types.ts'
import type { RingPeerInit } from './ring-peer-init.ts'
import type { Clock } from '../util/clock.ts'
import type { Log } from '../util/log.ts'

export { LookupFailedError, NotJoinedError } from './errors.ts'
export type { LookupResult } from './lookup.ts'
export type { RingPeerInit } from './ring-peer-init.ts'

export class RingPeer implements ChordHandler {
  readonly peer: string
  private positions: readonly RingNode[]
  private readonly init: RingPeerInit
  /** the position to take at the next join instead of choosing (a restarted peer returns to its data) */
  private preferred: number | undefined
  private readonly rpc: ChordRpc
  private readonly log: Log
  private readonly maxLookupSteps: number
  private readonly maintenance: RingMaintenance
  /** members seen dead, kept out of successor lists for a while */
  private readonly suspects: Suspects
  private readonly cache: MemberCache
  private readonly onLookup: RingPeerInit['onLookup']
  private readonly lookupContext: LookupContext
  /** lookups through a peer that may be in another ring: no shortcut through our own cache */
  private readonly probeContext: LookupContext
  private readonly unification: Unification
  private stopped = true
  /** choosing a position, maybe again: a member, but not done joining */
  private settling = false
  private readonly clock: Clock

  constructor (init: RingPeerInit) {
    this.peer = init.peer
    this.init = init
    this.log = init.log ?? silentLog
    this.maxLookupSteps = init.maxLookupSteps ?? 64
    this.cache = new MemberCache(init.locationCacheSize ?? 1024)
    this.onLookup = init.onLookup
    this.rpc = init.rpc
    this.positions = Array.from({ length: positionCount(init) }, (_, vnode) => this.position(init, vnode))
    this.lookupContext = {
      peer: this.peer,
      rpc: this.rpc,
      maxSteps: this.maxLookupSteps,
      log: this.log,
      isMember: (vnode) => this.nodes.some(n => n.self.vnode === vnode && n.joined),
      joined: () => this.joined,
      closestCached: (key) => this.cache.closestBefore(key),
      forget: (node) => { this.forget(node); this.unification.lost(node) },
      remember: (...found) => { this.remember(...found) }
    }
    this.probeContext = { ...this.lookupContext, closestCached: () => undefined }
    const clock = init.clock ?? realClock
    this.clock = clock
    const probeInterval = init.probeInterval ?? 2000
    this.unification = unificationFor(init, clock, probeInterval, async (node) => this.probe(node))
    this.suspects = new Suspects(clock, 10 * (init.stabilizeInterval ?? 1000))
    this.maintenance = new RingMaintenance(() => this.nodes, this.unification, init, clock, this.log)
  }

  /** Ring position `vnode` of this peer, its events passed on to the peer's */
  private position (init: RingPeerInit, vnode: number): RingNode {
    return new RingNode({
      self: { id: nodeId(init.peerBytes, vnode), peer: init.peer, vnode, get addrs () { return init.addrs() } },
      rpc: this.rpc,
      successorListLength: init.successorListLength ?? 8,
      stepWidth: init.stepWidth ?? 3,
      findSuccessor: async (key) => this.findSuccessor(key),
      onSuccessorChange: (previous, current) => init.onSuccessorChange?.(vnode, previous, current),
      onPredecessorChange: (previous, current) => init.onPredecessorChange?.(vnode, previous, current),
      onSuccessorListChange: (successors) => init.onSuccessorListChange?.(vnode, successors),
      onUnreachable: (node) => { this.suspect(node, true) },
      isSuspect: (node) => this.suspects.has(node),
      alive: (node) => { this.suspects.clear(node) },
      onLost: (node) => { this.unification.lost(node) },
      log: this.log
    })
  }

  /** This peer's ring positions (its virtual nodes) */
  get nodes (): readonly RingNode[] {
    return this.positions
  }

  /** every position is a member, and a join has finished choosing where */
  get joined (): boolean {
    return !this.settling && this.nodes.every(n => n.joined)
  }

  /** Take position `vnode` at the next join rather than choosing one (where a restarted peer's data lies) */
  preferPosition (vnode: number | undefined): void {
    this.preferred = vnode
    if (vnode !== undefined && this.choosing && !this.joined) this.moveTo(vnode)
  }

  /** Start periodic maintenance */
  start (): void {
    this.stopped = false
    this.maintenance.start()
  }

  stop (): void {
    this.stopped = true
    this.maintenance.stop()
  }

  /** Form a new ring: the first virtual node alone, the others joining it */
  async create (): Promise<void> {
    if (this.choosing) this.moveTo(this.preferred ?? 0)
    const [first, ...rest] = this.nodes
    first.create()
    this.init.onPositionChange?.(first.self.vnode)
    await Promise.all(rest.map(async node => this.joinNode(node, first.self)))
    this.log('created a new ring with %d positions', this.nodes.length)
  }

  /**
   * Join the ring `contact` is a member of (Zave's join for each position).
   * `contact` may be a peer known only by address: its positions are asked first.
   */
  async join (contact: NodeRef): Promise<void> {
    const via = await positionOf(this.rpc, contact)
    if (this.choosing && !this.joined && this.preferred === undefined) {
      await this.joinChoosing(via)
    } else {
      if (this.choosing && this.preferred !== undefined) this.moveTo(this.preferred)
      await Promise.all(this.nodes.map(async node => this.joinNode(node, via)))
    }
    this.maintenance.stabilizer.runSoon()
    this.log('joined the ring through %s at position %d', describeNode(via), this.nodes[0].self.vnode)
    this.init.onPositionChange?.(this.nodes[0].self.vnode)
  }

  /**
   * Choose a position and join there. Peers joining at the same moment read
   * the same ring and may choose nearly the same point: after a stabilize
   * round, a peer that finds one of them right after it, inside the gap it
   * chose, leaves at once (holding nothing yet) and chooses again, at random
   * among the nearly best gaps this time, a few times at most.
   */
  private async joinChoosing (via: NodeRef): Promise<void> {
    this.settling = true
    try {
      await this.chooseAndJoin(via)
    } finally {
      this.settling = false
    }
  }

  private async chooseAndJoin (via: NodeRef): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      const choice = await choosePeerPosition(this.rpc, via, this.peer, this.init, this.log, attempt > 0 ? this.init.random ?? Math.random : undefined)
      this.moveTo(choice.vnode)
      const [node] = this.nodes
      await this.joinNode(node, via)
      if (attempt === MAX_RECHOICES || choice.gap === undefined) return
      await sleep(this.clock, this.init.stabilizeInterval ?? 1000)
      await node.stabilize()
      if (!crowdedBy(node.self, node.successor(), choice.gap)) return
      this.log('position %d: %s joined at nearly the same point; choosing again', node.self.vnode, describeNode(node.successor()))
      await node.leave()
    }
  }

  private get choosing (): boolean {
    return this.nodes.length === 1 && (this.init.positionChoices ?? 1) > 1
  }

  /** Hold position `vnode` (only while not a member) */
  private moveTo (vnode: number): void {
    if (this.nodes[0].self.vnode !== vnode) this.positions = [this.position(this.init, vnode)]
  }

  private async joinNode (node: RingNode, via: NodeRef): Promise<void> {
    if (node.joined) return
    const found = await this.lookup(node.self.id, [via])
    await node.join(found.successors)
  }

  /** Graceful leave: every position tells its neighbours, then maintenance stops */
  async leave (): Promise<void> {
    this.stop()
    await Promise.all(this.nodes.map(async node => node.leave()))
  }

  /** findSuccessor(key) routed through the fingers, starting from local knowledge */
  async findSuccessor (key: Id, options: RequestOptions = {}): Promise<LookupResult> {
    let start = this.nodes.filter(n => n.joined).map(n => n.self)
    // after a graceful leave, or between two choices of position, the peer routes through the members it knew
    if (start.length === 0) start = this.knownMembers()
    if (start.length === 0) throw new NotJoinedError()
    try {
      const result = await this.lookup(key, start, options)
      this.onLookup?.(result.hops)
      return result
    } catch (err) {
      this.onLookup?.(undefined)
      throw err
    }
  }

  private lookup (key: Id, start: NodeRef[], options: RequestOptions = {}): Promise<LookupResult> {
    return iterativeLookup(this.lookupContext, key, start, options)
  }

  /**
   * A peer met outside the ring (LAN discovery, a bootstrap address): probe
   * it, and merge with its ring if it belongs to another one
   */
  meet (node: NodeRef): void {
    if (node.peer === this.peer || this.knowsPeer(node.peer)) return
    this.unification.met(node)
  }

  /** A peer met turned out not to be a member (it does not run the ring's protocol): no probes */
  unmeet (peer: string): void {
    this.unification.unmet(peer)
  }

  /** Every member this peer knows: its positions' neighbours and fingers, and the location cache */
  knownMembers (): NodeRef[] {
    return [...this.nodes.flatMap(n => n.knownMembers()), ...this.cache.from(0n)].filter(m => m.peer !== this.peer)
  }

  /** Members lost to failure detection and peers met, still probed now and then */
  lostPeers (): NodeRef[] {
    return this.unification.list()
  }

  private knowsPeer (peer: string): boolean {
    return this.nodes.some(n => n.knownMembers().some(m => m.peer === peer))
  }

  /**
   * A unification probe: look each of our positions up through `node`. In
   * our ring the lookup ends at the position itself; in another ring it ends
   * at the member that would follow the position there, which the position
   * then considers as its successor (and notifies).
   */
  private async probe (contact: NodeRef): Promise<ProbeOutcome> {
    let outcome: ProbeOutcome = 'same'
    const node = await positionOf(this.rpc, contact)
    for (const position of this.nodes) {
      if (this.stopped || !position.joined) return 'merging'
      const found = await iterativeLookup(this.probeContext, position.self.id, [node])
      if (found.owner.peer === this.peer && found.owner.vnode === position.self.vnode) continue
      outcome = 'merging'
      // the probed peer answered: whatever we suspected of it is past
      for (const n of [node, found.owner]) this.suspects.clear(n)
      try {
        if (await position.considerSuccessor(found.owner)) {
          this.log('ring merge: position %d took %s (found through %s) as successor', position.self.vnode, describeNode(found.owner), describeNode(node))
        }
      } catch (err) {
        this.log('ring merge: %s did not answer: %s', describeNode(found.owner), errorMessage(err))
      }
    }
    return outcome
  }

  /** Members of the ring, as a lookup just saw them: cache them for later lookups */
  private remember (...nodes: NodeRef[]): void {
    for (const node of nodes) if (node.peer !== this.peer && !this.suspects.has(node)) this.cache.add(node)
  }

  /** A member did not answer a lookup: drop it from the fingers and the location cache */
  forget (node: NodeRef): void {
    if (node.peer === this.peer) return
    this.cache.remove(node)
    for (const n of this.nodes) n.forget(node)
  }

  /**
   * A successor did not answer stabilize, or a member announced its leave:
   * forget it, and keep it out of successor lists learned from others for a
   * while (in a ring smaller than r the lists wrap round, and a dead member
   * would otherwise travel round them for ever).
   */
  private suspect (node: NodeRef, lost: boolean): void {
    if (node.peer === this.peer) return
    this.forget(node)
    // a member that failed may come back in a ring of its own (partition): probe it later
    if (lost) this.unification.lost(node)
    this.suspects.add(node)
  }

  /** Positions that are ring members, with their neighbours (what the store needs) */
  memberPositions (): Array<{ self: NodeRef, predecessor: NodeRef | undefined, successors: NodeRef[] }> {
    return this.nodes.filter(n => n.joined).map(n => ({ self: n.self, predecessor: n.getPredecessor(), successors: n.getSuccessorList() }))
  }

  /**
   * The first `count` distinct peers from `key` on, as this peer knows them
   * without asking anyone (location cache, own positions' neighbours): the
   * replicas a read or write can go to straight away
   */
  knownSuccessors (key: Id, count: number): NodeRef[] | undefined {
    const own = this.nodes.filter(n => n.joined)
    if (own.length === 0 || count < 1) return undefined
    return knownSuccessors(key, count, this.cache, own, node => !this.suspects.has(node))
  }

  /** Members another member just named (an owner's successors): cache them */
  learn (nodes: NodeRef[]): void {
    this.remember(...nodes)
  }

  hasOtherPeers (): boolean {
    return this.nodes.some(n => n.knownMembers().some(m => m.peer !== this.peer))
  }

  getState (): NodeState[] {
    return this.nodes.map(n => n.getState())
  }

  // --- ChordHandler: requests from other members ---

  private node (vnode: number): RingNode {
    const node = this.nodes.find(n => n.self.vnode === vnode)
    if (node === undefined) throw new RangeError(`no virtual node ${vnode} on this peer`)
    return node
  }

  private joinedNode (vnode: number): RingNode {
    const node = this.node(vnode)
    if (!node.joined) throw new NotJoinedError(`virtual node ${vnode} is not a ring member`)
    return node
  }

  /** The positions this peer holds as a member (empty while it is not one) */
  getPositions (): NodeRef[] {
    return this.nodes.filter(n => n.joined).map(n => n.self)
  }

  findSuccessorStep (vnode: number, key: Id): StepResult {
    return this.joinedNode(vnode).step(key)
  }

  getPredecessor (vnode: number): NodeRef | undefined {
    return this.joinedNode(vnode).getPredecessor()
  }

  getSuccessorList (vnode: number): NodeRef[] {
    return this.joinedNode(vnode).getSuccessorList()
  }

  async notify (vnode: number, from: NodeRef): Promise<void> {
    await this.joinedNode(vnode).rectify(from)
  }

  ping (vnode: number): void {
    this.joinedNode(vnode)
  }

  onLeave (vnode: number, leaving: NodeRef, predecessor: NodeRef | undefined, successors: readonly NodeRef[]): void {
    const node = this.node(vnode)
    this.suspect(leaving, false)
    node.onLeave(leaving, predecessor, successors)
      .catch(err => { this.log('leave from %s: %s', describeNode(leaving), errorMessage(err)) })
      .finally(() => { this.maintenance.stabilizer.runSoon() })
  }
}
