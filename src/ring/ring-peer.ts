/**
 * A peer on the Chord ring: its virtual nodes, iterative lookups across the
 * ring, joining, leaving, and the periodic maintenance that keeps the ring
 * correct. Independent of libp2p: messages go out through ChordRpc and come
 * in through the ChordHandler this class implements, so a simulator can drive
 * it over an in-memory network in virtual time.
 */
import { ChordNode, errorMessage } from './chord-node.ts'
import { RING_SIZE, betweenRightIncl, distance, nodeId } from './id.ts'
import { describeNode, nodeKey } from './node-ref.ts'
import { MemberCache } from './member-cache.ts'
import { Periodic } from './periodic.ts'
import { realClock, silentLog } from './types.ts'
import type { NodeState } from './chord-node.ts'
import type { Id } from './id.ts'
import type { ChordHandler, ChordRpc, Clock, Log, NodeRef, RequestOptions, StepResult } from './types.ts'

export interface RingPeerInit {
  /** the peer's address as ChordRpc understands it (the libp2p peer id string) */
  peer: string
  /** bytes hashed to place the peer's virtual nodes (the peer id's bytes) */
  peerBytes: Uint8Array
  /** this peer's own dialable addresses, announced to other members */
  addrs(): string[]
  rpc: ChordRpc
  /** ring positions held by this peer (default 1) */
  virtualNodes?: number
  /** r, successor list length (default 8) */
  successorListLength?: number
  /** closer members named per routing step (default 3) */
  stepWidth?: number
  /** upper bound on members visited by one lookup (default 64) */
  maxLookupSteps?: number
  /** ring members remembered to start lookups near the key (default 1024; 0 turns the cache off) */
  locationCacheSize?: number
  stabilizeInterval?: number
  fixFingersInterval?: number
  checkPredecessorInterval?: number
  clock?: Clock
  log?: Log
  onSuccessorChange?(vnode: number, previous: NodeRef | undefined, current: NodeRef | undefined): void
  onPredecessorChange?(vnode: number, previous: NodeRef | undefined, current: NodeRef | undefined): void
  /** told of every findSuccessor: its hops, or undefined when it failed */
  onLookup?(hops: number | undefined): void
}

export interface LookupResult {
  key: Id
  /** successor(key): the member that owns the key */
  owner: NodeRef
  /** the owner followed by the members after it, as the last routing step knew them */
  successors: NodeRef[]
  /** remote routing steps taken (local virtual nodes cost none) */
  hops: number
  /** members that did not answer along the way */
  failures: number
}

export class LookupFailedError extends Error {
  static readonly code = 'ERR_LOOKUP_FAILED'
  readonly code = LookupFailedError.code
  constructor (message: string) {
    super(message)
    this.name = 'LookupFailedError'
  }
}

export class NotJoinedError extends Error {
  static readonly code = 'ERR_NOT_JOINED'
  readonly code = NotJoinedError.code
  constructor (message = 'this peer has not joined a ring yet') {
    super(message)
    this.name = 'NotJoinedError'
  }
}

export class RingPeer implements ChordHandler {
  readonly peer: string
  readonly nodes: readonly ChordNode[]
  private readonly rpc: ChordRpc
  private readonly log: Log
  private readonly maxLookupSteps: number
  private readonly tasks: Periodic[]
  private readonly stabilizer: Periodic
  /** members seen dead, until when they stay out of successor lists */
  private readonly suspects = new Map<string, number>()
  private readonly suspicionTime: number
  private readonly clock: Clock
  private readonly cache: MemberCache
  private readonly onLookup: RingPeerInit['onLookup']

