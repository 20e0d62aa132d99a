/**
 * What each host sees of the ring: its daemon walks the ring over the
 * network (`GET /ring?peers=true`), and from the /ring answers it collected
 * we follow first successors from the host itself until they close a
 * cycle. One ring of N: that cycle has all N peers, from every host.
 */
import { hostApi, poll } from './lab-daemon.ts'
import type { Host } from './lab.ts'
import type { RingJson } from '../../src/api/index.ts'

interface WalkJson extends RingJson {
  peers: Array<{ peer: string, ring?: RingJson, error?: string }>
}

export interface RingView {
  host: Host
  joined: boolean
  /** peers on the successor cycle from this host, itself first */
  cycle: string[]
  error?: string
}

/** The successor cycle seen from `host` */
export async function ringView (host: Host): Promise<RingView> {
  try {
    const reply = await hostApi(host, 'GET', '/ring?peers=true', undefined, 15_000)
    if (reply.status !== 200) return { host, joined: false, cycle: [], error: `HTTP ${reply.status}` }
    const walk = JSON.parse(reply.text) as WalkJson
    const rings = new Map<string, RingJson>(walk.peers.flatMap(p => p.ring === undefined ? [] : [[p.peer, p.ring]]))
    rings.set(walk.peer, walk)
    const cycle: string[] = []
    for (let at: string | undefined = walk.peer; at !== undefined && !cycle.includes(at);) {
      cycle.push(at)
      at = rings.get(at)?.positions[0]?.successors[0]?.peer
    }
    return { host, joined: walk.joined, cycle }
  } catch (err) {
    return { host, joined: false, cycle: [], error: (err as Error).message }
  }
}

/** Every host a member, and the successor cycle from each holds exactly `peers` */
export function isOneRing (views: RingView[], peers: string[]): boolean {
  const want = [...peers].sort().join()
  return views.every(v => v.joined && [...v.cycle].sort().join() === want)
}

/** "h0 3/6, h1 3/6, …": peers found on the cycle from each host */
export function describeViews (views: RingView[], total: number): string {
  return views.map(v => `h${v.host.index} ${v.cycle.length}/${total}${v.joined ? '' : ' (not joined)'}${v.error === undefined ? '' : ` (${v.error})`}`).join(', ')
}

/**
 * Wait until the hosts form one ring of exactly `peers`; the ms it took.
 * Fails after `bound` ms naming how many peers each host's walk found.
 */
export async function waitOneRing (hosts: Host[], peers: string[], bound: number, what = 'one ring'): Promise<number> {
  let last: RingView[] = []
  try {
    return await poll(async () => {
      last = await Promise.all(hosts.map(ringView))
      return isOneRing(last, peers)
    }, bound, what, 500)
  } catch {
    const most = Math.max(0, ...last.map(v => v.cycle.length))
    throw new Error(`${what} not reached within ${bound} ms: ring walk found at most ${most} of ${peers.length} peers (${describeViews(last, peers.length)})`)
  }
}
