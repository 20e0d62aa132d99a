/**
 * One Chord ring member (one virtual node of a peer): its successor list,
 * predecessor and fingers, and the maintenance steps of Zave's corrected
 * Chord ("Reasoning about identifier spaces: how to make Chord correct",
 * IEEE TSE 2017): stabilize, rectify (for notify), checkPredecessor and
 * fixFingers. No I/O of its own: it talks to other members through ChordRpc.
 */
import { ID_BITS, between, betweenRightIncl, distance, fingerStart } from './id.ts'
import { compareIds, describeNode, nodeKey, normalizeSuccessors, sameNode } from './node-ref.ts'
import type { Id } from './id.ts'
import type { ChordRpc, NodeRef, StepResult } from './types.ts'
import { errorMessage } from '../util/errors.ts'
import type { Log } from '../util/log.ts'

export interface RingNodeInit {
  self: NodeRef
  rpc: ChordRpc
  /** r, the length of the successor list */
  successorListLength: number
  /** how many closer members a routing step names (fallbacks for dead ones) */
  stepWidth: number
  /** the peer-level lookup, used to refresh fingers */
  findSuccessor(key: Id): Promise<{ owner: NodeRef, successors: NodeRef[] }>
  onSuccessorChange?(previous: NodeRef | undefined, current: NodeRef | undefined): void
  onPredecessorChange?(previous: NodeRef | undefined, current: NodeRef | undefined): void
  /** any entry of the successor list changed (the first one also reports onSuccessorChange) */
  onSuccessorListChange?(successors: readonly NodeRef[]): void
  /** a successor did not answer stabilize: the peer forgets and suspects it */
  onUnreachable(node: NodeRef): void
  /** a member recently seen dead: kept out of lists learned from others */
  isSuspect(node: NodeRef): boolean
  /** a member answered or wrote to us: no longer suspect */
  alive(node: NodeRef): void
  /** a predecessor stopped answering: remember it, it may come back in another ring */
  onLost?(node: NodeRef): void
  log: Log
}

export interface NodeState {
  self: NodeRef
  predecessor: NodeRef | undefined
  successors: NodeRef[]
  /** distinct finger entries with the index of the first finger that holds each */
  fingers: Array<{ index: number, node: NodeRef }>
}

export class RingNode {
  readonly self: NodeRef
  private predecessor: NodeRef | undefined
  private successors: NodeRef[] = []
  private readonly fingers: Array<NodeRef | undefined> = new Array(ID_BITS).fill(undefined)
  /** the distinct members in `fingers`: most of the m entries repeat a few */
  private distinctFingers: NodeRef[] = []
  private readonly init: RingNodeInit
  /** set once the node is a ring member: it formed a ring or joined one */
  joined = false

  constructor (init: RingNodeInit) {
    this.init = init
    this.self = init.self
  }

  /** First entry of the successor list; the node itself when alone */
  successor (): NodeRef {
    return this.successors[0] ?? this.self
  }

  getPredecessor (): NodeRef | undefined {
    return this.predecessor
  }

  getSuccessorList (): NodeRef[] {
    return [...this.successors]
  }

  /** Form a ring of one */
  create (): void {
    this.setSuccessors([])
    this.setPredecessor(undefined)
    this.joined = true
  }

  /**
   * Join given the successor list of the closest preceding member of our id
   * (found by an iterative lookup). Adopts the first entry that answers.
   */
  async join (candidates: readonly NodeRef[]): Promise<void> {
    for (const s of candidates) {
      if (sameNode(s, this.self)) continue
      try {
        const list = await this.init.rpc.getSuccessorList(s)
        this.setPredecessor(undefined)
        this.setSuccessors([s, ...list])
        this.joined = true
        await this.notifySuccessor()
        return
      } catch (err) {
        this.init.log('join: candidate successor %s did not answer: %s', describeNode(s), errorMessage(err))
      }
    }
    throw new Error('join failed: no candidate successor answered')
  }

