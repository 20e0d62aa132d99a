import { startChordRing, waitForRing, stopRing, ringStates, fingersComplete } from './chord-ring.ts'
import { checkIdeal } from '../test/fixtures/invariants.ts'
for (const n of process.argv.slice(2).map(Number)) {
  const t0 = Date.now()
  const peers = await startChordRing(n, 'mplex')
  const t1 = Date.now()
  const iv = setInterval(() => { const s = ringStates(peers); console.log('  ', ((Date.now()-t1)/1000).toFixed(1), 'problems', checkIdeal(s, 8).length, 'fingers', fingersComplete(s)) }, 2000)
  await waitForRing(peers, 8, 120000)
  clearInterval(iv)
  const t2 = Date.now()
  const c = process.cpuUsage(); await new Promise(r => setTimeout(r, 3000)); const u = process.cpuUsage(c)
  console.log(n, 'start', t1 - t0, 'ideal', t2 - t1, 'idle cpu %', ((u.user + u.system) / 1000 / 3000 * 100).toFixed(1), 'rss MiB', (process.memoryUsage().rss / 2**20).toFixed(0))
  await stopRing(peers)
}
process.exit(0)
