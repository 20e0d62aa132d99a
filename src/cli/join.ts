/**
 * How a daemon gets onto a ring: through its bootstrap peers and, with
 * mDNS, through peers found on the LAN. Discovery only reports peers; the
 * daemon joins through them.
 *
 * When bootstrap names no peer but this one, a daemon with mDNS listens for
 * `grace` ms before starting a ring, and then joins through any LAN peer
 * that is a member. If none is, only the peer with the smallest id among
 * those found that this peer can connect to starts a ring and the others
 * keep trying to join, so daemons started together on a LAN form one ring
 * instead of one each. A LAN peer this one cannot connect to (another
 * private ring's key) does not count: with only such peers around, this
 * peer starts its own ring. Rings that formed apart anyway (started while
 * the LAN was split) merge once they see each other: the service probes the
 * peers discovery reports.
 */
import { multiaddr } from '@multiformats/multiaddr'
import { shortPeer } from './daemon-log.ts'
import type { LogLine } from './daemon-log.ts'
import type { ChordNode } from '../node.ts'
import type { PeerInfo } from '@libp2p/interface'

export interface JoinInit {
  bootstrap: string[]
  /** join through peers reported by the node's peer discovery (mDNS) */
  lan: boolean
  /** ms to listen for LAN peers before starting a new ring */
  grace: number
  log: LogLine
}

export interface Joiner {
  /** once the node listens: join, or wait for LAN peers first */
  start(): void
  /** stop listening for LAN peers */
  stop(): void
}

/**
 * Call before the node starts: mDNS reports the peers that answer its first
 * query while the node is starting, and only once.
 */
export function ringJoiner (node: ChordNode, init: JoinInit): Joiner {
  const chord = node.services.chord
  const self = node.peerId.toString()
  /** bootstrap peers other than this one; known once the node listens */
  let others: string[] = []
  /** LAN peers found: peer id → dialable addresses */
  const found = new Map<string, string[]>()
  /** not joining yet: started and looking for LAN peers, or not started */
  let settling = true

  const failed = (err: Error): void => {
    // a newer join() call cancels the previous one
    if (err.name !== 'AbortError' && !chord.joined) init.log(`could not join: ${err.message}`)
  }
  /** join through the bootstrap and LAN peers, retrying until one answers; with none, start a ring */
  const join = (): void => {
    if (chord.joined) return
    chord.join([...others, ...[...found.values()].flat()]).catch(failed)
  }

  const onDiscovery = ({ detail }: CustomEvent<PeerInfo>): void => {
    const peer = detail.id.toString()
    if (chord.joined || found.has(peer) || peer === self) return
    const addrs = detail.multiaddrs.map(a => a.toString()).map(a => a.includes('/p2p/') ? a : `${a}/p2p/${peer}`)
    if (addrs.length === 0) return
    found.set(peer, addrs)
    init.log(`found LAN peer ${shortPeer(peer)}`)
    if (!settling) join()
  }

  const settle = async (): Promise<void> => {
    if (await settleOnLan(node, self, found, init) === 'waiting') {
      // from now on every LAN peer found is one more to join through
      settling = false
      join()
    }
  }

  if (init.lan) node.addEventListener('peer:discovery', onDiscovery)
  return {
    start: () => {
      others = init.bootstrap.filter(addr => !isOwnAddress(node, addr))
      if (init.lan && others.length === 0) {
        init.log(`looking ${init.grace} ms for LAN peers (mDNS) before starting a ring`)
        settle().catch(failed)
        return
      }
      settling = false
      if (others.length > 0) init.log(`joining through ${others.join(', ')}`)
      join()
    },
    stop: () => { node.removeEventListener('peer:discovery', onDiscovery) }
  }
}

/**
 * After the grace period: join through a LAN peer that is already a member,
 * or start the ring if this peer has the smallest id of those it can connect
 * to, or else wait for the one that has.
 */
async function settleOnLan (node: ChordNode, self: string, found: Map<string, string[]>, init: JoinInit): Promise<'joined' | 'waiting'> {
  const chord = node.services.chord
  await new Promise(resolve => setTimeout(resolve, init.grace))
  if (chord.joined) return 'joined'
  const lan = [...found.values()].flat()
  if (lan.length > 0) {
    // a LAN peer may already be a member
    await chord.join(lan, { signal: AbortSignal.timeout(init.grace) }).catch(() => {})
    if (chord.joined) return 'joined'
  }
  const reachable = await connectable(node, found, init.grace)
  const smaller = reachable.filter(peer => peer < self).sort()[0]
  if (smaller === undefined) {
    init.log(found.size === 0
      ? 'no LAN peer found'
      : reachable.length === 0
        ? `no LAN peer accepts a connection from this one (${found.size} found: another ring's key?)`
        : 'no LAN peer is a ring member yet, and this peer has the smallest id')
    await chord.join([])
    return 'joined'
  }
  init.log(`waiting for LAN peer ${shortPeer(smaller)} (smallest id) to start the ring`)
  return 'waiting'
}

/** The LAN peers that accept a connection within `timeout` ms (a peer with another pre-shared key does not) */
async function connectable (node: ChordNode, found: Map<string, string[]>, timeout: number): Promise<string[]> {
  const answers = await Promise.all([...found].map(async ([peer, addrs]) => {
    for (const addr of addrs) {
      try {
        await node.dial(multiaddr(addr), { signal: AbortSignal.timeout(timeout) })
        return peer
      } catch {}
    }
    return undefined
  }))
  return answers.filter(peer => peer !== undefined)
}

/** The address names this peer: by its /p2p/ id or as one of its listen addresses */
function isOwnAddress (node: ChordNode, addr: string): boolean {
  const ma = multiaddr(addr)
  if (ma.getComponents().some(c => c.name === 'p2p' && c.value === node.peerId.toString())) return true
  const bare = (s: string): string => s.replace(/\/p2p\/[^/]+$/, '')
  return node.getMultiaddrs().some(own => bare(own.toString()) === bare(addr))
}
