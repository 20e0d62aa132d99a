import { pathLength } from '../experiments/path-length.ts'
const t0 = performance.now()
const rows = await pathLength({ seed: 1, sizes: [8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096], lookups: 10000, r: Number(process.argv[2] ?? 8) })
for (const r of rows) console.log(r.n, r.halfLog2N, r.hops.mean.toFixed(2), r.hops.p1, r.hops.p99, r.hops.max, r.requestsPerLookup.toFixed(2), r.incorrect, r.stabilizeRounds)
console.log(((performance.now() - t0) / 1000).toFixed(1), 's')
