/**
 * One path for a peer's requests to itself: these clients wrap the remote
 * ChordRpc / StoreRpc and answer requests addressed to this peer by calling
 * its own handler in-process (no stream, no encoding, no hop), so the ring
 * and the store can address their own positions like any other member.
 */
import type { Id } from '../ring/id.ts'
import type { ChordHandler, ChordRpc, NodeRef, RequestOptions, StepResult } from '../ring/types.ts'
import type { StoreRecord } from '../store/record.ts'
import type { CheckedFetch, FetchResult, Ownership, RangePage, StoreHandler, StoreRpc, VersionEntry } from '../store/types.ts'

/**
 * The handler may be created after the client (the ring takes its client
 * in its constructor, and is itself the handler): it is looked up on use.
 */
type Late<T> = () => T

/** Requests to `self` go to `local()`, the others to `remote` */
abstract class Loopback<Remote, Handler> {
  protected readonly self: string
  protected readonly remote: Remote
  protected readonly local: Late<Handler>

  constructor (self: string, remote: Remote, local: Late<Handler>) {
    this.self = self
    this.remote = remote
    this.local = local
  }
}

export class ChordLoopback extends Loopback<ChordRpc, ChordHandler> implements ChordRpc {
  async findSuccessorStep (to: NodeRef, key: Id, options?: RequestOptions): Promise<StepResult> {
    return to.peer === this.self ? this.local().findSuccessorStep(to.vnode, key) : this.remote.findSuccessorStep(to, key, options)
  }

  async getPredecessor (to: NodeRef, options?: RequestOptions): Promise<NodeRef | undefined> {
    return to.peer === this.self ? this.local().getPredecessor(to.vnode) : this.remote.getPredecessor(to, options)
  }

  async getSuccessorList (to: NodeRef, options?: RequestOptions): Promise<NodeRef[]> {
    return to.peer === this.self ? this.local().getSuccessorList(to.vnode) : this.remote.getSuccessorList(to, options)
  }

  async notify (to: NodeRef, from: NodeRef, options?: RequestOptions): Promise<void> {
    if (to.peer === this.self) await this.local().notify(to.vnode, from)
    else await this.remote.notify(to, from, options)
  }

  async ping (to: NodeRef, options?: RequestOptions): Promise<void> {
    if (to.peer === this.self) this.local().ping(to.vnode)
    else await this.remote.ping(to, options)
  }

  async positions (to: NodeRef, options?: RequestOptions): Promise<NodeRef[]> {
    return to.peer === this.self ? this.local().getPositions() : this.remote.positions(to, options)
  }

  async leave (to: NodeRef, leaving: NodeRef, predecessor: NodeRef | undefined, successors: readonly NodeRef[], options?: RequestOptions): Promise<void> {
    if (to.peer === this.self) this.local().onLeave(to.vnode, leaving, predecessor, successors)
    else await this.remote.leave(to, leaving, predecessor, successors, options)
  }
}

export class StoreLoopback extends Loopback<StoreRpc, StoreHandler> implements StoreRpc {
  async store (to: NodeRef, records: StoreRecord[], options?: RequestOptions): Promise<boolean[]> {
    return to.peer === this.self ? this.local().store(records, this.self) : this.remote.store(to, records, options)
  }

  async fetch (to: NodeRef, keys: Uint8Array[], options?: RequestOptions): Promise<FetchResult> {
    return to.peer === this.self ? this.local().fetch(keys) : this.remote.fetch(to, keys, options)
  }

  async fetchChecked (to: NodeRef, key: Uint8Array, options?: RequestOptions): Promise<CheckedFetch> {
    return to.peer === this.self ? this.local().fetchChecked(key) : this.remote.fetchChecked(to, key, options)
  }

  async storeChecked (to: NodeRef, record: StoreRecord, options?: RequestOptions): Promise<{ stored: boolean, ownership: Ownership }> {
    return to.peer === this.self ? this.local().storeChecked(record, this.self) : this.remote.storeChecked(to, record, options)
  }

  async rangeDigest (to: NodeRef, from: Id, until: Id, options?: RequestOptions): Promise<Uint8Array> {
    return to.peer === this.self ? this.local().rangeDigest(from, until) : this.remote.rangeDigest(to, from, until, options)
  }

  async bucketDigests (to: NodeRef, from: Id, until: Id, options?: RequestOptions): Promise<Array<{ bucket: number, digest: Uint8Array }>> {
    return to.peer === this.self ? this.local().bucketDigests(from, until) : this.remote.bucketDigests(to, from, until, options)
  }

  async versions (to: NodeRef, from: Id, until: Id, bucket: number, limit: number, options?: RequestOptions): Promise<{ entries: VersionEntry[], more: boolean }> {
    return to.peer === this.self ? this.local().versions(from, until, bucket, limit) : this.remote.versions(to, from, until, bucket, limit, options)
  }

  async sweepSoon (to: NodeRef, options?: RequestOptions): Promise<void> {
    if (to.peer === this.self) this.local().sweepSoon()
    else await this.remote.sweepSoon(to, options)
  }

  async rangeRecords (to: NodeRef, from: Id, until: Id, maxRecords: number, maxBytes: number, options?: RequestOptions): Promise<RangePage> {
    return to.peer === this.self ? this.local().rangeRecords(from, until, maxRecords, maxBytes) : this.remote.rangeRecords(to, from, until, maxRecords, maxBytes, options)
  }
}