  /**
   * One routing step: if the key lies in (self, successor] the successor owns
   * it; otherwise name the members we know that are closest before the key.
   */
  step (key: Id): StepResult {
    const s = this.successor()
    if (betweenRightIncl(this.self.id, key, s.id)) {
      // a list shorter than r holds every other member: we come next after it
      const complete = this.successors.length < this.init.successorListLength
      return { done: true, nodes: complete ? [...this.successors, this.self] : [...this.successors] }
    }
    return { done: false, nodes: this.closestPrecedingNodes(key, this.init.stepWidth) }
  }

  /**
   * closestPrecedingNode of the paper, widened to the `count` closest, so a
   * caller has fallbacks when the first is dead. Draws on fingers and the
   * successor list; only members strictly between self and key qualify.
   */
  closestPrecedingNodes (key: Id, count: number): NodeRef[] {
    const found = new Map<string, { node: NodeRef, distance: Id }>()
    for (const list of [this.distinctFingers, this.successors]) {
      for (const node of list) {
        if (!between(this.self.id, node.id, key)) continue
        found.set(nodeKey(node), { node, distance: distance(node.id, key) })
      }
    }
    return [...found.values()]
      .sort((a, b) => compareIds(a.distance, b.distance))
      .slice(0, count)
      .map(e => e.node)
  }

  /**
   * Zave's stabilize: ask the first successor that answers for its
   * predecessor and list; adopt [s] + s.list, or [p] + p.list when s's
   * predecessor p lies between us and s and answers; then notify.
   */
  async stabilize (): Promise<void> {
    if (!this.joined) return
    const { rpc } = this.init
    const candidates = this.successors.length > 0 ? [...this.successors] : [this.self]
    for (const s of candidates) {
      let predecessor: NodeRef | undefined
      let list: NodeRef[]
      if (sameNode(s, this.self)) {
        // alone: our own predecessor is the only other member we know
        predecessor = this.predecessor
        list = []
      } else {
        try {
          [predecessor, list] = await Promise.all([rpc.getPredecessor(s), rpc.getSuccessorList(s)])
          this.init.alive(s)
        } catch (err) {
          this.init.log('stabilize: successor %s unreachable: %s', describeNode(s), errorMessage(err))
          this.init.onUnreachable(s)
          continue
        }
      }
      let next = sameNode(s, this.self) ? [] : this.listThrough(s, list)
      if (predecessor !== undefined && !sameNode(predecessor, this.self) && between(this.self.id, predecessor.id, s.id)) {
        try {
          const pList = await rpc.getSuccessorList(predecessor)
          this.init.alive(predecessor)
          next = this.listThrough(predecessor, pList)
        } catch {
          // p is not alive: keep s (never adopt a member without checking it)
        }
      }
      this.setSuccessors(next)
      await this.notifySuccessor()
      return
    }
    // every successor is gone (more than r adjacent failures, or a
    // partition): find our successor through the other members we know
    // (fingers), as a joining node would — adopting a finger itself would
    // skip the members between us and it — else become a ring of one
    this.init.log.error('stabilize: all %d successors unreachable', candidates.length)
    try {
      const { successors } = await this.init.findSuccessor(this.self.id)
      await this.join(successors.filter(n => !candidates.some(c => sameNode(c, n))))
    } catch (err) {
      this.init.log('stabilize: no other member found: %s', errorMessage(err))
      this.setSuccessors([])
    }
  }

  /**
   * The successor list through `s`: [s] + s's list, as Zave has it. But a
   * list that wraps round (shorter than r) without us is a small ring that
   * does not know us yet — one just merged in after a partition, a ring of
   * one among them — and taking its word would drop every other member we
   * know: keep them behind it. (In our own small ring s's list holds us, and
   * the usual replacement drops the dead.)
   */
  private listThrough (s: NodeRef, list: readonly NodeRef[]): NodeRef[] {
    const wrapsWithoutUs = list.length < this.init.successorListLength && !list.some(n => sameNode(n, this.self))
    return wrapsWithoutUs ? [s, ...list, ...this.successors] : [s, ...list]
  }

