/**
 * Client mode's side of the service: the connections to the ring of a peer
 * that uses it without joining. Bootstrap addresses are dialled in the
 * background, again with backoff while no member is known; peers whose
 * identify names the ring's protocol are members to route through; peers
 * discovery reports are connected to while few members are known. A
 * request made while the first round of dials is under way waits for it,
 * and one made when no member is known fails at once with NoMembersError.
 */
import { backoff, connectTo, contactOf, isOwnAddress } from './joining.ts'
import { NoMembersError } from './ring/errors.ts'
import { onAbort } from './rpc/abort-listeners.ts'
import { errorMessage } from './util/errors.ts'
import type { ChordComponents } from './index.ts'
import type { ResolvedOptions } from './constants.ts'
import type { ClientRing } from './ring/client-ring.ts'
import type { RingPeer } from './ring/ring-peer.ts'
import type { NodeRef, RequestOptions } from './ring/types.ts'
import type { RingView } from './store/types.ts'
import type { IdentifyResult, Logger, PeerInfo } from '@libp2p/interface'

/** a client connects to the peers discovery reports while it knows fewer members than this */
const MAX_DISCOVERY_DIALS_BELOW = 8

export interface ClientLinkInit {
  components: ChordComponents
  options: ResolvedOptions
  ring: ClientRing
  log: Logger
}

export class ClientLink {
  private readonly init: ClientLinkInit
  private controller: AbortController | undefined
  /** the round of dials under way, or the last one */
  private round: Promise<void> | undefined

  constructor (init: ClientLinkInit) {
    this.init = init
  }

  /** Reach the ring through `addrs` (bootstrap members) and `known` members, in the background */
  start (addrs: string[], known: NodeRef[]): void {
    for (const node of known) this.init.ring.addEntry(node)
    this.controller?.abort()
    this.controller = new AbortController()
    const signal = this.controller.signal
    this.connectLoop(addrs, signal).catch(err => {
      if (!signal.aborted) this.init.log.error('client mode: %s', errorMessage(err))
    })
  }

  stop (): void {
    this.controller?.abort(new Error('client mode stopped'))
    this.controller = undefined
    this.round = undefined
  }

  /** Connect to `addrs` now; fails with NoMembersError when no member is known afterwards */
  async connect (addrs: string[], signal?: AbortSignal): Promise<void> {
    await this.connectAll(addrs, signal ?? new AbortController().signal)
    if (this.init.ring.knownMembers === 0) throw new NoMembersError(`client mode: none of ${addrs.length} addresses reached a ring member`)
  }

  private async connectLoop (addrs: string[], signal: AbortSignal): Promise<void> {
    const { options, ring } = this.init
    let delay = options.joinRetryMinDelay
    while (ring.knownMembers === 0) {
      const seeds = addrs.filter(a => !isOwnAddress(this.init.components, a))
      if (seeds.length === 0) return
      this.round = this.connectAll(seeds, signal)
      await this.round
      if (ring.knownMembers > 0) return
      delay = await backoff(delay, options, signal)
    }
  }

  private async connectAll (addrs: string[], signal: AbortSignal): Promise<void> {
    await Promise.all(addrs.map(async addr => {
      try {
        await this.init.ring.addContact(await connectTo(this.init.components, this.init.options, addr, signal), { signal })
      } catch (err) {
        this.init.log('client mode: could not reach %s: %s', addr, errorMessage(err))
      }
    }))
  }

  /** No member is known: wait for the round of dials under way, if any */
  async whenNoMembers (options: RequestOptions): Promise<void> {
    const { round } = this
    const { signal } = options
    if (round === undefined || signal === undefined) return round
    signal.throwIfAborted()
    await new Promise<void>((resolve, reject) => {
      // one listener per signal however many requests wait on it
      const cancel = onAbort(signal, () => { reject(signal.reason) })
      void round.then(() => {
        cancel()
        resolve()
      })
    })
  }

  /**
   * A peer discovery reported (mDNS, say): connect, and identify tells
   * whether it is a member to route through. Only while few are known:
   * a client needs a handful, not every peer around.
   */
  discovered (peer: PeerInfo): void {
    const { components, options, ring } = this.init
    if (this.controller === undefined || ring.knownMembers >= MAX_DISCOVERY_DIALS_BELOW) return
    if (components.connectionManager.getConnections(peer.id).length > 0) return
    const addrs = peer.multiaddrs.map(a => a.getComponents().some(c => c.name === 'p2p') ? a : a.encapsulate(`/p2p/${peer.id.toString()}`))
    components.connectionManager.openConnection(addrs.length > 0 ? addrs : peer.id, { signal: AbortSignal.timeout(options.dialTimeout) })
      .catch(err => { this.init.log('client mode: could not reach discovered peer %p: %s', peer.id, errorMessage(err)) })
  }

  /** Identify told what a connected peer runs: one that handles the ring's protocol is a member to route through */
  identified (result: IdentifyResult): void {
    const peer = result.peerId
    if (!result.protocols.includes(this.init.options.protocol)) {
      this.init.ring.removeEntry(peer.toString())
      return
    }
    const addrs = result.listenAddrs.slice(0, this.init.options.maxAddrsPerNode).map(a => a.toString())
    this.init.ring.addContact(contactOf(peer, addrs))
      .catch(err => { this.init.log('client mode: %p named no ring position: %s', peer, errorMessage(err)) })
  }
}

/** The ring the store works on: the member's own, or the client's view of it, whichever mode the peer is in */
export function ringOfMode (member: RingPeer, client: ClientRing, isClient: () => boolean): RingView {
  const ring = (): RingView => isClient() ? client : member
  return {
    peer: member.peer,
    findSuccessor: async (key, options) => ring().findSuccessor(key, options),
    memberPositions: () => ring().memberPositions(),
    knownSuccessors: (key, count) => ring().knownSuccessors(key, count),
    learn: (nodes) => { ring().learn(nodes) },
    forget: (node) => { ring().forget(node) },
    hasOtherPeers: () => ring().hasOtherPeers()
  }
}
