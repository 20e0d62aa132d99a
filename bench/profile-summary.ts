/**
 * Reads a V8 .cpuprofile (node --cpu-prof) and prints where the time went:
 * self time by function, and self and inclusive time by package or source
 * folder (noise, the muxer, protons, our src/ring, src/store, …).
 *
 *   npx tsx bench/profile-summary.ts .prof/CPU.….cpuprofile [top]
 */
import { readFileSync } from 'node:fs'

interface ProfileNode {
  id: number
  callFrame: { functionName: string, url: string, lineNumber: number }
  children?: number[]
}

interface Profile {
  nodes: ProfileNode[]
  samples: number[]
  timeDeltas: number[]
}

export interface Row { name: string, ms: number, pct: number }

export interface ProfileSummary {
  totalMs: number
  byFunction: Row[]
  byGroupSelf: Row[]
  byGroupInclusive: Row[]
}

/** A package name under node_modules, a folder of this repo, or node's own code */
export function groupOf (url: string): string {
  if (url === '') return '(native/gc/idle)'
  const nm = url.lastIndexOf('node_modules/')
  if (nm >= 0) {
    const rest = url.slice(nm + 'node_modules/'.length).split('/')
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]
  }
  if (url.startsWith('node:')) return 'node:' + url.slice(5).split('/')[0]
  const m = url.match(/\/((src|bench|test)\/.+?)(\.ts)?$/)
  if (m != null) return m[1]
  return url.replace(/^file:\/\//, '')
}

export function summarizeProfile (profile: Profile, top = 25): ProfileSummary {
  const byId = new Map(profile.nodes.map(n => [n.id, n]))
  const parent = new Map<number, number>()
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id)
  const self = new Map<number, number>()
  let total = 0
  profile.samples.forEach((id, i) => {
    const dt = (profile.timeDeltas[i] ?? 0) / 1000
    self.set(id, (self.get(id) ?? 0) + dt)
    total += dt
  })
  const fn = new Map<string, number>()
  const groupSelf = new Map<string, number>()
  const groupIncl = new Map<string, number>()
  for (const [id, ms] of self) {
    const node = byId.get(id)
    if (node === undefined) continue
    const { functionName, url, lineNumber } = node.callFrame
    const group = groupOf(url)
    const label = `${functionName === '' ? '(anonymous)' : functionName} ${group}${url === '' ? '' : `:${lineNumber + 1}`}`
    fn.set(label, (fn.get(label) ?? 0) + ms)
    groupSelf.set(group, (groupSelf.get(group) ?? 0) + ms)
    // inclusive: every group on the stack, once
    const seen = new Set<string>()
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const g = groupOf(byId.get(at)?.callFrame.url ?? '')
      if (g === '(native/gc/idle)' || seen.has(g)) continue
      seen.add(g)
      groupIncl.set(g, (groupIncl.get(g) ?? 0) + ms)
    }
  }
  const rows = (m: Map<string, number>): Row[] => [...m].map(([name, ms]) => ({ name, ms, pct: 100 * ms / total }))
    .sort((a, b) => b.ms - a.ms).slice(0, top)
  return { totalMs: total, byFunction: rows(fn), byGroupSelf: rows(groupSelf), byGroupInclusive: rows(groupIncl) }
}

export function formatSummary (s: ProfileSummary): string {
  const table = (title: string, rows: Row[]): string =>
    `${title}\n` + rows.map(r => `  ${r.pct.toFixed(1).padStart(5)}%  ${r.ms.toFixed(0).padStart(7)} ms  ${r.name}`).join('\n')
  return [
    `profile: ${(s.totalMs / 1000).toFixed(1)} s sampled`,
    table('self time by function', s.byFunction),
    table('self time by package / folder', s.byGroupSelf),
    table('inclusive time by package / folder (on the stack)', s.byGroupInclusive)
  ].join('\n\n')
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const file = process.argv[2]
  if (file === undefined) {
    console.error('usage: profile-summary FILE.cpuprofile [top]')
    process.exit(2)
  }
  console.log(formatSummary(summarizeProfile(JSON.parse(readFileSync(file, 'utf8')) as Profile, Number(process.argv[3] ?? 25))))
}
