/**
 * A small seeded PRNG (mulberry32) so every simulation run is reproducible
 * from its seed, plus the few draws the experiments need.
 */
export class Random {
  private state: number

  constructor (seed: number) {
    this.state = seed >>> 0
  }

  /** uniform in [0, 1) */
  next (): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0
    let t = this.state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }

  /** integer in [lo, hi] */
  int (lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1))
  }

  bytes (length: number): Uint8Array {
    const out = new Uint8Array(length)
    for (let i = 0; i < length; i++) out[i] = Math.floor(this.next() * 256)
    return out
  }

  /** a uniformly random 256-bit identifier */
  id (): bigint {
    let id = 0n
    for (let i = 0; i < 8; i++) id = (id << 32n) | BigInt(Math.floor(this.next() * 4294967296))
    return id
  }

  pick<T> (items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('pick from an empty list')
    return items[Math.floor(this.next() * items.length)]
  }

  /** k distinct items, in random order */
  sample<T> (items: readonly T[], k: number): T[] {
    const copy = [...items]
    const n = Math.min(k, copy.length)
    for (let i = 0; i < n; i++) {
      const j = i + Math.floor(this.next() * (copy.length - i))
      ;[copy[i], copy[j]] = [copy[j], copy[i]]
    }
    return copy.slice(0, n)
  }

  /** waiting time of a Poisson process with `rate` events per unit */
  exponential (rate: number): number {
    return -Math.log(1 - this.next()) / rate
  }

  /** an independent generator, so one stream of draws does not shift another */
  fork (): Random {
    return new Random(Math.floor(this.next() * 4294967296))
  }
}
