/**
 * Types shared by the ring logic and whatever carries its messages
 * (libp2p in production, an in-memory network in a simulator).
 */
import type { Id } from './id.ts'

/** One ring member: a position (virtual node) of a peer */
export interface NodeRef {
  /** Position on the ring, always derived from `peer` and `vnode` */
  readonly id: Id
  /** Opaque peer address: the libp2p peer id string in production */
  readonly peer: string
  /** Index of this position among the peer's virtual nodes */
  readonly vnode: number
  /** Where the peer can be dialled (multiaddr strings); may be empty if already known */
  readonly addrs: readonly string[]
}

/** The answer of one routing step of an iterative lookup */
export interface StepResult {
  /**
   * true: the key lies between the asked node and its successor, and `nodes`
   * is that successor followed by the rest of the asked node's successor list.
   * false: `nodes` are members closer to the key, closest first.
   */
  readonly done: boolean
  readonly nodes: readonly NodeRef[]
}

export interface RequestOptions {
  signal?: AbortSignal
}

/**
 * Outgoing messages of the Chord protocol. Every call may reject; a
 * rejection means "treat the target as unreachable for now".
 */
export interface ChordRpc {
  /** One step of findSuccessor: answer if you can, else name closer nodes */
  findSuccessorStep(to: NodeRef, key: Id, options?: RequestOptions): Promise<StepResult>
  getPredecessor(to: NodeRef, options?: RequestOptions): Promise<NodeRef | undefined>
  getSuccessorList(to: NodeRef, options?: RequestOptions): Promise<NodeRef[]>
  /** "I believe I am your predecessor" (Zave's rectify runs at the receiver) */
  notify(to: NodeRef, from: NodeRef, options?: RequestOptions): Promise<void>
  ping(to: NodeRef, options?: RequestOptions): Promise<void>
  /** The positions `to` holds as a member, for a peer known by its address only (its vnode is ignored) */
  positions(to: NodeRef, options?: RequestOptions): Promise<NodeRef[]>
  /** A graceful goodbye: `leaving` is going away; these were its neighbours */
  leave(to: NodeRef, leaving: NodeRef, predecessor: NodeRef | undefined, successors: readonly NodeRef[], options?: RequestOptions): Promise<void>
}

/** Incoming messages, addressed to one of the local peer's virtual nodes */
export interface ChordHandler {
  findSuccessorStep(vnode: number, key: Id): StepResult
  getPredecessor(vnode: number): NodeRef | undefined
  getSuccessorList(vnode: number): NodeRef[]
  notify(vnode: number, from: NodeRef): Promise<void>
  ping(vnode: number): void
  /** the local peer's positions that are ring members */
  getPositions(): NodeRef[]
  onLeave(vnode: number, leaving: NodeRef, predecessor: NodeRef | undefined, successors: readonly NodeRef[]): void
}