  constructor (init: RingPeerInit) {
    this.peer = init.peer
    this.log = init.log ?? silentLog
    this.maxLookupSteps = init.maxLookupSteps ?? 64
    this.cache = new MemberCache(init.locationCacheSize ?? 1024)
    this.onLookup = init.onLookup
    this.rpc = new LocalShortcut(init.peer, init.rpc, this)
    const count = init.virtualNodes ?? 1
    if (!Number.isInteger(count) || count < 1 || count > 1024) {
      throw new RangeError(`virtualNodes must be an integer in [1, 1024], got ${count}`)
    }
    const nodes: ChordNode[] = []
    for (let vnode = 0; vnode < count; vnode++) {
      nodes.push(new ChordNode({
        self: { id: nodeId(init.peerBytes, vnode), peer: init.peer, vnode, get addrs () { return init.addrs() } },
        rpc: this.rpc,
        successorListLength: init.successorListLength ?? 8,
        stepWidth: init.stepWidth ?? 3,
        findSuccessor: async (key) => this.findSuccessor(key),
        onSuccessorChange: (previous, current) => init.onSuccessorChange?.(vnode, previous, current),
        onPredecessorChange: (previous, current) => init.onPredecessorChange?.(vnode, previous, current),
        onUnreachable: (node) => { this.suspect(node) },
        isSuspect: (node) => this.isSuspect(node),
        alive: (node) => { this.suspects.delete(nodeKey(node)) },
        log: this.log
      }))
    }
    this.nodes = nodes
    const clock = init.clock ?? realClock
    this.clock = clock
    this.suspicionTime = 10 * (init.stabilizeInterval ?? 1000)
    this.stabilizer = new Periodic(async () => { await this.forEachNode(n => n.stabilize()) }, init.stabilizeInterval ?? 1000, clock)
    this.tasks = [
      this.stabilizer,
      new Periodic(async () => { await this.forEachNode(n => n.fixFingers()) }, init.fixFingersInterval ?? 5000, clock),
      new Periodic(async () => { await this.forEachNode(n => n.checkPredecessor()) }, init.checkPredecessorInterval ?? 2000, clock)
    ]
  }

  get joined (): boolean {
    return this.nodes.every(n => n.joined)
  }

  /** Start periodic maintenance */
  start (): void {
    for (const task of this.tasks) task.start()
  }

  stop (): void {
    for (const task of this.tasks) task.stop()
  }

  /** Form a new ring: the first virtual node alone, the others joining it */
  async create (): Promise<void> {
    const [first, ...rest] = this.nodes
    first.create()
    await Promise.all(rest.map(async node => this.joinNode(node, first.self)))
    this.log('created a new ring with %d positions', this.nodes.length)
  }

  /** Join the ring that `via` is a member of (Zave's join for each position) */
  async join (via: NodeRef): Promise<void> {
    await Promise.all(this.nodes.map(async node => this.joinNode(node, via)))
    this.stabilizer.runSoon()
    this.log('joined the ring through %s', describeNode(via))
  }

