import { Cluster } from '../cluster.ts'
import { grow } from '../build.ts'
const n = Number(process.argv[2] ?? 256)
const c = new Cluster({ seed: 1, r: 8 })
const t0 = performance.now()
const steps = await grow(c, n, { at: [16, 64, 256, 1024, 4096], visit: async (s) => { console.log(s, ((performance.now() - t0) / 1000).toFixed(1), 's', c.scheduler.processed, 'events', c.scheduler.now(), 'ms virtual', JSON.stringify(c.network.sent)) } })
console.log(steps)
