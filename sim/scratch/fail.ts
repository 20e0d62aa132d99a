import { failures } from '../experiments/failures.ts'
const n = Number(process.argv[2] ?? 1000)
const r = Math.round(2 * Math.log2(n))
const t0 = performance.now()
const rows = await failures({ seed: 1, n, r, fractions: [0.1, 0.2, 0.3, 0.4, 0.5], lookups: 10000, checkpoints: [5000, 30000] })
for (const row of rows) {
  for (const ph of row.phases) console.log(row.n, row.r, row.p, row.crashed, row.orphaned, ph.after, ph.tally, ph.hops.mean.toFixed(2), ph.hops.p1, ph.hops.p99, ph.timeouts.mean.toFixed(2), ph.timeouts.p1, ph.timeouts.p99)
  console.log('ideal problems', row.idealProblems)
}
console.log(((performance.now() - t0) / 1000).toFixed(1), 's')
