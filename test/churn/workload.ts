/**
 * Clients of a churn run: writers that each own a set of keys and write or
 * delete them one at a time, readers that read random keys, and a client
 * that looks up random ids — all through random members, all recorded.
 */
import { keyId } from '../../src/ring/id.ts'
import { nodeKey } from '../../src/ring/node-ref.ts'
import { members, trueSuccessor } from '../../harness/invariants.ts'
import { expectedReplicas, text } from '../fixtures/kv.ts'
import { states } from '../fixtures/ring.ts'
import { seqOf, valueOf } from './history.ts'
import type { Failure, History } from './history.ts'
import type { Peer } from '../../harness/peers.ts'
import type { Random } from '../fixtures/random.ts'
import type { Consistency } from '../../src/store/types.ts'

export interface WorkloadInit {
  history: History
  rand: Random
  /** the peers clients may send operations through now */
  coordinators(): Peer[]
  /** every peer running, members or not: asked who holds a key when a read looks wrong */
  running(): Peer[]
  writers: number
  keysPerWriter: number
  readers: number
  /** replication factor (only to name the true replica set in notes) */
  r: number
  /** share of writes that are deletes */
  deleteRatio: number
  consistency: Consistency
  /** ms an operation may take before the client gives up */
  timeout: number
  /** ms a client waits between two operations, so the load leaves the CPU to the ring */
  pause: number
}

export interface LookupFigures {
  ok: number
  /** answered, but not the owner the live peers' positions name (the ring was changing) */
  wrongOwner: number
  failures: Map<string, Failure>
}

export class Workload {
  readonly keys: string[]
  readonly lookups: LookupFigures = { ok: 0, wrongOwner: 0, failures: new Map() }
  private readonly init: WorkloadInit
  private readonly seqs = new Map<string, number>()
  private running = false
  private loops: Array<Promise<void>> = []

  constructor (init: WorkloadInit) {
    this.init = init
    this.keys = Array.from({ length: init.writers * init.keysPerWriter }, (_, i) => `w${i % init.writers}-k${Math.floor(i / init.writers)}`)
  }

  /** Write every key once, so reads have something to find */
  async preload (): Promise<void> {
    await Promise.all(Array.from({ length: this.init.writers }, async (_, w) => {
      for (const key of this.keysOf(w)) await this.write(key, false)
    }))
  }

  start (): void {
    this.running = true
    const { writers, readers } = this.init
    this.loops = [
      ...Array.from({ length: writers }, async (_, w) => this.loop(async () => this.write(this.init.rand.pick(this.keysOf(w)), this.init.rand() < this.init.deleteRatio))),
      ...Array.from({ length: readers }, async () => this.loop(async () => this.read(this.init.rand.pick(this.keys)))),
      this.loop(async () => this.lookup())
    ]
  }

  async stop (): Promise<void> {
    this.running = false
    await Promise.all(this.loops)
  }

  /** Read every key with `consistency` once more, as the final state */
  async readAll (consistency: Consistency): Promise<void> {
    for (const key of this.keys) await this.read(key, consistency, true)
  }

  private keysOf (writer: number): string[] {
    return this.keys.filter(k => k.startsWith(`w${writer}-`))
  }

  private async loop (operation: () => Promise<void>): Promise<void> {
    while (this.running) {
      await operation()
      await new Promise(resolve => setTimeout(resolve, this.init.pause))
    }
  }

  private coordinator (): Peer | undefined {
    const peers = this.init.coordinators()
    return peers.length === 0 ? undefined : this.init.rand.pick(peers)
  }

  private async write (key: string, deleted: boolean): Promise<void> {
    const peer = this.coordinator()
    if (peer === undefined) return
    const seq = (this.seqs.get(key) ?? 0) + 1
    this.seqs.set(key, seq)
    const options = { consistency: this.init.consistency, signal: AbortSignal.timeout(this.init.timeout) }
    await this.init.history.write(key, seq, deleted, async () => this.through(peer, async () => deleted
      ? peer.services.chord.delete(key, options)
      : peer.services.chord.put(key, valueOf(key, seq), options)))
  }

  /** Run an operation through `peer`; a failure while that peer itself was stopping is told apart */
  private async through<T> (peer: Peer, run: () => Promise<T>): Promise<T> {
    try {
      return await run()
    } catch (err) {
      if (this.init.coordinators().includes(peer)) throw err
      throw Object.assign(new Error((err as Error).message), { code: 'COORDINATOR_STOPPED' })
    }
  }

  private async read (key: string, consistency = this.init.consistency, final = false): Promise<void> {
    const peer = this.coordinator()
    if (peer === undefined) return
    await this.init.history.read(key, async () => text(await this.through(peer, async () => peer.services.chord.get(key, { consistency, signal: AbortSignal.timeout(this.init.timeout) }))), final,
      async (value, start) => this.explain(peer, key, value, start))
  }

  /** For an answer older than the last acknowledged write: the replicas a lookup names now, and who holds what */
  private async explain (peer: Peer, key: string, value: string | null, start: number): Promise<string | undefined> {
    const floor = this.init.history.acknowledged(key, start)
    if (floor === undefined || (value === null ? floor.kind === 'delete' : seqOf(key, value) >= floor.seq)) return undefined
    const short = (id: string): string => id.slice(-6)
    const seq = (bytes: Uint8Array | undefined, deleted?: boolean): string => deleted === true ? 'deleted' : bytes === undefined ? 'none' : String(seqOf(key, text(bytes)!))
    let named: string
    try {
      const location = await peer.services.chord.lookup(key, { signal: AbortSignal.timeout(this.init.timeout) })
      named = location.replicas.map(r => `${short(r.node.peer)}:${r.error !== undefined ? 'error' : r.version === undefined ? 'none' : r.deleted === true ? 'deleted' : `v${r.version.wallTime}`}`).join(' ')
    } catch (err) {
      named = `lookup failed: ${(err as Error).message}`
    }
    const held = await Promise.all(this.init.running().map(async p => {
      const record = await p.services.chord.getLocalRecord(key).catch(() => undefined)
      return record === undefined ? undefined : `${short(p.peerId.toString())}:${seq(record.value, record.deleted)}`
    }))
    const expected = expectedReplicas(this.init.running(), key, this.init.r).map(short).join(' ')
    return `coordinator ${short(peer.peerId.toString())} now names [${named}], the live peers say [${expected}]; held by [${held.filter(h => h !== undefined).join(' ')}]`
  }

  private async lookup (): Promise<void> {
    const peer = this.coordinator()
    if (peer === undefined) return
    const key = Uint8Array.from({ length: 16 }, () => this.init.rand.int(256))
    try {
      const { owner } = await peer.services.chord.findSuccessor(key, { signal: AbortSignal.timeout(this.init.timeout) })
      this.lookups.ok++
      const truth = trueSuccessor(members(states(this.init.coordinators())), keyId(key))
      if (nodeKey(truth) !== nodeKey(owner)) this.lookups.wrongOwner++
    } catch (err) {
      const code = this.init.coordinators().includes(peer) ? (err as { code?: string }).code ?? (err as Error).name : 'COORDINATOR_STOPPED'
      const entry = this.lookups.failures.get(code) ?? { count: 0, example: (err as Error).message }
      entry.count++
      this.lookups.failures.set(code, entry)
    }
  }
}
