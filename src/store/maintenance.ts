/**
 * Maintenance: timed jobs on the injected clock, pulled forward by ring
 * events. Each position syncs its own range (pred, self] with the other
 * replicas by range digests (pulls what a joining peer lacks, re-creates
 * copies lost in a crash); a sweep hands keys this peer no longer replicates
 * to their replicas, and drops them only once every replica acknowledged;
 * gc drops old tombstones and expired keys; a graceful leave hands
 * everything over before the peer exits.
 */
import { betweenRightIncl, RING_SIZE } from '../ring/id.ts'
import { sleep } from '../util/clock.ts'
import { errorMessage } from '../util/errors.ts'
import { Periodic } from '../util/periodic.ts'
import { otherReplicas, positionReplicas } from './context.ts'
import { ringPosition, syncRange } from './range-sync.ts'
import { replicaSet } from './replicas.ts'
import type { StoreContext } from './context.ts'
import type { VersionEntry } from './types.ts'
import type { Id } from '../ring/id.ts'
import type { NodeRef } from '../ring/types.ts'

/** consecutive sync or sweep rounds run at once because the one before moved data */
const MAX_REPEATS = 8
/** acknowledged versions dropped per datastore batch */
const DELETE_BATCH = 1024

export interface HandoffResult {
  /** keys handed to their replicas and dropped here */
  handed: number
  /** keys that could not be handed over this time */
  remaining: number
}

/** A run of keys sharing an owner, and the replicas it should be on (undefined: the lookup failed) */
interface Run { from: Id, until: Id, replicas: NodeRef[] | undefined }

export class Maintenance {
  private readonly ctx: StoreContext
  private readonly tasks: Periodic[]
  private readonly sweeper: Periodic
  private readonly syncer: Periodic
  private syncRepeats = 0
  private sweepRepeats = 0
  /** when the last sweep began, and a nudged sweep waiting for its turn */
  private lastSweep = -Infinity
  private nudged: unknown
  /** a check of the replica sets, due once the ring event that asked for it is over */
  private checkDue: unknown
  /** between start() and stop(): a stopped store sets no timer for anyone */
  private running = false
  /** the replica sets of this peer's ranges when last looked at */
  private replicaSets = ''

  constructor (ctx: StoreContext) {
    this.ctx = ctx
    const { options, clock } = ctx
    this.syncer = new Periodic(async () => {
      // a round that moved data goes again at once (it checks the digests
      // again and takes what changed meanwhile), a bounded number of times
      if (await this.syncOwnRanges()) {
        if (this.syncRepeats++ < MAX_REPEATS) this.syncer.runSoon()
      } else {
        this.syncRepeats = 0
      }
    }, options.syncInterval, clock)
    this.sweeper = new Periodic(async () => {
      const { handed, remaining } = await this.sweep('handoff')
      if (handed > 0 && remaining > 0 && this.sweepRepeats++ < MAX_REPEATS) {
        this.sweeper.runSoon()
      } else {
        this.sweepRepeats = 0
      }
    }, options.sweepInterval, clock)
    const gc = new Periodic(async () => {
      const collected = await ctx.local.gc(clock.now())
      if (collected.tombstones + collected.expired > 0) ctx.log('gc: dropped %d tombstones, %d expired keys', collected.tombstones, collected.expired)
    }, options.gcInterval, clock)
    this.tasks = [this.syncer, this.sweeper, gc]
  }

  start (): void {
    this.ctx.leaving = false
    this.running = true
    for (const task of this.tasks) task.start()
  }

  stop (): void {
    this.running = false
    for (const task of this.tasks) task.stop()
    for (const handle of [this.nudged, this.checkDue]) if (handle !== undefined) this.ctx.clock.clearTimeout(handle)
    this.nudged = undefined
    this.checkDue = undefined
  }

  /** The ring around this peer changed: re-check replicas soon */
  ringChanged (): void {
    this.ctx.unsettledUntil = this.ctx.clock.now() + this.ctx.options.settleTime
    this.syncer.runSoon()
    this.sweeper.runSoon()
    this.successorsChanged()
  }

