/**
 * Group commit: writes that arrive while a synced write is under way wait
 * and then go to disk together, as one batch and one fsync, so durable
 * writes cost one sync per group rather than one per write.
 */

export interface GroupCommitInit<Op> {
  /** write `ops` as one atomic batch and sync it to stable storage */
  writeSynced(ops: Op[]): Promise<void>
  /** at most this many operations in one batch (default 10,000) */
  maxBatch?: number
}

interface Waiting<Op> {
  ops: Op[]
  resolve(): void
  reject(err: unknown): void
}

export class GroupCommit<Op> {
  private readonly init: GroupCommitInit<Op>
  private readonly maxBatch: number
  private waiting: Array<Waiting<Op>> = []
  private writing = false
  /** batches written and writes they carried, since start (for the benchmark) */
  readonly totals = { batches: 0, writes: 0 }

  constructor (init: GroupCommitInit<Op>) {
    this.init = init
    this.maxBatch = init.maxBatch ?? 10_000
  }

  /** Resolves once `ops` (applied atomically) are on stable storage */
  async commit (ops: Op[]): Promise<void> {
    if (ops.length === 0) return
    const done = new Promise<void>((resolve, reject) => { this.waiting.push({ ops, resolve, reject }) })
    if (!this.writing) void this.drain()
    return done
  }

  private async drain (): Promise<void> {
    this.writing = true
    while (this.waiting.length > 0) {
      const group = this.takeGroup()
      try {
        await this.init.writeSynced(group.flatMap(w => w.ops))
        this.totals.batches++
        this.totals.writes += group.length
        for (const w of group) w.resolve()
      } catch (err) {
        for (const w of group) w.reject(err)
      }
    }
    this.writing = false
  }

  /** The writes waiting, in arrival order, up to maxBatch operations (always at least one write) */
  private takeGroup (): Array<Waiting<Op>> {
    let count = 0
    let n = 0
    while (n < this.waiting.length && (n === 0 || count + this.waiting[n].ops.length <= this.maxBatch)) {
      count += this.waiting[n].ops.length
      n++
    }
    return this.waiting.splice(0, n)
  }
}
