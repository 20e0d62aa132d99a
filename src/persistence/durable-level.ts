/**
 * The daemon's LevelDB datastore, made to keep what it acknowledges and to
 * survive a full disk:
 *
 * - **Durable writes**: every put, delete and batch resolves only once
 *   LevelDB synced it (`sync: true`, an fsync of its log), and writes that
 *   arrive during a sync share the next one (group commit). With
 *   `sync: false` writes reach the operating system only, and a power cut
 *   may lose the last of them (but for /chord/meta/ keys, the store's own
 *   bookkeeping, which are synced always).
 * - **A full or failing disk**: a write that LevelDB cannot store fails with
 *   DiskFullError (ERR_DISK_FULL) or StorageError (ERR_STORAGE); from then on
 *   writes are refused at once and `storageHealth()` says why, while reads go
 *   on. LevelDB keeps such an error until it is reopened, so every
 *   `recoveryInterval` the store checks the disk (free space enough for its
 *   log twice over, and a test file written and synced) and then reopens
 *   LevelDB and writes a probe: writes work again with no restart.
 * - **The clock's mark** (`/chord/meta/hlc`) lives in a preallocated file
 *   beside LevelDB's (mark-file.ts), so the peer can still issue versions
 *   for the writes it coordinates while its disk is full.
 */
import { readdir, stat, statfs, unlink } from 'node:fs/promises'
import { join } from 'node:path'
import { LevelDatastore } from 'datastore-level'
import { DiskFullError, StorageError } from '../store/errors.ts'
import { CLOCK_MARK, META_PREFIX, metaKey } from '../store/meta-keys.ts'
import { writeSynced } from './files.ts'
import { GroupCommit } from './group-commit.ts'
import { MarkFile } from './mark-file.ts'
import { getBytes } from '../store/datastore-reads.ts'
import type { BulkReads, RangeReads } from '../store/datastore-reads.ts'
import type { StorageHealth, StorageHealthSource } from '../store/storage-health.ts'
import type { AbortOptions } from '@libp2p/interface'
import type { Batch, Key } from 'interface-datastore'

type LevelOp = { type: 'put', key: string, value: Uint8Array } | { type: 'del', key: string }

export interface DurableLevelInit {
  /** create the database when it does not exist (default true) */
  createIfMissing?: boolean
  /** sync every write to stable storage before it resolves (default true) */
  sync?: boolean
  /** while writes fail, how often to check whether the disk can take them again, in ms (default 2000) */
  recoveryInterval?: number
}

const DISK_FULL = /no space left on device|ENOSPC|quota exceeded|EDQUOT/i
/** LevelDB's own words for the disk failing under it (classic-level's codes, LevelDB's messages) */
const DISK_ERROR = /LEVEL_IO_ERROR|IO error|read-only file system|EROFS|EIO\b/i
/** free space wanted beyond twice the write-ahead log, before LevelDB is reopened */
const SPARE_BYTES = 1024 * 1024
const PROBE_KEY = metaKey('write-probe').toString()
/** datastore keys kept in a MarkFile of this name in the LevelDB directory (LevelDB leaves names it does not use alone) */
const MARK_FILES: Record<string, string> = { [metaKey(CLOCK_MARK).toString()]: 'CHORD-CLOCK' }

export class DurableLevelDatastore extends LevelDatastore implements StorageHealthSource, BulkReads, RangeReads {
  readonly location: string
  private readonly sync: boolean
  private readonly createIfMissing: boolean
  private readonly recoveryInterval: number
  private readonly group: GroupCommit<LevelOp>
  /** why writes are refused, while they are */
  private problem: DiskFullError | StorageError | undefined
  private failedWrites = 0
  private recoveryTimer: ReturnType<typeof setInterval> | undefined
  private recovering = false
  private readonly marks = new Map<string, MarkFile>()

  constructor (location: string, init: DurableLevelInit = {}) {
    super(location)
    this.location = location
    this.sync = init.sync ?? true
    this.createIfMissing = init.createIfMissing ?? true
    this.recoveryInterval = init.recoveryInterval ?? 2000
    this.group = new GroupCommit({ writeSynced: async ops => { await this.db.batch(ops, { sync: true }) } })
    for (const [key, name] of Object.entries(MARK_FILES)) this.marks.set(key, new MarkFile(join(location, name)))
  }

  /** batches synced and the writes they carried (how well group commit groups) */
  get syncTotals (): { batches: number, writes: number } {
    return { ...this.group.totals }
  }

  storageHealth (): StorageHealth {
    return { writable: this.problem === undefined, problem: this.problem?.message, failedWrites: this.failedWrites }
  }

  override async put (key: Key, value: Uint8Array, options?: AbortOptions): Promise<Key> {
    const mark = this.marks.get(key.toString())
    if (mark !== undefined) {
      await mark.write(value)
      return key
    }
    await this.write([{ type: 'put', key: key.toString(), value }], options)
    return key
  }

  override async delete (key: Key, options?: AbortOptions): Promise<void> {
    await this.write([{ type: 'del', key: key.toString() }], options)
  }

  /** A mark key reads from its file, or from LevelDB where a directory of format 0 kept it */
  override async get (key: Key, options?: AbortOptions): Promise<Uint8Array> {
    const value = await this.marks.get(key.toString())?.read()
    return value ?? super.get(key, options)
  }

  /** Many records in one LevelDB getMany (the store's BulkReads); mark keys are read one by one from their files */
  async getValues (keys: Key[], options?: AbortOptions): Promise<Array<Uint8Array | undefined>> {
    options?.signal?.throwIfAborted()
    const names = keys.map(key => key.toString())
    if (names.some(name => this.marks.has(name))) {
      return Promise.all(keys.map(async key => getBytes(this, key, options)))
    }
    return this.db.getMany(names)
  }

