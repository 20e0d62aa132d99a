import { startChordRing, ringStates, stopRing } from './chord-ring.ts'
import { checkIdeal } from '../test/fixtures/invariants.ts'
const n = Number(process.argv[2] ?? 128)
const t0 = Date.now()
const peers = await startChordRing(n, 'mplex')
console.log('started', Date.now() - t0)
for (let i = 0; i < 40; i++) {
  await new Promise(r => setTimeout(r, 2000))
  const joined = peers.filter(p => p.services.chord.joined).length
  const probs = joined === n ? checkIdeal(ringStates(peers), 8) : []
  console.log(((Date.now() - t0) / 1000).toFixed(0), 's joined', joined, 'problems', probs.length, probs.slice(0, 2).join(' | '))
  if (joined === n && probs.length === 0) break
}
await stopRing(peers)
process.exit(0)