  private async notifySuccessor (): Promise<void> {
    const s = this.successor()
    if (sameNode(s, this.self)) return
    try {
      await this.init.rpc.notify(s, this.self)
    } catch (err) {
      this.init.log('notify %s failed: %s', describeNode(s), errorMessage(err))
    }
  }

  /**
   * Zave's rectify, run when `from` notifies us: take it as predecessor if
   * we have none, if it lies between the current one and us, or if the
   * current one is dead.
   */
  async rectify (from: NodeRef): Promise<void> {
    if (!this.joined || sameNode(from, this.self)) return
    this.init.alive(from)
    const current = this.predecessor
    if (current === undefined || between(current.id, from.id, this.self.id)) {
      this.setPredecessor(from)
      return
    }
    if (sameNode(current, from)) return
    try {
      await this.init.rpc.ping(current)
    } catch {
      if (sameNode(this.predecessor, current)) this.setPredecessor(from)
    }
  }

  /**
   * Ring unification: `candidate` is the member that follows us in another
   * ring (found through a peer of that ring after a partition healed). Adopt
   * it if it lies between us and our successor and answers, merging its
   * successor list with ours in ring order; notify it either way, so that it
   * may take us as its predecessor. Either pointer across the two rings is
   * enough for stabilize and rectify to zip them into one.
   */
  async considerSuccessor (candidate: NodeRef): Promise<boolean> {
    if (!this.joined || sameNode(candidate, this.self)) return false
    let adopted = false
    if (between(this.self.id, candidate.id, this.successor().id)) {
      // never adopt a member without checking that it is alive
      const list = await this.init.rpc.getSuccessorList(candidate)
      this.init.alive(candidate)
      this.setSuccessors([candidate, ...list, ...this.successors])
      adopted = sameNode(this.successor(), candidate)
    }
    await this.init.rpc.notify(candidate, this.self)
    return adopted
  }

  /** Clear a predecessor that no longer answers */
  async checkPredecessor (): Promise<void> {
    const current = this.predecessor
    if (current === undefined || sameNode(current, this.self)) return
    try {
      await this.init.rpc.ping(current)
    } catch {
      if (sameNode(this.predecessor, current)) {
        this.init.log('predecessor %s unreachable, cleared', describeNode(current))
        this.setPredecessor(undefined)
        this.init.onLost?.(current)
      }
    }
  }

  /**
   * Refresh the finger table. finger[i] = successor(self + 2^i); fingers
   * whose start falls before an already-found finger's node share it, so a
   * pass costs about log2 N lookups rather than m.
   */
  async fixFingers (): Promise<void> {
    if (!this.joined) return
    let i = 0
    while (i < ID_BITS) {
      let owner: NodeRef
      try {
        ({ owner } = await this.init.findSuccessor(fingerStart(this.self.id, i)))
      } catch (err) {
        this.init.log('fixFingers: lookup of finger %d failed: %s', i, errorMessage(err))
        break
      }
      const entry = sameNode(owner, this.self) ? undefined : owner
      do {
        this.fingers[i] = entry
        i++
      } while (i < ID_BITS && betweenRightIncl(this.self.id, fingerStart(this.self.id, i), owner.id))
    }
    this.indexFingers()
  }

  private indexFingers (): void {
    const distinct = new Map<string, NodeRef>()
    for (const node of this.fingers) if (node !== undefined) distinct.set(nodeKey(node), node)
    this.distinctFingers = [...distinct.values()]
  }

