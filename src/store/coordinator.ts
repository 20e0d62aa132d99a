/**
 * The coordinator: runs put/get/delete for any key on behalf of the caller.
 * It sends to the key's replicas and answers once the consistency level's
 * count acknowledged (durably stored) or answered. When it already knows the
 * members around the key it skips the lookup: the peer it takes for the
 * owner confirms in the same round trip (or the lookup follows). Versions are
 * (hybrid clock, writer) so every replica keeps the same last write; deletes
 * are tombstones. Reads repair replicas that answered with an older version
 * or nothing; a write that meets a newer version is restamped past it.
 */
import { keyId } from '../ring/id.ts'
import { sleep } from '../util/clock.ts'
import { ChordError, errorMessage } from '../util/errors.ts'
import { readDirect, writeDirect } from './direct.ts'
import { DiskFullError, InvalidRecordError, QuorumError, RecordTooLargeError } from './errors.ts'
import { assertWellFormed, isExpired, newer, sizeProblem } from './record.ts'
import { replicaSet, required } from './replicas.ts'
import type { StoreContext } from './context.ts'
import type { ReadAnswer } from './direct.ts'
import type { StoreRecord, Version } from './record.ts'
import type { Consistency } from './types.ts'
import type { Id } from '../ring/id.ts'
import type { NodeRef, RequestOptions } from '../ring/types.ts'

export interface WriteOptions extends RequestOptions {
  consistency?: Consistency
  /** ms until the key expires */
  ttl?: number
}

export interface ReadOptions extends RequestOptions {
  consistency?: Consistency
}

export interface KeyLocation {
  key: Id
  owner: NodeRef
  hops: number
  /** the key's replica set, with what each one holds */
  replicas: Array<{ node: NodeRef, version?: Version, deleted?: boolean, error?: string }>
}

export class Coordinator {
  private readonly ctx: StoreContext

  constructor (ctx: StoreContext) {
    this.ctx = ctx
  }

  async put (key: Uint8Array, value: Uint8Array, options: WriteOptions = {}): Promise<Version> {
    return this.write(await this.newRecord(key, value, false, options.ttl), options)
  }

  /** Write a tombstone: the key reads as absent on every replica, even ones that missed the delete */
  async delete (key: Uint8Array, options: WriteOptions = {}): Promise<Version> {
    return this.write(await this.newRecord(key, new Uint8Array(0), true, undefined), options)
  }

  async putMany (entries: Iterable<{ key: Uint8Array, value: Uint8Array }>, options: WriteOptions = {}, concurrency = 32): Promise<Version[]> {
    const list = [...entries]
    const versions: Version[] = new Array(list.length)
    // check everything first, so a bad entry fails the batch before any write
    list.forEach(({ key, value }) => { this.draftRecord(key, value, false, options.ttl) })
    let next = 0
    await Promise.all(Array.from({ length: Math.min(concurrency, list.length) }, async () => {
      while (next < list.length) {
        const i = next++
        versions[i] = await this.put(list[i].key, list[i].value, options)
      }
    }))
    return versions
  }

  /** The value of `key`, or undefined when it is absent, deleted or expired */
  async get (key: Uint8Array, options: ReadOptions = {}): Promise<Uint8Array | undefined> {
    const record = await this.getRecord(key, options)
    return record === undefined || record.deleted || isExpired(record, this.ctx.clock.now()) ? undefined : record.value
  }

  async has (key: Uint8Array, options: ReadOptions = {}): Promise<boolean> {
    return (await this.get(key, options)) !== undefined
  }

