/**
 * failure: peers crash and the data survives. Six peers hold 200 keys, each
 * on 3 peers; two peers crash at once (no goodbye, no handoff). Every key
 * is still readable, and the survivors re-create the lost copies until each
 * key is on 3 peers again.
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

// a crash: stop without telling anyone and without handing keys over
const crashed = [peers[1], peers[4]]
const lost = copies(crashed)
await Promise.all(crashed.map(async p => {
  p.services.chord.leaveOnStop = false
  await p.stop()
}))
const alive = peers.filter(p => !crashed.includes(p))
console.log(`2 peers crashed, taking ${lost} copies with them; ${copies(alive)} copies left`)

const started = Date.now()
for (let i = 0; i < KEYS; i++) {
  const value = text(await alive[i % alive.length].services.chord.get(`key-${i}`))
  check(value === `value-${i}`, `key-${i} reads ${JSON.stringify(value)} after the crash`)
}
console.log(`all ${KEYS} keys readable right after the crash (${Date.now() - started} ms)`)

await waitForRing(alive)
await waitUntil(() => copies(alive) === KEYS * R, 30_000, 'the lost copies to be re-created')
console.log(`repaired: ${copies(alive)} copies on the 4 survivors, ${((Date.now() - started) / 1000).toFixed(1)} s after the crash`)
await Promise.all(alive.map(async p => {
  p.services.chord.leaveOnStop = false
  await p.stop()
}))
console.log('ok')
