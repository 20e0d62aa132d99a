/**
 * What the replicated store needs from the ring and from the network. Like
 * the ring, it talks to other peers only through StoreRpc and answers through
 * StoreHandler, so a simulator can drive it without libp2p.
 */
import type { StoreRecord, Version } from './record.ts'
import type { Id } from '../ring/id.ts'
import type { LookupResult } from '../ring/ring-peer.ts'
import type { NodeRef, RequestOptions } from '../ring/types.ts'

/** How many replicas must answer: one, a majority, or every one */
export type Consistency = 'ONE' | 'QUORUM' | 'ALL'

export interface VersionEntry {
  key: Uint8Array
  version: Version
  deleted: boolean
}

export interface FetchResult {
  records: StoreRecord[]
  answered: number
  /**
   * a key asked for is not held, and this peer's place in the ring changed
   * lately (a join, a merge of rings): its handoff may still be on the way,
   * so the absence is not final
   */
  unsettled?: boolean
}

/** A FETCH with an owner check: the record, the owner's word, and whether an absence is final */
export interface CheckedFetch {
  record: StoreRecord | undefined
  ownership: Ownership
  unsettled?: boolean
}

/**
 * A peer's word on whether it owns a key (the key lies in (predecessor,
 * self] of one of its positions) and, if so, the next r − 1 distinct peers
 * of that position's successor list: the key's other replicas.
 */
export interface Ownership {
  owner: boolean
  successors: NodeRef[]
}

/** A page of the records a peer holds in a range, in ring order */
export interface RangePage {
  records: StoreRecord[]
  /** records follow the last one in the range */
  more: boolean
}

export interface StoreRpc {
  /** keep these records if newer; per record true = stored, false = already had same or newer */
  store(to: NodeRef, records: StoreRecord[], options?: RequestOptions): Promise<boolean[]>
  /** records held for a prefix of `keys`; `answered` says how many keys were looked at */
  fetch(to: NodeRef, keys: Uint8Array[], options?: RequestOptions): Promise<FetchResult>
  /** the record `to` holds for `key`, and whether `to` owns the key */
  fetchChecked(to: NodeRef, key: Uint8Array, options?: RequestOptions): Promise<CheckedFetch>
  /** store `record` at `to` only if `to` owns its key; `stored` as in store() */
  storeChecked(to: NodeRef, record: StoreRecord, options?: RequestOptions): Promise<{ stored: boolean, ownership: Ownership }>
  /** XOR digest of everything held in (from, to] */
  rangeDigest(to: NodeRef, from: Id, until: Id, options?: RequestOptions): Promise<Uint8Array>
  bucketDigests(to: NodeRef, from: Id, until: Id, options?: RequestOptions): Promise<Array<{ bucket: number, digest: Uint8Array }>>
  versions(to: NodeRef, from: Id, until: Id, bucket: number, limit: number, options?: RequestOptions): Promise<{ entries: VersionEntry[], more: boolean }>
  /**
   * the records `to` holds in (from, until], in ring order from `from` on, at
   * most `maxRecords` and, past the first record, `maxBytes` of keys and
   * values; each checked to lie there, in order, within the record limits
   */
  rangeRecords(to: NodeRef, from: Id, until: Id, maxRecords: number, maxBytes: number, options?: RequestOptions): Promise<RangePage>
  /** ask `to` to check soon for keys it no longer replicates (a peer joined near it) */
  sweepSoon(to: NodeRef, options?: RequestOptions): Promise<void>
}

export interface StoreHandler {
  store(records: StoreRecord[], from: string): Promise<boolean[]>
  fetch(keys: Uint8Array[]): Promise<FetchResult>
  /** whether this peer owns `key`, and the successors of the position that does */
  ownership(key: Uint8Array): Ownership
  /** the record held for `key`, and whether this peer owns it */
  fetchChecked(key: Uint8Array): Promise<CheckedFetch>
  /** keep `record` only if this peer owns its key, so a wrongly guessed owner holds no stray copy */
  storeChecked(record: StoreRecord, from: string): Promise<{ stored: boolean, ownership: Ownership }>
  rangeDigest(from: Id, until: Id): Promise<Uint8Array>
  bucketDigests(from: Id, until: Id): Promise<Array<{ bucket: number, digest: Uint8Array }>>
  versions(from: Id, until: Id, bucket: number, limit: number): Promise<{ entries: VersionEntry[], more: boolean }>
  rangeRecords(from: Id, until: Id, maxRecords: number, maxBytes: number): Promise<RangePage>
  /** another peer saw a join that may have moved keys off this one: sweep soon (rate-limited) */
  sweepSoon(): void
}

/** The ring as the store sees it (RingPeer implements it) */
export interface RingView {
  readonly peer: string
  findSuccessor(key: Id, options?: RequestOptions): Promise<LookupResult>
  /** this peer's positions that are ring members, with their neighbours */
  memberPositions(): Array<{ self: NodeRef, predecessor: NodeRef | undefined, successors: NodeRef[] }>
  /**
   * A guess at the first `count` distinct peers from the key's successor on,
   * from what this peer already knows (its location cache and its own
   * positions), without asking anyone; undefined when it knows too little.
   * Only a guess: the first of them must confirm it owns the key.
   */
  knownSuccessors(key: Id, count: number): NodeRef[] | undefined
  /** members an owner just named: keep them for later guesses */
  learn(nodes: NodeRef[]): void
  /** a member did not answer: guess without it */
  forget(node: NodeRef): void
  /** some other peer is known, to route through or hand data to */
  hasOtherPeers(): boolean
}

/** A transfer between two peers, reported as it goes */
export interface TransferProgress {
  peer: string
  direction: 'push' | 'pull'
  /** why: replica sync, handing keys to new replicas, or a graceful leave */
  reason: 'sync' | 'handoff' | 'leave'
  keys: number
  bytes: number
}