  /**
   * A position's predecessor changed. If a peer joined there, the peers
   * r − 1 and fewer positions further on now replicate less (the joiner took
   * a replica slot in front of them), but nothing in their own neighbourhood
   * changed: tell them to sweep now rather than at their next sweepInterval.
   */
  predecessorChanged (): void {
    this.ringChanged()
    const others = new Map<string, NodeRef>()
    for (const position of this.ctx.ring.memberPositions()) {
      for (const node of otherReplicas(this.ctx, position)) others.set(node.peer, node)
    }
    for (const node of others.values()) {
      this.ctx.rpc.sweepSoon(node).catch(err => { this.ctx.log('could not ask %s to sweep: %s', node.peer, errorMessage(err)) })
    }
  }

  /**
   * A successor list changed somewhere in it: a replica set may have changed
   * without a change of successor or predecessor (a peer joined or left two
   * or more positions away). Look once the ring event is over, so a position
   * that just joined counts as a member.
   */
  successorsChanged (): void {
    if (!this.running || this.checkDue !== undefined) return
    this.checkDue = this.ctx.clock.setTimeout(() => {
      this.checkDue = undefined
      this.checkReplicaSets()
    }, 0)
  }

  /** Run a sync and a sweep when the replica sets of this peer's ranges changed */
  private checkReplicaSets (): void {
    const now = this.ctx.ring.memberPositions().map(p => [
      p.predecessor?.id.toString(16),
      p.self.id.toString(16),
      ...positionReplicas(this.ctx, p).map(n => n.peer)
    ].join(',')).join(';')
    if (now === this.replicaSets) return
    const first = this.replicaSets === ''
    this.replicaSets = now
    if (!first) {
      this.syncer.runSoon()
      this.sweeper.runSoon()
    }
  }

  /**
   * Sweep soon: once the ring around the join has settled, and at most once
   * a second whoever asks (another peer may ask as often as it likes)
   */
  sweepSoon (): void {
    if (!this.running || this.ctx.leaving || this.nudged !== undefined) return
    const { sweepSoonDelay, sweepSoonMinGap } = this.ctx.options
    const wait = Math.max(sweepSoonDelay, this.lastSweep + sweepSoonMinGap - this.ctx.clock.now())
    this.nudged = this.ctx.clock.setTimeout(() => {
      this.nudged = undefined
      this.sweeper.runSoon()
    }, wait)
  }

  /** Sync each position's own range (pred, self] with the other replicas of it; true if records moved */
  private async syncOwnRanges (): Promise<boolean> {
    let moved = false
    for (const position of this.ctx.ring.memberPositions()) {
      if (position.predecessor === undefined) continue
      // one replica after the other: what the first sync brought is not pulled again from the next
      for (const peer of otherReplicas(this.ctx, position)) {
        try {
          const result = await syncRange(this.ctx.sync, peer, position.predecessor.id, position.self.id, 'both', 'sync')
          if (result.pushed + result.pulled > 0) {
            moved = true
            this.ctx.log('sync with %s: pushed %d, pulled %d keys', peer.peer, result.pushed, result.pulled)
          }
        } catch (err) {
          this.ctx.log('sync with %s failed: %s', peer.peer, errorMessage(err))
        }
      }
    }
    return moved
  }

  /**
   * Hand over keys this peer should not hold: walk them in ring order, look
   * up the replica set of each run of keys sharing an owner, make every
   * replica hold our version (copy → acknowledgement), then drop ours — only
   * the versions that were acknowledged. 'leave' treats every key that way.
   */
  async sweep (reason: 'handoff' | 'leave'): Promise<HandoffResult> {
    this.lastSweep = this.ctx.clock.now()
    const result: HandoffResult = { handed: 0, remaining: 0 }
    const positions = this.ctx.ring.memberPositions()
    // a position without a predecessor is not yet known to the ring around
    // it (it just joined or restarted): lookups would not name this peer yet,
    // and it would hand away keys it is about to replicate again
    if (reason === 'handoff' && (positions.length === 0 || positions.some(p => p.predecessor === undefined))) return result
    const primaries = reason === 'leave' ? [] : positions.map(p => [p.predecessor!.id, p.self.id] as const)
    const runs = await this.runsToHand(reason, primaries)
    for (const run of runs) {
      const { handed, remaining } = await this.handOver(run, reason)
      result.handed += handed
      result.remaining += remaining
    }
    if (result.handed > 0 || result.remaining > 0) this.ctx.log('%s: handed over %d keys, %d remain', reason, result.handed, result.remaining)
    return result
  }

