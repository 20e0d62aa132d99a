/**
 * The peers of a churn run: started from seeded keys (so ring positions, and
 * with them the victims a seed picks, repeat from run to run), joined in
 * waves, then made to join, leave and crash on command. Keeps which peers
 * clients may use, and which were unavailable during the last repair period.
 */
import { generateKeyPairFromSeed } from '@libp2p/crypto/keys'
import { addrOf, createPeer, waitFor } from '../../harness/peers.ts'
import { stopAll } from '../fixtures/ring.ts'
import { chooseVictims } from './schedule.ts'
import type { EventKind, RingEntry, Unavailable } from './schedule.ts'
import type { Trace } from './trace.ts'
import type { Peer } from '../../harness/peers.ts'
import type { Random } from '../fixtures/random.ts'
import type { ChordInit } from '../../src/index.ts'

export interface ClusterInit {
  rand: Random
  init: ChordInit
  r: number
  /** ms a crash, leave or join counts against the failure assumption */
  repairPeriod: number
  /** ms a joining peer may take to become a member */
  joinTimeout: number
  /** where copies go, when diagnosing (CHURN_TRACE=1) */
  trace?: Trace
  /**
   * the keys clients write: a crash is also put off while it would take
   * every copy of one of them — repair slower than the repair period (a
   * loaded machine) must not turn the schedule into a breach of the
   * failure assumption
   */
  keys?: string[]
}

export class Cluster {
  /** joined peers not leaving or crashing: clients send their operations through these */
  members: Peer[] = []
  /** every peer started and not yet stopped, members or not */
  readonly running = new Set<Peer>()
  readonly errors: string[] = []
  /** crash choices put off because a key's other copies were not there yet */
  deferred = 0
  private readonly init: ClusterInit
  private readonly recent: Array<Unavailable & { until: number }> = []
  private readonly pending = new Set<Promise<void>>()

  constructor (init: ClusterInit) {
    this.init = init
  }

  /** Start `count` peers: one creates the ring, the rest join in concurrent waves */
  async start (count: number): Promise<void> {
    await this.spawn([])
    const wave = 8
    for (let start = 1; start < count; start += wave) {
      const started = byId([...this.running])
      await Promise.all(Array.from({ length: Math.min(wave, count - start) }, async () => this.spawn([addrOf(this.init.rand.pick(started))])))
    }
    await waitFor(() => [...this.running].every(p => p.services.chord.joined), this.init.joinTimeout, 'the initial peers did not all join')
    this.members = [...this.running]
  }

  /**
   * A new peer joins through three random members (one of them may crash
   * meanwhile); it becomes a member once joined, in the background. One
   * that cannot join in time is stopped, and reported as a problem.
   */
  join (): void {
    const via = this.init.rand.shuffle(byId(this.members)).slice(0, 3).map(addrOf)
    this.track((async () => {
      const peer = await this.spawn(via)
      try {
        await waitFor(() => peer.services.chord.joined || !this.running.has(peer), this.init.joinTimeout, 'a new peer did not join')
      } catch (err) {
        this.running.delete(peer)
        await peer.stop()
        throw err
      }
      if (!this.running.has(peer)) return
      this.members.push(peer)
      this.unavailable(peer, 'joined')
    })())
  }

  /** A random member leaves gracefully (its handoff runs in the background) */
  leave (): string {
    const peer = this.init.rand.pick(byId(this.members))
    this.unavailable(peer, 'left')
    this.members = this.members.filter(p => p !== peer)
    this.track((async () => {
      await this.init.trace?.departs(peer, 'left')
      await peer.stop()
      this.running.delete(peer)
    })())
    return peer.peerId.toString()
  }

  /**
   * Crash members at once, chosen for `kind` under the failure assumption;
   * undefined (nothing done) when no choice keeps to it right now
   */
  async crash (kind: EventKind, count: number): Promise<string[] | undefined> {
    const live: RingEntry[] = this.members.map(entryOf)
    const now = Date.now()
    const recent = this.recent.filter(u => u.until > now)
    const holders = await this.holders()
    let lacking = false
    const copiesLeft = (victims: string[]): boolean => {
      const ok = [...holders.values()].every(peers => peers.some(p => !victims.includes(p)))
      lacking ||= !ok
      return ok
    }
    const victims = chooseVictims(this.init.rand, live, recent, kind, count, this.init.r, copiesLeft)
    if (victims === undefined) {
      if (lacking) this.deferred++
      return undefined
    }
    const peers = this.members.filter(p => victims.includes(p.peerId.toString()))
    for (const peer of peers) this.unavailable(peer, 'crashed')
    this.members = this.members.filter(p => !peers.includes(p))
    await Promise.all(peers.map(async peer => {
      await this.init.trace?.departs(peer, 'crashed')
      peer.services.chord.leaveOnStop = false
      await peer.stop()
      this.running.delete(peer)
    }))
    return victims
  }

  /** Which members hold a copy of each key */
  private async holders (): Promise<Map<string, string[]>> {
    const held = new Map<string, string[]>()
    await Promise.all(this.members.map(async peer => {
      for (const key of this.init.keys ?? []) {
        if (await peer.services.chord.getLocalRecord(key).catch(() => undefined) === undefined) continue
        const list = held.get(key) ?? []
        list.push(peer.peerId.toString())
        held.set(key, list)
      }
    }))
    return held
  }

  /** Wait for joins and leaves still under way */
  async idle (): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending])
  }

  async stop (): Promise<void> {
    await this.idle()
    await stopAll([...this.running])
    this.running.clear()
    this.members = []
  }

  private async spawn (bootstrap: string[]): Promise<Peer> {
    const privateKey = await generateKeyPairFromSeed('Ed25519', Uint8Array.from({ length: 32 }, () => this.init.rand.int(256)))
    const peer = await createPeer({ ...this.init.init, bootstrap }, 'mplex', undefined, { privateKey })
    this.init.trace?.watch(peer)
    this.running.add(peer)
    return peer
  }

  private unavailable (peer: Peer, why: Unavailable['why']): void {
    this.recent.push({ ...entryOf(peer), why, until: Date.now() + this.init.repairPeriod })
  }

  private track (task: Promise<void>): void {
    const tracked = task.catch(err => { this.errors.push((err as Error).message) }).finally(() => { this.pending.delete(tracked) })
    this.pending.add(tracked)
  }
}

/** Peers in ring order: picks from a seed must not depend on which join finished first */
function byId (peers: Peer[]): Peer[] {
  return [...peers].sort((a, b) => (a.services.chord.id < b.services.chord.id ? -1 : 1))
}

function entryOf (peer: Peer): RingEntry {
  return { peer: peer.peerId.toString(), id: peer.services.chord.id }
}