  /** Which peers should hold `key`, and what each of them holds */
  async lookup (key: Uint8Array, options: RequestOptions = {}): Promise<KeyLocation> {
    this.checkKey(key)
    const found = await this.ctx.ring.findSuccessor(keyId(key), options)
    const replicas = await Promise.all(replicaSet(found.successors, this.ctx.options.replicas).map(async node => {
      try {
        const { records: [record] } = await this.ctx.rpc.fetch(node, [key], options)
        return { node, version: record?.version, deleted: record?.deleted }
      } catch (err) {
        return { node, error: errorMessage(err) }
      }
    }))
    return { key: found.key, owner: found.owner, hops: found.hops, replicas }
  }

  /**
   * The newest record the replicas hold (tombstones included). Asks as many
   * replicas as the consistency level needs, owner first, and more when one
   * fails; an absent key is only concluded once every replica answered, so a
   * replica still receiving its handoff cannot hide a write.
   */
  async getRecord (key: Uint8Array, options: ReadOptions = {}): Promise<StoreRecord | undefined> {
    this.checkKey(key)
    const consistency = options.consistency ?? this.ctx.options.consistency
    try {
      const direct = await readDirect(this.ctx, key, consistency, options)
      const replicas = direct.replicas ?? await this.replicasOf(key, options)
      return await this.readFrom(key, replicas, consistency, direct.answers, options)
    } catch (err) {
      // the caller gave up: say so, rather than how the requests it cut short failed
      options.signal?.throwIfAborted()
      throw err
    }
  }

  /** Complete a read on `replicas`, given the answers some of them already gave */
  private async readFrom (key: Uint8Array, replicas: NodeRef[], consistency: Consistency, given: ReadAnswer[], options: RequestOptions): Promise<StoreRecord | undefined> {
    if (replicas.length === 0) throw new QuorumError('no replica to read from')
    const needed = required(consistency, replicas.length)
    const member = new Set(replicas.map(n => n.peer))
    const answers = given.filter(a => member.delete(a.node.peer))
    const unasked = replicas.filter(n => member.has(n.peer))
    const errors: string[] = []
    const asked: Array<Promise<void>> = []
    let inFlight = 0
    let newest: StoreRecord | undefined
    const consider = (record: StoreRecord | undefined): void => {
      if (record !== undefined && (newest === undefined || newer(record.version, newest.version))) newest = record
    }
    answers.forEach(a => { consider(a.record) })
    let result = await new Promise<StoreRecord | undefined>((resolve, reject) => {
      let settled = false
      const finish = (): void => {
        if (settled) return
        if (answers.length >= needed && newest !== undefined) {
          settled = true
          resolve(newest)
          return
        }
        if (inFlight > 0) return // answers still on their way
        if (unasked.length > 0) {
          ask()
        } else if (answers.length >= needed && errors.length === 0) {
          // absent: every replica answered so (one that failed may hold the key)
          settled = true
          resolve(newest)
        } else {
          settled = true
          const why = answers.length >= needed ? 'none holding the key, and absence needs every replica' : `${needed} needed`
          reject(new QuorumError(`read answered by ${answers.length} of ${replicas.length} replicas, ${why}: ${errors.join('; ')}`))
        }
      }
      const ask = (): void => {
        const node = unasked.shift()!
        inFlight++
        asked.push(this.ctx.rpc.fetch(node, [key], options).then(({ records: [record], unsettled }) => {
          answers.push({ node, record, unsettled })
          consider(record)
        }, err => {
          errors.push(errorMessage(err))
        }).finally(() => {
          inFlight--
          finish()
        }))
      }
      for (let i = answers.length; i < needed && unasked.length > 0; i++) ask()
      finish()
    })
    if (result === undefined && answers.some(a => a.unsettled === true)) {
      (await this.readBeyond(key, replicas, options)).forEach(a => { consider(a.record) })
      result = newest
    }
    void Promise.allSettled(asked).then(async () => { await this.repair(answers, newest) })
    return result
  }

