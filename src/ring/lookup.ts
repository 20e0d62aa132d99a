/**
 * The iterative lookup (findSuccessor across the ring), one query at a time,
 * the way kad-dht keeps its query path apart from the routing table: always
 * ask the closest known member preceding the key; a member that does not
 * answer is forgotten and the next closest is asked, so dead fingers or
 * successors cost a retry, not the lookup. When the member just before the
 * key is the one that failed, nobody else can say "done": then the closest
 * member that answered is asked for its successor list, and its first entry
 * past the failed ones owns the key.
 */
import { RING_SIZE, betweenRightIncl, distance } from './id.ts'
import { LookupFailedError } from './errors.ts'
import { describeNode, nodeKey } from './node-ref.ts'
import { errorMessage } from '../util/errors.ts'
import type { Id } from './id.ts'
import type { ChordRpc, NodeRef, RequestOptions, StepResult } from './types.ts'
import type { Log } from '../util/log.ts'

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

/** What a lookup needs from the peer that runs it */
export interface LookupContext {
  /** the peer's own address: its positions cost no hop */
  readonly peer: string
  readonly rpc: ChordRpc
  readonly maxSteps: number
  readonly log: Log
  /** is our own position `vnode` a ring member (only members answer)? */
  isMember(vnode: number): boolean
  /** are all our positions ring members? */
  joined(): boolean
  /** the cached member closest before `key`, a shortcut to start from */
  closestCached(key: Id): NodeRef | undefined
  /** a member did not answer */
  forget(node: NodeRef): void
  /** members a lookup just saw alive */
  remember(...nodes: NodeRef[]): void
}

/** Find successor(key), starting from the members in `start` */
export async function iterativeLookup (ctx: LookupContext, key: Id, start: NodeRef[], options: RequestOptions = {}): Promise<LookupResult> {
  return new LookupQuery(ctx, key, options).run(start)
}

/** Distance from a member to a key it precedes; a member at the key itself precedes it by a full turn */
export function precedingDistance (node: Id, key: Id): Id {
  const d = distance(node, key)
  return d === 0n ? RING_SIZE : d
}

