/**
 * Per-path queues for the local store: read-compare-write on one datastore
 * path must not interleave with another operation on the same path.
 */
export class PathLocks {
  /** tail of the queue of operations on each path */
  private readonly tails = new Map<string, Promise<void>>()

  /**
   * Run `fn` once every earlier operation on any of `paths` has finished.
   * All the paths are queued on at once, without awaiting in between, so
   * operations wait only for ones queued before them: no cycle, no deadlock.
   */
  async run<T> (paths: string[], fn: () => Promise<T>): Promise<T> {
    let release!: () => void
    const done = new Promise<void>(resolve => { release = resolve })
    const befores: Array<Promise<void>> = []
    const mine = new Map<string, Promise<void>>()
    for (const path of paths) {
      if (mine.has(path)) continue
      const before = this.tails.get(path)
      const tail = before == null ? done : before.then(async () => done)
      if (before != null) befores.push(before)
      this.tails.set(path, tail)
      mine.set(path, tail)
    }
    try {
      if (befores.length > 0) await Promise.all(befores)
      return await fn()
    } finally {
      release()
      for (const [path, tail] of mine) {
        if (this.tails.get(path) === tail) this.tails.delete(path)
      }
    }
  }

  /** Settles once every operation queued so far has finished */
  async idle (): Promise<void> {
    await Promise.all(this.tails.values())
  }
}