  private async joinNode (node: ChordNode, via: NodeRef): Promise<void> {
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
    // after a graceful leave the peer can still route through the members it knew
    if (start.length === 0) start = this.nodes.flatMap(n => n.knownMembers()).filter(n => n.peer !== this.peer)
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

  /**
   * Iterative lookup: always ask the closest known member preceding the key;
   * a member that does not answer is forgotten and the next closest is
   * asked, so dead fingers or successors cost a retry, not the lookup. When
   * the member just before the key is the one that failed, nobody else can
   * say "done": then the closest member that answered is asked for its
   * successor list, and its first entry past the failed ones owns the key.
   */
  private async lookup (key: Id, start: NodeRef[], options: RequestOptions = {}): Promise<LookupResult> {
    const candidates = new Map<string, NodeRef>()
    const visited = new Set<string>()
    const failed = new Set<string>()
    const answered: NodeRef[] = []
    const offer = (node: NodeRef, bound: Id): void => {
      // only members strictly closer to the key than the one that named them: progress
      if (precedingDistance(node.id, key) >= bound) return
      // our own positions answer only once they are ring members
      if (node.peer === this.peer && this.nodes[node.vnode]?.joined !== true) return
      const k = nodeKey(node)
      if (!visited.has(k)) candidates.set(k, node)
    }
    start.forEach(node => { offer(node, RING_SIZE + 1n) })
    const cached = this.cache.closestBefore(key)
    if (cached !== undefined) offer(cached, RING_SIZE + 1n)
    let hops = 0
    let lastError = ''
    let doubtful: LookupResult | undefined
    for (let steps = 0; steps < this.maxLookupSteps; steps++) {
      options.signal?.throwIfAborted()
      const next = closestBefore(candidates.values(), key)
      const best = closestBefore(answered, key)
      if (next === undefined || (best !== undefined && precedingDistance(best.id, key) < precedingDistance(next.id, key))) {
        // fall back on the successor list of the closest member that answered
        const asker = best
        if (asker === undefined) break
        const drop = (): void => { answered.splice(answered.indexOf(asker), 1) }
        let list: NodeRef[]
        try {
          list = await this.rpc.getSuccessorList(asker, options)
        } catch (err) {
          lastError = errorMessage(err)
          drop()
          continue
        }
        // walk the list: the entry whose range holds the key owns it; if that
        // entry is one that failed, it is taken as dead and the next one owns
        // it. The owner must answer, and its own list names the successors:
        // the tail of the asker's list may be too short to hold r replicas.
        let previous = asker
        const live = list.filter(n => !failed.has(nodeKey(n)))
        let unverified = false
        for (const [i, node] of list.entries()) {
          if (betweenRightIncl(previous.id, key, node.id)) {
            // members before the key that this lookup has not seen fail may be
            // alive and know better: route through them instead of guessing
            if (unverified) break
            for (const owner of list.slice(i).filter(n => !failed.has(nodeKey(n)))) {
              try {
                const after = await this.rpc.getSuccessorList(owner, options)
                return { key, owner, successors: [owner, ...after], hops, failures: failed.size }
              } catch (err) {
                failed.add(nodeKey(owner))
                lastError = errorMessage(err)
                this.forget(owner)
              }
            }
            break
          }
          if (!failed.has(nodeKey(node))) unverified = true
          previous = node
        }
        const before = candidates.size
        live.forEach(node => { offer(node, precedingDistance(asker.id, key)) })
        // nothing new to try through this member: let the next closest answer
        if (candidates.size === before) drop()
        continue
      }
      const k = nodeKey(next)
      candidates.delete(k)
      visited.add(k)
      let result: StepResult
      try {
        result = await this.rpc.findSuccessorStep(next, key, options)
      } catch (err) {
        failed.add(k)
        lastError = errorMessage(err)
        this.log('lookup: %s did not answer: %s', describeNode(next), lastError)
        this.forget(next)
        continue
      }
      if (next.peer !== this.peer) hops++
      if (result.done) {
        const [owner] = result.nodes
        if (owner === undefined) throw new LookupFailedError(`${describeNode(next)} answered a lookup with no owner`)
        // an honest member names its successor, past the key; one that names
        // itself while we are members too ignores us: it lies, or has no
        // successor yet (a ring's first member while others join). Route
        // round it as if it had not answered; take its word only if no
        // other member can answer.
        if (!betweenRightIncl(next.id, key, owner.id) || (nodeKey(owner) === k && next.peer !== this.peer && this.joined)) {
          doubtful ??= { key, owner, successors: [...result.nodes], hops, failures: failed.size }
          failed.add(k)
          lastError = `${describeNode(next)} named ${describeNode(owner)} as the owner`
          this.forget(next)
          continue
        }
        this.remember(next, ...result.nodes)
        return { key, owner, successors: [...result.nodes], hops, failures: failed.size }
      }
      answered.push(next)
      const bound = precedingDistance(next.id, key)
      result.nodes.forEach(node => { offer(node, bound) })
    }
    if (doubtful !== undefined) return doubtful
    throw new LookupFailedError(`lookup of ${key.toString(16).slice(0, 8)}… failed after ${visited.size} members (${failed.size} unreachable${lastError !== '' ? `, last: ${lastError}` : ''})`)
  }

  /** Members of the ring, as a lookup just saw them: cache them for later lookups */
  private remember (...nodes: NodeRef[]): void {
    for (const node of nodes) if (node.peer !== this.peer && !this.isSuspect(node)) this.cache.add(node)
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
  private suspect (node: NodeRef): void {
    if (node.peer === this.peer) return
    this.forget(node)
    const now = this.clock.now()
    if (this.suspects.size > 1024) {
      for (const [key, until] of this.suspects) if (until <= now) this.suspects.delete(key)
    }
    this.suspects.set(nodeKey(node), now + this.suspicionTime)
  }

  private isSuspect (node: NodeRef): boolean {
    if (this.suspects.size === 0) return false // the common case, on every operation's guess
    const key = nodeKey(node)
    const until = this.suspects.get(key)
    if (until === undefined) return false
    if (until > this.clock.now()) return true
    this.suspects.delete(key)
    return false
  }

  /** Positions that are ring members, with their neighbours (what the store needs) */
  memberPositions (): Array<{ self: NodeRef, predecessor: NodeRef | undefined, successors: NodeRef[] }> {
    return this.nodes.filter(n => n.joined).map(n => ({ self: n.self, predecessor: n.getPredecessor(), successors: n.getSuccessorList() }))
  }

  knownSuccessors (key: Id, count: number): NodeRef[] | undefined {
    const own = this.nodes.filter(n => n.joined)
    if (own.length === 0 || count < 1) return undefined
    const usable = (node: NodeRef): boolean => !this.isSuspect(node)
    // cached members from the key on, until `count` distinct peers...
    const seen = new Set<string>()
    const known: NodeRef[] = []
    for (const node of this.cache.from(key)) {
      if (!usable(node)) continue
      known.push(node)
      seen.add(node.peer)
      if (seen.size >= count) break
    }
    // ...and what our own positions know first hand, merged in ring order
    for (const n of own) {
      known.push(n.self, ...n.getSuccessorList().filter(usable))
      const predecessor = n.getPredecessor()
      if (predecessor !== undefined && usable(predecessor)) known.push(predecessor)
    }
    const from = (node: NodeRef): Id => distance(key, node.id)
    known.sort((a, b) => { const d = from(a) - from(b); return d < 0n ? -1 : d > 0n ? 1 : 0 })
    const peers = new Set<string>()
    const out: NodeRef[] = []
    for (const node of known) {
      if (peers.has(node.peer)) continue
      peers.add(node.peer)
      out.push(node)
      if (out.length === count) break
    }
    return out
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

  private node (vnode: number): ChordNode {
    const node = this.nodes[vnode]
    if (node === undefined) throw new RangeError(`no virtual node ${vnode} on this peer`)
    return node
  }

  private joinedNode (vnode: number): ChordNode {
    const node = this.node(vnode)
    if (!node.joined) throw new NotJoinedError(`virtual node ${vnode} is not a ring member`)
    return node
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
    this.suspect(leaving)
    node.onLeave(leaving, predecessor, successors)
      .catch(err => { this.log('leave from %s: %s', describeNode(leaving), errorMessage(err)) })
      .finally(() => { this.stabilizer.runSoon() })
  }

  private async forEachNode (fn: (node: ChordNode) => Promise<void>): Promise<void> {
    await Promise.all(this.nodes.map(async node => {
      try {
        await fn(node)
      } catch (err) {
        this.log.error('maintenance of %s failed: %s', describeNode(node.self), errorMessage(err))
      }
    }))
  }
}

/** Distance from a member to a key it precedes; a member at the key itself precedes it by a full turn */
function precedingDistance (node: Id, key: Id): Id {
  const d = distance(node, key)
  return d === 0n ? RING_SIZE : d
}

function closestBefore (nodes: Iterable<NodeRef>, key: Id): NodeRef | undefined {
  let best: NodeRef | undefined
  let bestDistance = RING_SIZE + 1n
  for (const node of nodes) {
    const d = precedingDistance(node.id, key)
    if (d < bestDistance) {
      best = node
      bestDistance = d
    }
  }
  return best
}

/**
 * Messages to the peer's own virtual nodes are answered in-process; the rest
 * go out through the real ChordRpc.
 */
class LocalShortcut implements ChordRpc {
  private readonly peer: string
  private readonly remote: ChordRpc
  private readonly local: RingPeer

  constructor (peer: string, remote: ChordRpc, local: RingPeer) {
    this.peer = peer
    this.remote = remote
    this.local = local
  }

  async findSuccessorStep (to: NodeRef, key: Id, options?: RequestOptions): Promise<StepResult> {
    return to.peer === this.peer ? this.local.findSuccessorStep(to.vnode, key) : this.remote.findSuccessorStep(to, key, options)
  }

  async getPredecessor (to: NodeRef, options?: RequestOptions): Promise<NodeRef | undefined> {
    return to.peer === this.peer ? this.local.getPredecessor(to.vnode) : this.remote.getPredecessor(to, options)
  }

  async getSuccessorList (to: NodeRef, options?: RequestOptions): Promise<NodeRef[]> {
    return to.peer === this.peer ? this.local.getSuccessorList(to.vnode) : this.remote.getSuccessorList(to, options)
  }

  async notify (to: NodeRef, from: NodeRef, options?: RequestOptions): Promise<void> {
    if (to.peer === this.peer) await this.local.notify(to.vnode, from)
    else await this.remote.notify(to, from, options)
  }

  async ping (to: NodeRef, options?: RequestOptions): Promise<void> {
    if (to.peer === this.peer) this.local.ping(to.vnode)
    else await this.remote.ping(to, options)
  }

  async leave (to: NodeRef, leaving: NodeRef, predecessor: NodeRef | undefined, successors: readonly NodeRef[], options?: RequestOptions): Promise<void> {
    if (to.peer === this.peer) this.local.onLeave(to.vnode, leaving, predecessor, successors)
    else await this.remote.leave(to, leaving, predecessor, successors, options)
  }
}