  /**
   * Every replica said it holds nothing, but some said so while their ranges
   * were changing (a join, or rings merging after a partition healed): the
   * key may still be on its way from the peers that held it before, and
   * after a merge those sit further along the key's successor list. Ask them
   * too; what they hold is then repaired onto the replicas.
   */
  private async readBeyond (key: Uint8Array, replicas: NodeRef[], options: RequestOptions): Promise<ReadAnswer[]> {
    const found = await this.ctx.ring.findSuccessor(keyId(key), options)
    const asked = new Set(replicas.map(n => n.peer))
    const further: NodeRef[] = []
    for (const node of found.successors) {
      if (asked.has(node.peer)) continue
      asked.add(node.peer)
      further.push(node)
    }
    const answers = await Promise.all(further.map(async node => this.ctx.rpc.fetch(node, [key], options).then(
      ({ records: [record] }): ReadAnswer => ({ node, record }),
      (): undefined => undefined)))
    this.ctx.onReadBeyond?.(further.length)
    return answers.filter(a => a !== undefined)
  }

  /** Read repair of the replicas that answered, once every one asked has */
  private async repair (answers: ReadAnswer[], newest: StoreRecord | undefined): Promise<void> {
    if (newest === undefined) return
    const stale = answers.filter(a => a.record === undefined || newer(newest.version, a.record.version))
    await Promise.all(stale.map(async a => this.ctx.rpc.store(a.node, [newest]).catch(() => {})))
  }

  /** A record to write, with a new version; its fields are checked before the clock moves */
  private async newRecord (key: Uint8Array, value: Uint8Array, deleted: boolean, ttl: number | undefined): Promise<StoreRecord> {
    const draft = this.draftRecord(key, value, deleted, ttl)
    return { ...draft, version: { ...(await this.ctx.stamp()), writer: this.ctx.self } }
  }

  /** The record as it will be written, but for its version: checked and sized */
  private draftRecord (key: Uint8Array, value: Uint8Array, deleted: boolean, ttl: number | undefined): StoreRecord {
    this.checkKey(key)
    if (ttl !== undefined && (!Number.isSafeInteger(ttl) || ttl <= 0)) throw new InvalidRecordError(`ttl must be a positive number of milliseconds, got ${ttl}`)
    const record: StoreRecord = { key, value, deleted, version: { ...this.ctx.hlc.peek(), writer: this.ctx.self } }
    if (ttl !== undefined) record.expiresAt = this.ctx.clock.now() + ttl
    const tooLarge = sizeProblem(record, this.ctx.limits)
    if (tooLarge !== undefined) throw new RecordTooLargeError(tooLarge)
    assertWellFormed(record)
    return record
  }

  private checkKey (key: Uint8Array): void {
    if (!(key instanceof Uint8Array)) throw new InvalidRecordError('a key must be bytes (Uint8Array) or a string')
    if (key.byteLength === 0) throw new InvalidRecordError('a key must not be empty')
    if (key.byteLength > this.ctx.limits.maxKeyBytes) {
      throw new RecordTooLargeError(`key is ${key.byteLength} bytes, over the limit of ${this.ctx.limits.maxKeyBytes} bytes`)
    }
  }

  /**
   * Store on the replicas; resolve, with the version written, once the
   * consistency level's count stored it durably as their newest version.
   * A replica that already holds a newer version (written through a peer
   * whose clock runs ahead) does not count: the write then takes a version
   * after that one and goes again, so a write acknowledged later is never
   * ordered before one acknowledged earlier.
   */
  private async write (record: StoreRecord, options: WriteOptions): Promise<Version> {
    try {
      return await this.storeOnReplicas(record, options)
    } catch (err) {
      options.signal?.throwIfAborted()
      throw err
    }
  }

