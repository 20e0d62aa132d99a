/**
 * Reaching the ring through multiaddrs: joining it as a member (retrying
 * with backoff until a bootstrap member answers, or creating a new ring when
 * no address but our own is given), and telling our own addresses apart.
 */
import { multiaddr } from '@multiformats/multiaddr'
import { nodeId } from './ring/id.ts'
import { errorMessage } from './util/errors.ts'
import { realClock, sleep } from './util/clock.ts'
import type { ChordComponents } from './index.ts'
import type { ResolvedOptions } from './constants.ts'
import type { RingPeer } from './ring/ring-peer.ts'
import type { NodeRef } from './ring/types.ts'
import type { Logger, PeerId } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

export interface JoinContext {
  components: ChordComponents
  options: ResolvedOptions
  ring: RingPeer
  log: Logger
  /** joined (or created, with `via` undefined) */
  onJoined(via: string | undefined): void
}

/** Join through any of `addrs`, retrying with backoff until one answers; with no address but our own, create a ring */
export async function joinRing (ctx: JoinContext, addrs: string[], signal: AbortSignal): Promise<void> {
  let delay = ctx.options.joinRetryMinDelay
  for (let attempt = 1; ; attempt++) {
    // our own listen addresses may only be known once the transports listen
    const seeds = addrs.filter(a => !isOwnAddress(ctx.components, a))
    if (seeds.length === 0) {
      await ctx.ring.create()
      ctx.onJoined(undefined)
      return
    }
    for (const seed of shuffle(seeds)) {
      signal.throwIfAborted()
      try {
        await ctx.ring.join(await connectTo(ctx.components, ctx.options, seed, signal))
        ctx.log('joined the ring through %s', seed)
        ctx.onJoined(seed)
        return
      } catch (err) {
        signal.throwIfAborted()
        ctx.log('join through %s failed (attempt %d): %s', seed, attempt, errorMessage(err))
      }
    }
    delay = await backoff(delay, ctx.options, signal)
  }
}

/** Wait `delay` ms, jittered, before trying again; the next wait doubles, up to joinRetryMaxDelay */
export async function backoff (delay: number, options: ResolvedOptions, signal: AbortSignal): Promise<number> {
  await sleep(realClock, delay * (0.5 + Math.random()), signal)
  return Math.min(delay * 2, options.joinRetryMaxDelay)
}

/** Connect to the peer at `addr`: a contact to ask for its positions */
export async function connectTo (components: ChordComponents, options: ResolvedOptions, addr: string, signal: AbortSignal): Promise<NodeRef> {
  const connection = await components.connectionManager.openConnection(multiaddr(addr), {
    signal: AbortSignal.any([signal, AbortSignal.timeout(options.dialTimeout)])
  })
  const peer = connection.remotePeer
  if (peer.equals(components.peerId)) throw new Error(`${addr} is this peer`)
  return contactOf(peer, [addr])
}

/**
 * A peer known by its addresses only. Its positions are not known yet (a
 * peer chooses among several when it joins): the ring asks it for them
 * (POSITIONS) before routing through it; the id and vnode here are only
 * placeholders.
 */
export function contactOf (peer: PeerId, addrs: string[]): NodeRef {
  return { id: nodeId(peer.toMultihash().bytes, 0), peer: peer.toString(), vnode: 0, addrs }
}

export function isOwnAddress (components: ChordComponents, addr: string): boolean {
  const ma = parseMultiaddr(addr)
  const self = components.peerId.toString()
  if (ma.getComponents().some(c => c.name === 'p2p' && c.value === self)) return true
  const bare = (s: string): string => s.replace(/\/p2p\/[^/]+$/, '')
  const own = new Set(components.addressManager.getAddresses().map(a => bare(a.toString())))
  return own.has(bare(ma.toString()))
}

export function parseMultiaddr (addr: string): Multiaddr {
  try {
    return multiaddr(addr)
  } catch (err) {
    throw new TypeError(`invalid bootstrap multiaddr ${JSON.stringify(addr)}: ${errorMessage(err)}`)
  }
}

function shuffle<T> (items: readonly T[]): T[] {
  const out = [...items]
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]]
  }
  return out
}
