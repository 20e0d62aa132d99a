/**
 * Shared by the in-process examples: start peers on 127.0.0.1 with fast
 * maintenance intervals, wait for the ring to settle, count key copies, and
 * fail loudly.
 */
import { createChordNode } from '../src/node.ts'
import type { ChordInit } from '../src/index.ts'
import type { ChordNode } from '../src/node.ts'

/** maintenance every few hundred ms instead of seconds, so the demos run in seconds */
export const FAST: ChordInit = {
  stabilizeInterval: 100,
  fixFingersInterval: 300,
  checkPredecessorInterval: 200,
  requestTimeout: 2000,
  dialTimeout: 2000,
  syncInterval: 500,
  sweepInterval: 2000
}

export async function startPeer (init: ChordInit = {}): Promise<ChordNode> {
  // all peers share one host here: lift libp2p's inbound connections/s per host limit
  return createChordNode({ chord: { ...FAST, ...init }, inboundConnectionThreshold: Infinity })
}

export function addrOf (peer: ChordNode): string {
  return peer.getMultiaddrs()[0].toString()
}

/** Start `count` peers: the first starts a ring, the others join through it */
export async function startPeers (count: number, init: ChordInit = {}): Promise<ChordNode[]> {
  const first = await startPeer(init)
  const rest = await Promise.all(Array.from({ length: count - 1 }, async () => startPeer({ ...init, bootstrap: [addrOf(first)] })))
  return [first, ...rest]
}

/** Wait until every peer's successor is the next peer by ring position */
export async function waitForRing (peers: ChordNode[], timeout = 30_000): Promise<void> {
  const settled = (): boolean => {
    const sorted = peers.map(p => ({ peer: p.peerId.toString(), id: p.services.chord.id })).sort((a, b) => (a.id < b.id ? -1 : 1))
    return peers.every(p => {
      const i = sorted.findIndex(s => s.peer === p.peerId.toString())
      const next = sorted[(i + 1) % sorted.length].peer
      return p.services.chord.joined && (peers.length === 1 || p.services.chord.getRingState().positions[0].successors[0]?.peer === next)
    })
  }
  await waitUntil(settled, timeout, 'the ring to settle')
}

export async function waitUntil (check: () => boolean | Promise<boolean>, timeout: number, what: string): Promise<void> {
  const deadline = Date.now() + timeout
  while (!(await check())) {
    if (Date.now() > deadline) fail(`timed out after ${timeout} ms waiting for ${what}`)
    await new Promise(resolve => setTimeout(resolve, 100))
  }
}

/** Key copies held by these peers altogether */
export function copies (peers: ChordNode[]): number {
  return peers.reduce((sum, p) => sum + p.services.chord.storeStats().keys, 0)
}

export function check (ok: boolean, message: string): void {
  if (!ok) fail(message)
}

export function fail (message: string): never {
  console.error(`FAILED: ${message}`)
  process.exit(1)
}

export const text = (bytes: Uint8Array | undefined): string | undefined => bytes === undefined ? undefined : new TextDecoder().decode(bytes)
