/**
 * The replica: answers other peers' requests (STORE, FETCH, digests, ranges,
 * versions, SWEEP_SOON) from the local records, and owns the owner rule —
 * an owner-checked request is answered for a key only by the peer whose
 * position holds it. The RPC layer only decodes, validates and calls here.
 */
import { betweenRightIncl, keyId } from '../ring/id.ts'
import { ClockDriftError, LeavingError } from './errors.ts'
import { xorDigests } from './range-sync.ts'
import { replicaSet } from './replicas.ts'
import type { StoreContext } from './context.ts'
import type { StoreRecord } from './record.ts'
import type { CheckedFetch, FetchResult, Ownership, RangePage, StoreHandler, VersionEntry } from './types.ts'
import type { Id } from '../ring/id.ts'

export class Replica implements StoreHandler {
  private readonly ctx: StoreContext
  private readonly onSweepSoon: () => void

  constructor (ctx: StoreContext, onSweepSoon: () => void) {
    this.ctx = ctx
    this.onSweepSoon = onSweepSoon
  }

  async store (records: StoreRecord[], from: string): Promise<boolean[]> {
    if (this.ctx.leaving) throw new LeavingError()
    return this.acceptMany(records, from)
  }

  /**
   * Take records from elsewhere: merge each one's clock, keep those newer
   * than what is held, with one datastore batch. A record stamped too far
   * ahead of our clock is refused: the others are still kept, and then the
   * call fails, so no sender takes the refused record as acknowledged (a
   * `false` would tell it a same or newer version is held).
   */
  async acceptMany (records: StoreRecord[], from: string): Promise<boolean[]> {
    const accepted: StoreRecord[] = []
    const refused: Error[] = []
    for (const record of records) {
      try {
        if (from !== this.ctx.self) this.ctx.hlc.update(record.version)
        accepted.push(record)
      } catch (err) {
        refused.push(err as Error)
      }
    }
    const results = await this.ctx.local.applyMany(accepted)
    if (refused.length === 1) throw refused[0]
    if (refused.length > 1) throw new ClockDriftError(`${refused.length} of ${records.length} records refused: ${refused[0].message}`)
    return results.map(result => result === 'stored')
  }

  /** The owner rule: this peer owns `key` when it lies in (predecessor, self] of one of its positions */
  ownership (key: Uint8Array): Ownership {
    if (!this.ctx.leaving) {
      const id = keyId(key)
      for (const position of this.ctx.ring.memberPositions()) {
        if (position.predecessor !== undefined && betweenRightIncl(position.predecessor.id, id, position.self.id)) {
          // the other replicas are all the asker needs
          return { owner: true, successors: replicaSet(position.successors, this.ctx.options.replicas - 1, this.ctx.self) }
        }
      }
    }
    return { owner: false, successors: [] }
  }

  async fetchChecked (key: Uint8Array): Promise<CheckedFetch> {
    const { records: [record], unsettled } = await this.fetch([key])
    return { record, ownership: this.ownership(key), unsettled }
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
    const budget = this.ctx.options.maxFetchBytes
    for (const key of keys) {
      const record = await this.ctx.local.get(key)
      if (record !== undefined) {
        bytes += record.key.byteLength + record.value.byteLength
        // always answer at least one record, however large
        if (records.length > 0 && bytes > budget) break
        records.push(record)
      }
      answered++
    }
    // a miss right after this peer's ranges changed may be a key still being handed over
    const unsettled = records.length < answered && this.ctx.clock.now() < this.ctx.unsettledUntil
    return { records, answered, unsettled }
  }

  async rangeDigest (from: Id, until: Id): Promise<Uint8Array> {
    return xorDigests((await this.ctx.local.rangeDigests(from, until)).map(b => b.digest))
  }

  async bucketDigests (from: Id, until: Id): Promise<Array<{ bucket: number, digest: Uint8Array }>> {
    return (await this.ctx.local.rangeDigests(from, until)).filter(b => b.digest.some(x => x !== 0)).map(({ bucket, digest }) => ({ bucket, digest }))
  }

  async rangeRecords (from: Id, until: Id, maxRecords: number, maxBytes: number): Promise<RangePage> {
    const records: StoreRecord[] = []
    let bytes = 0
    // the answer must fit in a frame: at most one record past this budget
    const budget = Math.min(maxBytes, this.ctx.options.maxFetchBytes)
    const max = Math.max(1, maxRecords)
    for await (const record of this.ctx.local.range(from, until, { pageHint: max + 1 })) {
      const size = record.key.byteLength + record.value.byteLength
      if (records.length === max || (records.length > 0 && bytes + size > budget)) return { records, more: true }
      records.push(record)
      bytes += size
    }
    return { records, more: false }
  }

  async versions (from: Id, until: Id, bucket: number, limit: number): Promise<{ entries: VersionEntry[], more: boolean }> {
    const entries: VersionEntry[] = []
    const max = Math.max(1, Math.min(limit, this.ctx.options.versionsPage))
    for await (const entry of this.ctx.local.versionsIn(from, until, bucket)) {
      if (entries.length === max) return { entries, more: true }
      entries.push(entry)
    }
    return { entries, more: false }
  }

  /** another peer saw a join that may have moved keys off this one */
  sweepSoon (): void {
    this.onSweepSoon()
  }
}
