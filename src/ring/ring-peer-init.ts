/**
 * The options of a RingPeer: who the peer is, how it reaches others, its
 * positions and the pace of its maintenance; and the unification it runs.
 */
import { Unification } from './unification.ts'
import type { ProbeOutcome } from './unification.ts'
import type { ChordRpc, NodeRef } from './types.ts'
import type { Clock } from '../util/clock.ts'
import type { Log } from '../util/log.ts'

export interface RingPeerInit {
  /** the peer's address as ChordRpc understands it (the libp2p peer id string) */
  peer: string
  /** bytes hashed to place the peer's virtual nodes (the peer id's bytes) */
  peerBytes: Uint8Array
  /** this peer's own dialable addresses, announced to other members */
  addrs(): string[]
  /** outgoing messages; requests to this peer's own positions must reach it too (the service and the simulator wrap theirs in a loopback) */
  rpc: ChordRpc
  /** ring positions held by this peer (default 1) */
  virtualNodes?: number
  /**
   * with one position: the hashed positions hash(peer, i), i < this, the
   * peer chooses from when it joins, to even out the load (default 1: always
   * position 0); see position-choice.ts
   */
  positionChoices?: number
  /** r, the distinct peers that hold each key: the load a position choice evens out (default 3) */
  replicas?: number
  /** successor-list requests a joining peer spends reading the ring to choose its position (default 32) */
  maxWalkRequests?: number
  /** the peer holds position `vnode` now (it joined) */
  onPositionChange?(vnode: number): void
  /** uniform in [0, 1): a second choice of position, after a crowd, is random (default Math.random; a simulator seeds it) */
  random?: () => number
  /** r, successor list length (default 8) */
  successorListLength?: number
  /** closer members named per routing step (default 3) */
  stepWidth?: number
  /** upper bound on members visited by one lookup (default 64) */
  maxLookupSteps?: number
  /** ring members remembered to start lookups near the key (default 1024; 0 turns the cache off) */
  locationCacheSize?: number
  stabilizeInterval?: number
  fixFingersInterval?: number
  checkPredecessorInterval?: number
  clock?: Clock
  log?: Log
  onSuccessorChange?(vnode: number, previous: NodeRef | undefined, current: NodeRef | undefined): void
  onPredecessorChange?(vnode: number, previous: NodeRef | undefined, current: NodeRef | undefined): void
  /** any entry of a position's successor list changed */
  onSuccessorListChange?(vnode: number, successors: readonly NodeRef[]): void
  /** told of every findSuccessor: its hops, or undefined when it failed */
  onLookup?(hops: number | undefined): void
  /**
   * ms before the first probe of a member lost to failure detection (or a
   * peer met through discovery), and between probes while rings merge
   * (default 2000)
   */
  probeInterval?: number
  /** the wait between probes of a lost member that does not answer doubles up to this (default 10000) */
  maxProbeInterval?: number
  /** a lost member gone this long is probed only every 6 × maxProbeInterval ms (default 600000, ten minutes) */
  slowProbeAfter?: number
  /** a lost member that never answers again is forgotten after this many ms (default 86400000, a day) */
  forgetLostAfter?: number
  /** lost members and discovered peers remembered at most (default 64) */
  maxLostPeers?: number
  /** told of every unification probe and how it ended */
  onProbe?(outcome: ProbeOutcome | 'unreachable'): void
}

/** Ring unification of a RingPeer: lost members and discovered peers, probed with backoff */
export function unificationFor (init: RingPeerInit, clock: Clock, probeInterval: number, probe: (node: NodeRef) => Promise<ProbeOutcome>): Unification {
  return new Unification({
    clock,
    minProbeInterval: probeInterval,
    maxProbeInterval: Math.max(probeInterval, init.maxProbeInterval ?? 10_000),
    slowAfter: init.slowProbeAfter ?? 10 * 60 * 1000,
    slowProbeInterval: 6 * Math.max(probeInterval, init.maxProbeInterval ?? 10_000),
    forgetAfter: init.forgetLostAfter ?? 24 * 60 * 60 * 1000,
    maxContacts: init.maxLostPeers ?? 64,
    maxConcurrentProbes: 4,
    quietFor: 60_000,
    metProbes: 3,
    probe,
    onProbe: init.onProbe
  })
}

/** The peer's virtual nodes, its position choices checked too */
export function positionCount (init: RingPeerInit): number {
  const count = init.virtualNodes ?? 1
  for (const [name, value] of [['virtualNodes', count], ['positionChoices', init.positionChoices ?? 1]] as const) {
    if (!Number.isInteger(value) || value < 1 || value > 1024) throw new RangeError(`${name} must be an integer in [1, 1024], got ${value}`)
  }
  return count
}
