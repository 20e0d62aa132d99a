/**
 * Ring unification: after a network partition each side stabilizes into a
 * ring of its own, and nothing in Chord brings two rings back together once
 * the network heals (Shafaat, Ghodsi, Haridi, "Handling network partitions
 * and mergers in structured overlay networks", IEEE P2P 2007).
 *
 * As in that paper, a peer keeps the members it lost to failure detection,
 * and the peers it met outside the ring (LAN discovery), and probes them
 * with backoff. A probe looks each of our positions up through the probed
 * peer: in our own ring the lookup ends at the position itself; in another
 * ring it ends at the member that would be our successor there. The
 * position adopts that member if it is closer than its successor, and
 * notifies it either way (it may take us as its predecessor). One pointer
 * across is enough: stabilize and rectify then zip the two rings together
 * the way they take in joining peers, and every peer that lost members to
 * the other side probes in parallel, so the zip starts in many places.
 *
 * Bounded: at most `maxContacts` peers, each probed at most every
 * `maxProbeInterval` ms once it stopped answering, every
 * `slowProbeInterval` ms once it has been gone `slowAfter` ms, and
 * forgotten `forgetAfter` ms after it was lost.
 */
import type { NodeRef } from './types.ts'
import type { Clock } from '../util/clock.ts'

export interface UnificationInit {
  clock: Clock
  /** first wait before a probe, and the wait while a merge is under way */
  minProbeInterval: number
  /** the wait between probes of a peer that does not answer grows to this */
  maxProbeInterval: number
  /** a peer gone this long is probed only every `slowProbeInterval` ms */
  slowAfter: number
  slowProbeInterval: number
  /** a lost peer that never answered again is forgotten after this long */
  forgetAfter: number
  /** peers remembered at most (the oldest goes first) */
  maxContacts: number
  /** probes run at once */
  maxConcurrentProbes: number
  /**
   * a peer met outside the ring is not taken again for this long once it
   * proved to be in our ring, or failed `metProbes` probes in a row
   */
  quietFor: number
  /** probes a peer met outside the ring gets before it is dropped (it may not run this protocol at all) */
  metProbes: number
  /**
   * Look our positions up through `node`: 'same' when it is in our ring,
   * 'merging' when it belongs to another ring (a merge step was taken);
   * rejects when it does not answer.
   */
  probe(node: NodeRef): Promise<ProbeOutcome>
  onProbe?(outcome: ProbeOutcome | 'unreachable'): void
}

export type ProbeOutcome = 'same' | 'merging'

interface Contact {
  node: NodeRef
  /** when it was lost or met, or last answered: it is forgotten `forgetAfter` later */
  since: number
  /** when it is probed next */
  due: number
  /** the current wait between probes */
  wait: number
  /** met outside the ring rather than lost from it */
  met: boolean
  /** probes in a row that found nobody */
  failures: number
}

export class Unification {
  private readonly init: UnificationInit
  /** peer id → the peer's entry, in insertion order (the oldest first) */
  private readonly contacts = new Map<string, Contact>()
  /** peers met outside the ring not to take again, until when */
  private readonly quiet = new Map<string, number>()
  private probing = 0

  constructor (init: UnificationInit) {
    this.init = init
  }

  get size (): number {
    return this.contacts.size
  }

  /** The peers remembered now (for state dumps and tests) */
  list (): NodeRef[] {
    return [...this.contacts.values()].map(c => c.node)
  }

  /** A member stopped answering: remember it, to probe it later */
  lost (node: NodeRef): void {
    // a peer already remembered keeps its backoff: lookups forget it again and again
    if (this.contacts.has(node.peer)) return
    this.quiet.delete(node.peer)
    this.add(node, false)
  }

  /** A peer met outside the ring (discovery): probe it once, unless it was just seen in our ring */
  met (node: NodeRef): void {
    if (this.contacts.has(node.peer)) return
    const until = this.quiet.get(node.peer)
    if (until !== undefined && until > this.init.clock.now()) return
    this.add(node, true)
  }

  /** A peer met outside the ring turned out not to run the ring (a client): no probes for it */
  unmet (peer: string): void {
    if (this.contacts.get(peer)?.met === true) this.contacts.delete(peer)
  }

  private add (node: NodeRef, met: boolean): void {
    const now = this.init.clock.now()
    if (this.contacts.size >= this.init.maxContacts) {
      const oldest = this.contacts.keys().next().value
      if (oldest !== undefined) this.contacts.delete(oldest)
    }
    this.contacts.set(node.peer, { node, since: now, due: now + this.init.minProbeInterval, wait: this.init.minProbeInterval, met, failures: 0 })
  }

  /** Probe the peers whose turn it is (run periodically) */
  probeDue (): void {
    const now = this.init.clock.now()
    const due: Contact[] = []
    for (const [peer, contact] of this.contacts) {
      if (now - contact.since > this.init.forgetAfter) {
        this.contacts.delete(peer)
        continue
      }
      if (contact.due <= now && due.length + this.probing < this.init.maxConcurrentProbes) due.push(contact)
    }
    if (this.quiet.size > this.init.maxContacts) {
      for (const [peer, until] of this.quiet) if (until <= now) this.quiet.delete(peer)
    }
    // not awaited: a probe of a host that is down waits for its dial timeout
    for (const contact of due) void this.probeOne(contact)
  }

  private async probeOne (contact: Contact): Promise<void> {
    this.probing++
    // nobody else probes it meanwhile
    contact.due = Infinity
    try {
      const outcome = await this.init.probe(contact.node)
      this.init.onProbe?.(outcome)
      if (outcome === 'same') {
        this.drop(contact)
        return
      }
      // a merge is under way: look again soon, until the peer is in our ring
      contact.since = this.init.clock.now()
      contact.failures = 0
      contact.wait = this.init.minProbeInterval
    } catch {
      this.init.onProbe?.('unreachable')
      if (contact.met && ++contact.failures >= this.init.metProbes) {
        this.drop(contact)
        return
      }
      const gone = this.init.clock.now() - contact.since
      contact.wait = Math.min(contact.wait * 2, gone > this.init.slowAfter ? this.init.slowProbeInterval : this.init.maxProbeInterval)
    } finally {
      this.probing--
    }
    contact.due = this.init.clock.now() + contact.wait
  }

  private drop (contact: Contact): void {
    this.contacts.delete(contact.node.peer)
    if (contact.met) this.quiet.set(contact.node.peer, this.init.clock.now() + this.init.quietFor)
  }
}
