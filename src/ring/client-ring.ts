/**
 * The ring as a client sees it: a peer that uses the ring without joining
 * it. It holds no position, so it is never anyone's successor, predecessor
 * or finger and no key is ever placed on it; it routes its lookups through
 * the members it knows — entry points (bootstrap addresses, members it
 * connected to) and the members lookups and owners named since, kept in a
 * location cache — so once warm it goes straight to a key's replicas, as a
 * member does.
 */
import { NoMembersError } from './errors.ts'
import { iterativeLookup } from './lookup.ts'
import { MemberCache, knownSuccessors } from './member-cache.ts'
import { positionOf } from './position-choice.ts'
import { silentLog } from '../util/log.ts'
import type { Id } from './id.ts'
import type { LookupContext, LookupResult } from './lookup.ts'
import type { ChordRpc, NodeRef, RequestOptions } from './types.ts'
import type { Log } from '../util/log.ts'

export interface ClientRingInit {
  /** this peer's address (the libp2p peer id string) */
  peer: string
  rpc: ChordRpc
  /** members remembered to start lookups next to the key (default 1024) */
  locationCacheSize?: number
  /** entry points remembered at most (default 64) */
  maxEntries?: number
  /** upper bound on members visited by one lookup (default 64) */
  maxLookupSteps?: number
  log?: Log
  /**
   * Called when no member is known, before failing with NoMembersError: a
   * chance to wait for a connection to a bootstrap member under way
   */
  whenNoMembers?(options: RequestOptions): Promise<void>
  /** told of every findSuccessor: its hops, or undefined when it failed */
  onLookup?(hops: number | undefined): void
}

export class ClientRing {
  readonly peer: string
  private readonly init: ClientRingInit
  private readonly cache: MemberCache
  /** members to start from when the cache is empty, by peer */
  private readonly entries = new Map<string, NodeRef>()
  private readonly maxEntries: number
  private readonly context: LookupContext

  constructor (init: ClientRingInit) {
    this.init = init
    this.peer = init.peer
    this.cache = new MemberCache(init.locationCacheSize ?? 1024)
    this.maxEntries = init.maxEntries ?? 64
    this.context = {
      peer: this.peer,
      rpc: init.rpc,
      maxSteps: init.maxLookupSteps ?? 64,
      log: init.log ?? silentLog,
      // a client has no position of its own to answer from
      isMember: () => false,
      joined: () => false,
      closestCached: (key) => this.cache.closestBefore(key),
      forget: (node) => { this.forget(node) },
      remember: (...nodes) => { this.learn(nodes) }
    }
  }

  /** A peer believed to be a ring member (a bootstrap address answered, identify named the ring's protocol) */
  addEntry (node: NodeRef): void {
    if (node.peer === this.peer) return
    this.entries.delete(node.peer)
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next().value
      if (oldest !== undefined) this.entries.delete(oldest)
    }
    this.entries.set(node.peer, node)
  }

  /** A peer believed to be a member, known by its addresses only: it is asked for its positions, the first becomes an entry point */
  async addContact (contact: NodeRef, options?: RequestOptions): Promise<void> {
    this.addEntry(await positionOf(this.init.rpc, contact, options))
  }

  removeEntry (peer: string): void {
    this.entries.delete(peer)
  }

  /** Members known to route through: entry points and cached members */
  get knownMembers (): number {
    return this.entries.size + this.cache.size
  }

  /** successor(key), routed through the members this client knows */
  async findSuccessor (key: Id, options: RequestOptions = {}): Promise<LookupResult> {
    if (this.knownMembers === 0) await this.init.whenNoMembers?.(options)
    if (this.knownMembers === 0) {
      this.init.onLookup?.(undefined)
      throw new NoMembersError()
    }
    try {
      const result = await iterativeLookup(this.context, key, [...this.entries.values()], options)
      this.init.onLookup?.(result.hops)
      return result
    } catch (err) {
      this.init.onLookup?.(undefined)
      throw err
    }
  }

  /** A client holds no position */
  memberPositions (): Array<{ self: NodeRef, predecessor: NodeRef | undefined, successors: NodeRef[] }> {
    return []
  }

  /** A guess at the replicas of `key` from the location cache, for reads and writes without a lookup */
  knownSuccessors (key: Id, count: number): NodeRef[] | undefined {
    if (this.cache.size === 0 || count < 1) return undefined
    return knownSuccessors(key, count, this.cache, [], () => true)
  }

  /** Members a lookup or an owner just named */
  learn (nodes: NodeRef[]): void {
    for (const node of nodes) if (node.peer !== this.peer) this.cache.add(node)
  }

  /** A member did not answer: route round it from now on (entry points stay, to start again from) */
  forget (node: NodeRef): void {
    this.cache.remove(node)
  }

  hasOtherPeers (): boolean {
    return this.knownMembers > 0
  }

  /** The members this client would route through (cache and entry points), for tests and state dumps */
  members (): NodeRef[] {
    return [...this.cache.from(0n), ...this.entries.values()]
  }
}