  /** write()'s work: place, store, restamp past newer versions, retry once */
  private async storeOnReplicas (record: StoreRecord, options: WriteOptions): Promise<Version> {
    const consistency = options.consistency ?? this.ctx.options.consistency
    let retried = false
    for (let restamps = 0; ;) {
      const superseded: Version[] = []
      try {
        await this.storeOnce(record, consistency, superseded, options)
        return record.version
      } catch (err) {
        if (!(err instanceof QuorumError)) throw err
        options.signal?.throwIfAborted()
        if (superseded.length > 0 && restamps++ < this.ctx.options.maxRestamps) {
          for (const version of superseded) this.ctx.hlc.update(version)
          record = { ...record, version: { ...(await this.ctx.stamp()), writer: this.ctx.self } }
          continue
        }
        // the ring may be repairing around a dead replica: look again once (a full disk stays full)
        if (retried || err.code === DiskFullError.code) throw err
        retried = true
        this.ctx.log('write of a key reached too few replicas, retrying: %s', errorMessage(err))
        await sleep(this.ctx.clock, this.ctx.options.syncInterval, options.signal)
      }
    }
  }

  /** One round of a write; the versions replicas kept instead of ours go into `superseded` */
  private async storeOnce (record: StoreRecord, consistency: Consistency, superseded: Version[], options: RequestOptions): Promise<void> {
    // a replica that did not store it kept what it held: this very version (a retry), or a newer one
    const kept = async (node: NodeRef): Promise<void> => {
      const { records: [held] } = await this.ctx.rpc.fetch(node, [record.key], options)
      if (held !== undefined && !newer(held.version, record.version)) return
      if (held !== undefined) superseded.push(held.version)
      throw new Error(`${node.peer} kept a newer version`)
    }
    const storeOn = async (node: NodeRef): Promise<void> => {
      const [stored] = await this.ctx.rpc.store(node, [record], options)
      if (!stored) await kept(node)
    }
    const tasks = new Map<string, Promise<void>>()
    const start = (node: NodeRef, task: Promise<void>): void => {
      task.catch(() => {}) // a store to a peer that turns out not to be a replica counts for nothing
      tasks.set(node.peer, task)
    }
    const replicas = await writeDirect(this.ctx, record, options, { start, storeOn, kept }) ?? await this.replicasOf(record.key, options)
    for (const node of replicas) if (!tasks.has(node.peer)) start(node, storeOn(node))
    const needed = required(consistency, replicas.length)
    await atLeast(replicas.map(node => tasks.get(node.peer)!.catch((err: Error) => { throw relabel(err, node) })), needed, replicas.length, consistency)
  }

  private async replicasOf (key: Uint8Array, options: RequestOptions): Promise<NodeRef[]> {
    const found = await this.ctx.ring.findSuccessor(keyId(key), options)
    return replicaSet(found.successors, this.ctx.options.replicas)
  }
}

/** `err` with the replica it came from in front of its message, its code kept */
function relabel (err: Error, node: NodeRef): Error {
  return new ChordError(`${node.peer}: ${errorMessage(err)}`, (err as { code?: string }).code ?? 'ERR_REMOTE')
}

/** Wait until `needed` of the tasks succeed; fail as soon as that cannot happen */
async function atLeast<T> (tasks: Array<Promise<T>>, needed: number, total: number, consistency: Consistency): Promise<void> {
  if (needed === 0) throw new QuorumError('no replica to write to')
  await new Promise<void>((resolve, reject) => {
    let ok = 0
    let full = 0
    const errors: string[] = []
    for (const task of tasks) {
      task.then(() => {
        if (++ok === needed) resolve()
      }, (err) => {
        errors.push(errorMessage(err))
        if ((err as { code?: unknown }).code === DiskFullError.code) full++
        if (total - errors.length < needed) {
          // too few replicas with disk space to ever make it: a lack of storage (HTTP 507), not worth a retry
          const message = `stored on ${ok} of ${total} replicas, ${consistency} needs ${needed}${full > 0 ? ` (${full} out of disk space)` : ''}: ${errors.join('; ')}`
          reject(new QuorumError(message, total - full < needed ? DiskFullError.code : QuorumError.code))
        }
      })
    }
  })
}