export function closestBefore (nodes: Iterable<NodeRef>, key: Id): NodeRef | undefined {
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

/** The state of one lookup: who is left to ask, who answered, who failed */
class LookupQuery {
  private readonly ctx: LookupContext
  private readonly key: Id
  private readonly options: RequestOptions
  private readonly candidates = new Map<string, NodeRef>()
  private readonly visited = new Set<string>()
  private readonly failed = new Set<string>()
  private readonly answered: NodeRef[] = []
  private hops = 0
  private lastError = ''
  /** an owner named by a member that may be wrong, taken only if nobody else answers */
  private doubtful: LookupResult | undefined

  constructor (ctx: LookupContext, key: Id, options: RequestOptions) {
    this.ctx = ctx
    this.key = key
    this.options = options
  }

  async run (start: NodeRef[]): Promise<LookupResult> {
    start.forEach(node => { this.offer(node, RING_SIZE + 1n) })
    const cached = this.ctx.closestCached(this.key)
    if (cached !== undefined) this.offer(cached, RING_SIZE + 1n)
    for (let steps = 0; steps < this.ctx.maxSteps; steps++) {
      this.options.signal?.throwIfAborted()
      const next = closestBefore(this.candidates.values(), this.key)
      const best = closestBefore(this.answered, this.key)
      let found: LookupResult | undefined
      if (next === undefined || (best !== undefined && precedingDistance(best.id, this.key) < precedingDistance(next.id, this.key))) {
        // fall back on the successor list of the closest member that answered
        if (best === undefined) break
        found = await this.askSuccessorList(best)
      } else {
        found = await this.askStep(next)
      }
      if (found !== undefined) return found
    }
    if (this.doubtful !== undefined) return this.doubtful
    const { visited, failed, lastError } = this
    throw new LookupFailedError(`lookup of ${this.key.toString(16).slice(0, 8)}… failed after ${visited.size} members (${failed.size} unreachable${lastError !== '' ? `, last: ${lastError}` : ''})`)
  }

  /** Consider asking `node`: only members strictly closer to the key than the one that named them (progress) */
  private offer (node: NodeRef, bound: Id): void {
    if (precedingDistance(node.id, this.key) >= bound) return
    // our own positions answer only once they are ring members
    if (node.peer === this.ctx.peer && !this.ctx.isMember(node.vnode)) return
    const k = nodeKey(node)
    if (!this.visited.has(k)) this.candidates.set(k, node)
  }

  private fail (node: NodeRef, err: unknown): void {
    this.failed.add(nodeKey(node))
    this.lastError = errorMessage(err)
    this.ctx.forget(node)
  }

  private result (owner: NodeRef, successors: NodeRef[]): LookupResult {
    return { key: this.key, owner, successors, hops: this.hops, failures: this.failed.size }
  }

  /** One routing step: `next` answers with the owner, or with members closer to the key */
  private async askStep (next: NodeRef): Promise<LookupResult | undefined> {
    const k = nodeKey(next)
    this.candidates.delete(k)
    this.visited.add(k)
    let result: StepResult
    try {
      result = await this.ctx.rpc.findSuccessorStep(next, this.key, this.options)
    } catch (err) {
      this.fail(next, err)
      this.ctx.log('lookup: %s did not answer: %s', describeNode(next), this.lastError)
      return undefined
    }
    if (next.peer !== this.ctx.peer) this.hops++
    if (result.done) return this.takeOwner(next, result.nodes)
    this.answered.push(next)
    const bound = precedingDistance(next.id, this.key)
    result.nodes.forEach(node => { this.offer(node, bound) })
    return undefined
  }

  /**
   * `next` says it knows the owner. An honest member names its successor,
   * past the key; one that names itself while we are members too ignores us:
   * it lies, or has no successor yet (a ring's first member while others
   * join). Route round it as if it had not answered; take its word only if
   * no other member can answer.
   */
  private takeOwner (next: NodeRef, nodes: readonly NodeRef[]): LookupResult | undefined {
    const [owner] = nodes
    if (owner === undefined) throw new LookupFailedError(`${describeNode(next)} answered a lookup with no owner`)
    const k = nodeKey(next)
    if (!betweenRightIncl(next.id, this.key, owner.id) || (nodeKey(owner) === k && next.peer !== this.ctx.peer && this.ctx.joined())) {
      this.doubtful ??= this.result(owner, [...nodes])
      this.fail(next, `${describeNode(next)} named ${describeNode(owner)} as the owner`)
      return undefined
    }
    this.ctx.remember(next, ...nodes)
    return this.result(owner, [...nodes])
  }

  /** Read the owner off the successor list of `asker`, the closest member that answered */
  private async askSuccessorList (asker: NodeRef): Promise<LookupResult | undefined> {
    const drop = (): void => { this.answered.splice(this.answered.indexOf(asker), 1) }
    let list: NodeRef[]
    try {
      list = await this.ctx.rpc.getSuccessorList(asker, this.options)
    } catch (err) {
      this.lastError = errorMessage(err)
      drop()
      return undefined
    }
    const live = list.filter(n => !this.failed.has(nodeKey(n)))
    const found = await this.ownerInList(asker, list)
    if (found !== undefined) return found
    const before = this.candidates.size
    live.forEach(node => { this.offer(node, precedingDistance(asker.id, this.key)) })
    // nothing new to try through this member: let the next closest answer
    if (this.candidates.size === before) drop()
    return undefined
  }

  /**
   * Walk the list: the entry whose range holds the key owns it; if that entry
   * is one that failed, it is taken as dead and the next one owns it. The
   * owner must answer, and its own list names the successors: the tail of
   * the asker's list may be too short to hold r replicas.
   */
  private async ownerInList (asker: NodeRef, list: NodeRef[]): Promise<LookupResult | undefined> {
    let previous = asker
    let unverified = false
    for (const [i, node] of list.entries()) {
      if (betweenRightIncl(previous.id, this.key, node.id)) {
        // members before the key that this lookup has not seen fail may be
        // alive and know better: route through them instead of guessing
        if (unverified) return undefined
        for (const owner of list.slice(i).filter(n => !this.failed.has(nodeKey(n)))) {
          try {
            const after = await this.ctx.rpc.getSuccessorList(owner, this.options)
            return this.result(owner, [owner, ...after])
          } catch (err) {
            this.fail(owner, err)
          }
        }
        return undefined
      }
      if (!this.failed.has(nodeKey(node))) unverified = true
      previous = node
    }
    return undefined
  }
}