  /** Entries of a key range from one LevelDB iterator, `block` per native call (the store's RangeReads) */
  async * entriesIn (gte: string, lte: string, values: boolean, block: number, options?: AbortOptions): AsyncGenerator<Array<[string, Uint8Array | undefined]>> {
    const iterator = values ? this.db.iterator({ gte, lte }) : this.db.keys({ gte, lte })
    try {
      for (;;) {
        options?.signal?.throwIfAborted()
        const entries = await iterator.nextv(block)
        if (entries.length === 0) return
        yield values ? entries as Array<[string, Uint8Array]> : (entries as string[]).map(key => [key, undefined])
      }
    } finally {
      await iterator.close()
    }
  }

  override batch (): Batch {
    const ops: LevelOp[] = []
    return {
      put: (key, value) => { ops.push({ type: 'put', key: key.toString(), value }) },
      delete: (key) => { ops.push({ type: 'del', key: key.toString() }) },
      commit: async (options) => { await this.write(ops, options) }
    }
  }

  /** Open LevelDB; a failure keeps LevelDB's own reason (datastore-level's open drops it) */
  override async open (): Promise<void> {
    await this.openLevel()
    try {
      for (const mark of this.marks.values()) await mark.open()
    } catch (err) {
      await this.db.close()
      throw new StorageError(`cannot open ${[...this.marks.values()].map(m => m.path).join(', ')}: ${(err as Error).message}`)
    }
  }

  private async openLevel (): Promise<void> {
    try {
      await this.db.open({ createIfMissing: this.createIfMissing, compression: false })
    } catch (err) {
      const cause = (err as { cause?: unknown }).cause
      throw new StorageError(`LevelDB cannot open ${this.location}: ${cause instanceof Error ? cause.message : (err as Error).message}`)
    }
  }

  override async close (): Promise<void> {
    this.stopRecovery()
    for (const mark of this.marks.values()) await mark.close()
    await super.close()
  }

  private async write (ops: LevelOp[], options?: AbortOptions): Promise<void> {
    options?.signal?.throwIfAborted()
    if (this.problem !== undefined) {
      this.failedWrites++
      // a new error each time, with the first failure's reason
      throw this.problem instanceof DiskFullError ? new DiskFullError(this.problem.message) : new StorageError(this.problem.message)
    }
    try {
      // not raced against the signal: a write under way finishes, so its caller knows what happened
      // the store's own bookkeeping (/chord/meta/: the peer marker, the clock's mark) is synced even with sync off
      if (this.sync || ops.some(op => op.key.startsWith(META_PREFIX))) await this.group.commit(ops)
      else await this.db.batch(ops)
    } catch (err) {
      throw this.failed(err)
    }
  }

  /** A write failed: a disk problem stops writes until recovery; anything else is passed on */
  private failed (err: unknown): unknown {
    const message = err instanceof Error ? `${(err as { code?: string }).code ?? ''} ${err.message}` : String(err)
    const detail = err instanceof Error ? err.message : String(err)
    let problem: DiskFullError | StorageError
    if (DISK_FULL.test(message)) problem = new DiskFullError(`the disk holding ${this.location} is full: ${detail}`)
    else if (DISK_ERROR.test(message)) problem = new StorageError(`cannot write to ${this.location}: ${detail}`)
    else return err
    this.failedWrites++
    if (this.problem === undefined) {
      this.problem = problem
      this.startRecovery()
    }
    return problem
  }

  private startRecovery (): void {
    this.recoveryTimer = setInterval(() => { void this.tryRecover() }, this.recoveryInterval)
    this.recoveryTimer.unref?.()
  }

  private stopRecovery (): void {
    clearInterval(this.recoveryTimer)
    this.recoveryTimer = undefined
  }

  /** If the disk takes writes again: reopen LevelDB (clearing its sticky error) and prove it with a synced write */
  private async tryRecover (): Promise<void> {
    if (this.recovering || this.problem === undefined) return
    this.recovering = true
    try {
      if (!(await this.diskWritable())) return
      await this.db.close()
      await this.openLevel()
      await this.db.put(PROBE_KEY, new Uint8Array([1]), { sync: true })
      await this.db.del(PROBE_KEY, { sync: true })
      this.problem = undefined
      this.stopRecovery()
    } catch {
      // still failing: keep the first problem, try again at the next interval
      if (this.db.status === 'closed') await this.openLevel().catch(() => {})
    } finally {
      this.recovering = false
    }
  }

  /** Room for LevelDB to replay and flush its log on open, and a small file can be written and synced */
  private async diskWritable (): Promise<boolean> {
    try {
      const fs = await statfs(this.location)
      const free = fs.bavail * fs.bsize
      if (free < 2 * await logBytes(this.location) + SPARE_BYTES) return false
      const probe = join(this.location, 'WRITE-PROBE')
      try {
        await writeSynced(probe, new Uint8Array(4096), 0o600)
      } finally {
        await unlink(probe).catch(() => {})
      }
      return true
    } catch {
      return false
    }
  }
}

/** Bytes in LevelDB's write-ahead logs (*.log) in `dir` */
async function logBytes (dir: string): Promise<number> {
  let total = 0
  for (const name of await readdir(dir)) {
    if (name.endsWith('.log')) total += (await stat(join(dir, name)).catch(() => ({ size: 0 }))).size
  }
  return total
}