  /**
   * First pass of a sweep: key ids only (no record is read), one lookup per
   * run of keys that share an owner; keep the runs this peer does not
   * replicate. The walk jumps over each run and each primary range once it
   * is known, so it reads a few ids per run, not every id held.
   */
  private async runsToHand (reason: 'handoff' | 'leave', primaries: ReadonlyArray<readonly [Id, Id]>): Promise<Run[]> {
    const { ctx } = this
    const runs: Run[] = []
    // ids in (cursor, 0], in ring order from 0: the walk ends where a jump wraps past 0
    let cursor = 0n
    for (;;) {
      const id = await this.firstIdAfter(cursor)
      if (id === undefined) return runs
      const primary = primaries.find(([a, b]) => betweenRightIncl(a, id, b))
      let next: Id
      if (primary !== undefined) {
        next = primary[1]
      } else {
        const run = await this.runAt(id, reason)
        if (reason === 'leave' || run.replicas === undefined || !run.replicas.some(n => n.peer === ctx.self)) runs.push(run)
        next = run.until
      }
      // 0 comes last; a jump behind `id` wrapped round past 0 (a failed lookup's run ends at `id`: go on after it)
      if (next === 0n || ringPosition(0n, next) < ringPosition(0n, id)) return runs
      cursor = next
    }
  }

  /** The first id held in (after, 0], if any */
  private async firstIdAfter (after: Id): Promise<Id | undefined> {
    for await (const id of this.ctx.local.idsIn(after, 0n, { pageHint: 1 })) return id
    return undefined
  }

  /** The run of keys from `id` on that share its owner, and the replicas it should be on */
  private async runAt (id: Id, reason: 'handoff' | 'leave'): Promise<Run> {
    const { ctx } = this
    const from = (id - 1n + RING_SIZE) % RING_SIZE
    try {
      const found = await ctx.ring.findSuccessor(id)
      return { from, until: found.owner.id, replicas: replicaSet(found.successors, ctx.options.replicas, reason === 'leave' ? ctx.self : undefined) }
    } catch (err) {
      ctx.log('sweep: lookup failed: %s', errorMessage(err))
      return { from, until: id, replicas: undefined }
    }
  }

  /**
   * Second pass, per run: the versions held now, a push to every replica,
   * then a drop of exactly the versions every replica acknowledged
   */
  private async handOver ({ from, until, replicas }: Run, reason: 'handoff' | 'leave'): Promise<HandoffResult> {
    const { ctx } = this
    const entries: VersionEntry[] = []
    for await (const entry of ctx.local.versionsIn(from, until)) entries.push(entry)
    if (entries.length === 0) return { handed: 0, remaining: 0 }
    if (replicas === undefined || replicas.length === 0) return { handed: 0, remaining: entries.length }
    const acked = await Promise.all(replicas.map(async peer => {
      try {
        await syncRange(ctx.sync, peer, from, until, 'push', reason)
        return true
      } catch (err) {
        ctx.log('handoff to %s failed: %s', peer.peer, errorMessage(err))
        return false
      }
    }))
    if (!acked.every(Boolean)) return { handed: 0, remaining: entries.length }
    // exactly the versions acknowledged: a write that arrived since stays
    for (let i = 0; i < entries.length; i += DELETE_BATCH) {
      await ctx.local.deleteMany(entries.slice(i, i + DELETE_BATCH).map(e => ({ key: e.key, upTo: e.version })))
    }
    return { handed: entries.length, remaining: 0 }
  }

  /**
   * Graceful leave (after the ring was told): refuse new data, then hand
   * every key to its replicas, retrying while the ring settles.
   */
  async leave (): Promise<HandoffResult> {
    const { ctx } = this
    ctx.leaving = true
    this.stop()
    const deadline = ctx.clock.now() + ctx.options.leaveTimeout
    let handed = 0
    for (;;) {
      if (!ctx.ring.hasOtherPeers()) {
        const { keys, tombstones } = ctx.local.stats()
        if (keys + tombstones > 0) ctx.log.error('leave: no other peer to hand %d keys to; they stay in the local store', keys + tombstones)
        return { handed, remaining: keys + tombstones }
      }
      const result = await this.sweep('leave')
      handed += result.handed
      if (result.remaining === 0) return { handed, remaining: 0 }
      if (ctx.clock.now() > deadline) {
        ctx.log.error('leave: %d keys could not be handed over in time; they stay in the local store', result.remaining)
        return { handed, remaining: result.remaining }
      }
      // a round that handed keys over goes on at once; one that could not waits for the ring
      if (result.handed === 0) await sleep(ctx.clock, Math.min(ctx.options.syncInterval, ctx.options.maxLeaveRetryDelay))
    }
  }
}