  /** A member stopped answering: drop it from the fingers (stabilize owns the list) */
  forget (node: NodeRef): void {
    if (!this.distinctFingers.some(n => sameNode(n, node))) return
    for (let i = 0; i < this.fingers.length; i++) {
      if (sameNode(this.fingers[i], node)) this.fingers[i] = undefined
    }
    this.indexFingers()
  }

  /**
   * A neighbour leaves gracefully: splice its successor list into ours in
   * its place, and take its predecessor once that answers.
   */
  async onLeave (leaving: NodeRef, predecessor: NodeRef | undefined, successors: readonly NodeRef[]): Promise<void> {
    this.forget(leaving)
    const index = this.successors.findIndex(n => sameNode(n, leaving))
    if (index >= 0) {
      const spliced = [...this.successors.slice(0, index), ...successors, ...this.successors.slice(index + 1)]
      this.setSuccessors(spliced.filter(n => !sameNode(n, leaving)))
    }
    if (sameNode(this.predecessor, leaving)) {
      this.setPredecessor(undefined)
      if (predecessor !== undefined && !sameNode(predecessor, this.self)) {
        try {
          await this.init.rpc.ping(predecessor)
          if (this.predecessor === undefined) this.setPredecessor(predecessor)
        } catch {}
      }
    }
  }

  /** Tell our neighbours we are going, so the ring closes at once */
  async leave (): Promise<void> {
    if (!this.joined) return
    this.joined = false
    const { rpc } = this.init
    const predecessor = this.predecessor
    const successors = this.getSuccessorList()
    const told = new Set<string>()
    // a list shorter than r wraps round a small ring and every member holds us in theirs: tell them
    // all, or those that never ask us would pass us round for ever
    const wrapped = successors.length < this.init.successorListLength
    await Promise.all([predecessor, ...(wrapped ? successors : successors.slice(0, 1))].map(async (neighbour) => {
      if (neighbour === undefined || sameNode(neighbour, this.self) || told.has(nodeKey(neighbour))) return
      told.add(nodeKey(neighbour))
      try {
        await rpc.leave(neighbour, this.self, predecessor, successors)
      } catch (err) {
        this.init.log('leave: could not tell %s: %s', describeNode(neighbour), errorMessage(err))
      }
    }))
  }

  /** Every other member this node knows of */
  knownMembers (): NodeRef[] {
    const found = new Map<string, NodeRef>()
    for (const node of [...this.successors, this.predecessor, ...this.distinctFingers]) {
      if (node !== undefined && !sameNode(node, this.self)) found.set(nodeKey(node), node)
    }
    return [...found.values()]
  }

  getState (): NodeState {
    const fingers: NodeState['fingers'] = []
    for (let i = 0; i < this.fingers.length; i++) {
      const node = this.fingers[i]
      if (node !== undefined && !sameNode(node, fingers.at(-1)?.node)) fingers.push({ index: i, node })
    }
    return { self: this.self, predecessor: this.predecessor, successors: this.getSuccessorList(), fingers }
  }

  private setSuccessors (nodes: Iterable<NodeRef>): void {
    const before = this.successors
    const previous = before[0]
    // in a ring smaller than r the lists wrap round, and a dead member would
    // travel round them for ever unless those who saw it die keep it out
    const candidates = [...nodes].filter(n => !this.init.isSuspect(n))
    this.successors = normalizeSuccessors(this.self, candidates, this.init.successorListLength)
    if (!sameNode(previous, this.successors[0]) && !(previous === undefined && this.successors[0] === undefined)) {
      this.init.onSuccessorChange?.(previous, this.successors[0])
    }
    if (before.length !== this.successors.length || before.some((n, i) => !sameNode(n, this.successors[i]))) {
      this.init.onSuccessorListChange?.(this.successors)
    }
  }

  private setPredecessor (node: NodeRef | undefined): void {
    const previous = this.predecessor
    this.predecessor = node
    if (!sameNode(previous, node) && !(previous === undefined && node === undefined)) {
      this.init.onPredecessorChange?.(previous, node)
    }
  }
}
