/**
 * A peer's periodic maintenance, each step on every position it holds:
 * stabilize, fixFingers and checkPredecessor (Zave's corrected Chord), and
 * the probes of ring unification. One failing position does not stop the
 * others; each failure is logged.
 */
import { describeNode } from './node-ref.ts'
import { errorMessage } from '../util/errors.ts'
import { Periodic } from '../util/periodic.ts'
import type { RingNode } from './ring-node.ts'
import type { RingPeerInit } from './ring-peer-init.ts'
import type { Unification } from './unification.ts'
import type { Clock } from '../util/clock.ts'
import type { Log } from '../util/log.ts'

export class RingMaintenance {
  /** stabilize, pulled forward when a neighbour leaves or the peer joins */
  readonly stabilizer: Periodic
  private readonly tasks: Periodic[]
  private readonly nodes: () => readonly RingNode[]
  private readonly log: Log

  constructor (nodes: () => readonly RingNode[], unification: Unification, init: RingPeerInit, clock: Clock, log: Log) {
    this.nodes = nodes
    this.log = log
    const probeInterval = init.probeInterval ?? 2000
    this.stabilizer = new Periodic(async () => { await this.forEachNode(n => n.stabilize()) }, init.stabilizeInterval ?? 1000, clock)
    this.tasks = [
      this.stabilizer,
      new Periodic(async () => { await this.forEachNode(n => n.fixFingers()) }, init.fixFingersInterval ?? 5000, clock),
      new Periodic(async () => { await this.forEachNode(n => n.checkPredecessor()) }, init.checkPredecessorInterval ?? 2000, clock),
      new Periodic(async () => { unification.probeDue() }, Math.max(1, probeInterval / 2), clock)
    ]
  }

  start (): void {
    for (const task of this.tasks) task.start()
  }

  stop (): void {
    for (const task of this.tasks) task.stop()
  }

  private async forEachNode (fn: (node: RingNode) => Promise<void>): Promise<void> {
    await Promise.all(this.nodes().map(async node => {
      try {
        await fn(node)
      } catch (err) {
        this.log.error('maintenance of %s failed: %s', describeNode(node.self), errorMessage(err))
      }
    }))
  }
}
