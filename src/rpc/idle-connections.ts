/**
 * Connections nobody uses any more are closed. Without this a peer stays
 * connected to every member it ever asked something (joins, lookups, the
 * workload's direct reads and writes), up to libp2p's limit of 300, and
 * libp2p pings each of them every few seconds: idle cost per peer grew with
 * N. With it, a peer keeps what maintenance uses (successors, predecessor,
 * fingers) and whoever talks to it.
 */
import type { Connection } from '@libp2p/interface'

/** Close the connections that carry no stream and have been open longer than `idleMs` */
export function closeIdleConnections (connections: readonly Connection[], idleMs: number, now = Date.now()): number {
  let closed = 0
  for (const connection of connections) {
    if (connection.status !== 'open' || connection.streams.length > 0) continue
    if (now - connection.timeline.open < idleMs) continue
    closed++
    connection.close().catch(err => { connection.abort(err as Error) })
  }
  return closed
}
