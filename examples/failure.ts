/**
 * failure: peers crash and the data survives. Six peers hold 200 keys, each
 * on 3 peers; two neighbours on the ring crash at once (no goodbye, no
 * handoff), so some keys lose two of their three copies. Every key is still
 * readable at once from the copy left (consistency ONE); the survivors
 * re-create the lost copies until each key is on 3 peers again, and then
 * majority (QUORUM) reads work for every key too.
 *
 *   npm run example:failure
 *
 * Exits non-zero if a key is lost or the copies are not restored.
 */
import { check, copies, startPeers, text, waitForRing, waitUntil } from './lib.ts'

const KEYS = 200
const R = 3

const peers = await startPeers(6)
await waitForRing(peers)
await peers[0].services.chord.putMany(Array.from({ length: KEYS }, (_, i) => ({ key: `key-${i}`, value: `value-${i}` })))
await waitUntil(() => copies(peers) === KEYS * R, 30_000, 'every key on 3 peers')
console.log(`6 peers hold ${KEYS} keys, ${copies(peers)} copies`)

// two neighbours on the ring crash: stop without telling anyone and without handing keys over
const byPosition = [...peers].sort((a, b) => (a.services.chord.id < b.services.chord.id ? -1 : 1))
const crashed = byPosition.slice(1, 3)
const lost = copies(crashed)
await Promise.all(crashed.map(async p => {
  p.services.chord.leaveOnStop = false
  await p.stop()
}))
const alive = peers.filter(p => !crashed.includes(p))
console.log(`2 peers crashed, taking ${lost} copies with them; ${copies(alive)} copies left`)

const started = Date.now()
async function readAll (consistency: 'ONE' | 'QUORUM'): Promise<void> {
  for (let i = 0; i < KEYS; i++) {
    const value = text(await alive[i % alive.length].services.chord.get(`key-${i}`, { consistency }))
    check(value === `value-${i}`, `key-${i} reads ${JSON.stringify(value)} (${consistency})`)
  }
}
await readAll('ONE')
console.log(`all ${KEYS} keys readable right after the crash, from any copy left (${Date.now() - started} ms)`)

await waitForRing(alive)
await waitUntil(() => copies(alive) === KEYS * R, 30_000, 'the lost copies to be re-created')
console.log(`repaired: ${copies(alive)} copies on the 4 survivors, ${((Date.now() - started) / 1000).toFixed(1)} s after the crash`)
await readAll('QUORUM')
console.log(`all ${KEYS} keys readable from a majority of their replicas again`)
await Promise.all(alive.map(async p => {
  p.services.chord.leaveOnStop = false
  await p.stop()
}))
console.log('ok')
