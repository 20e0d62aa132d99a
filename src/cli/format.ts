/**
 * Human-readable output of the client commands (--json prints the API's
 * JSON instead).
 */
import { count, formatBytes } from './daemon-log.ts'
import type { LookupJson, NodeJson, RingJson, StatsJson } from '../api/index.ts'
import type { StoreStats, Version } from '../index.ts'

const node = (n: NodeJson): string => `${n.peer}/${n.vnode} @${n.id.slice(0, 8)}`

const version = (v: Version): string => `${new Date(v.wallTime).toISOString()}#${v.logical} by …${v.writer.slice(-8)}`

const held = (s: StoreStats): string => `${count(s.keys, 'key')}, ${count(s.tombstones, 'tombstone')}, ${formatBytes(s.bytes)}`

export function formatLookup (key: string, l: LookupJson): string {
  const lines = [
    `key      ${JSON.stringify(key)} at ${l.id.slice(0, 16)}…`,
    `owner    ${node(l.owner)} (${count(l.hops, 'hop')})`,
    'replicas'
  ]
  for (const r of l.replicas) {
    const state = r.error !== undefined
      ? `unreachable: ${r.error}`
      : r.version === undefined ? 'no record' : `${r.deleted === true ? 'deleted' : 'holds'} ${version(r.version)}`
    lines.push(`  ${node(r)}  ${state}`)
  }
  return lines.join('\n') + '\n'
}

export function formatRing (ring: RingJson): string {
  const lines = [
    `peer     ${ring.peer} (${ring.joined ? 'ring member' : 'not a ring member'})`,
    `holds    ${held(ring.store)}`
  ]
  for (const p of ring.positions) {
    lines.push(`position ${p.vnode} @${p.id.slice(0, 16)}…`)
    lines.push(`  predecessor  ${p.predecessor === null ? 'none' : node(p.predecessor)}`)
    p.successors.forEach((s, i) => { lines.push(`  ${i === 0 ? 'successors ' : '           '}  ${node(s)}`) })
    if (p.successors.length === 0) lines.push('  successors   none (alone on the ring)')
    lines.push(`  fingers      ${p.fingers.length} distinct`)
  }
  return lines.join('\n') + '\n'
}

export function formatStats (s: StatsJson): string {
  const volume = (v: { keys: number, bytes: number }): string => `${count(v.keys, 'key')} (${formatBytes(v.bytes)})`
  const byReason = (r: StatsJson['traffic']['pushed']): string => `sync ${volume(r.sync)}, handoff ${volume(r.handoff)}, leave ${volume(r.leave)}`
  const requests = Object.entries(s.traffic.requests).map(([op, n]) => `${op} ${n}`).join(', ')
  const lines = [
    `peer         ${s.peer} (up ${s.uptime} s, ${s.connections} connections)`,
    `holds        ${held(s.store)}`,
    `sent         ${byReason(s.traffic.pushed)}`,
    `received     ${byReason(s.traffic.pulled)}`,
    `api requests ${requests === '' ? 'none' : requests}`
  ]
  if (s.network !== undefined) {
    const n = s.network
    lines.push(`network      ${formatBytes(n.sent)} sent, ${formatBytes(n.received)} received; ${count(n.requestsSent, 'ring request')} sent, ${n.requestsServed} served`)
  }
  if (s.peers !== undefined) {
    const total = s.peers.reduce((sum, p) => sum + (p.store?.keys ?? 0), 0)
    lines.push(`keys per peer (${count(s.peers.length, 'peer')}, ${count(total, 'key')} in all, counting every replica)`)
    for (const p of s.peers) {
      lines.push(`  ${p.peer}  ${p.store === undefined ? `unreachable: ${p.error ?? 'no answer'}` : `${count(p.store.keys, 'key')}, ${formatBytes(p.store.bytes)}`}`)
    }
  }
  return lines.join('\n') + '\n'
}
