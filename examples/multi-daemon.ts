/**
 * multi-daemon: four `chord daemon` processes on this machine, each with its
 * own ports and data directory, joined through a bootstrap.json naming the
 * first; then the `chord` client commands drive them: put through one
 * daemon's HTTP API, get through another's and straight from a peer over
 * libp2p (--peer), lookup, ring and stats. One daemon is stopped with
 * SIGTERM and hands its keys over; the rest are stopped and the temporary
 * directory removed at the end.
 *
 *   npm run example:daemons
 *
 * Exits non-zero if a command fails or a value does not come back.
 */
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { check, fail, waitUntil } from './lib.ts'
import type { ChildProcess } from 'node:child_process'

/** `chord` from the sources: the same as `npx chord` after `npm run build` */
const CHORD = [process.execPath, '--import', 'tsx', fileURLToPath(new URL('../src/cli/chord.ts', import.meta.url))]
const dir = mkdtempSync(join(tmpdir(), 'chord-daemons-'))
const daemons: Array<{ name: string, proc: ChildProcess, api: string, addr: string, exit: Promise<number | null>, output: () => string }> = []

process.on('exit', () => {
  for (const d of daemons) d.proc.kill('SIGKILL')
  rmSync(dir, { recursive: true, force: true })
})

async function freePort (): Promise<number> {
  const server = createServer()
  await new Promise<void>(resolve => { server.listen(0, '127.0.0.1', resolve) })
  const { port } = server.address() as { port: number }
  await new Promise(resolve => server.close(resolve))
  return port
}

/** Run one client command, print it and its output; fail on an unexpected exit code */
function chord (args: string[], expectedCode = 0): string {
  console.log(`$ chord ${args.join(' ')}`)
  const [node, ...rest] = CHORD
  const result = spawnSync(node, [...rest, ...args], { encoding: 'utf8' })
  if (result.stdout !== '') for (const line of result.stdout.replace(/\n$/, '').split('\n')) console.log(`  ${line}`)
  if (result.status !== expectedCode) fail(`chord ${args.join(' ')} exited ${result.status}: ${result.stderr}`)
  return result.stdout
}

// the first daemon's address goes into bootstrap.json; it finds only itself there and starts the ring
const ports = await Promise.all(Array.from({ length: 8 }, freePort))
const addrOf = (i: number): string => `/ip4/127.0.0.1/tcp/${ports[2 * i]}`
const bootstrap = join(dir, 'bootstrap.json')
writeFileSync(bootstrap, JSON.stringify({ peers: [addrOf(0)] }, null, 2))

for (let i = 0; i < 4; i++) {
  const name = `daemon-${i}`
  const api = `127.0.0.1:${ports[2 * i + 1]}`
  const args = ['daemon', '--listen', addrOf(i), '--api', api, '--data', join(dir, name), '--bootstrap', bootstrap,
    '--no-mdns', '--stabilize', '200', '--sync', '1000']
  const [node, ...rest] = CHORD
  const proc = spawn(node, [...rest, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  proc.stdout.on('data', (chunk: Buffer) => { output += chunk.toString() })
  proc.stderr.on('data', (chunk: Buffer) => { output += chunk.toString() })
  const exit = new Promise<number | null>(resolve => { proc.once('exit', resolve) })
  daemons.push({ name, proc, api, addr: addrOf(i), exit, output: () => output })
  console.log(`started ${name}: chord ${args.join(' ')}`)
  // the first must listen before the others dial it
  if (i === 0) await waitUntil(() => output.includes('started a new ring'), 30_000, `${name} to start the ring`)
}

await waitUntil(async () => {
  const health = await Promise.all(daemons.map(async d => fetch(`http://${d.api}/health`).then(r => r.status, () => 0)))
  return health.every(status => status === 200)
}, 30_000, 'every daemon to join')
console.log('all four daemons joined the ring\n')

const [a, b, c, d] = daemons
chord(['put', 'greeting', 'hello from daemon-0', '--api', a.api])
for (let i = 0; i < 3; i++) chord(['put', `item-${i}`, `value ${i}`, '--api', b.api])
check(chord(['get', 'greeting', '--api', c.api]) === 'hello from daemon-0', 'get through daemon-2')
check(chord(['get', 'greeting', '--peer', d.addr]) === 'hello from daemon-0', 'get through daemon-3 over libp2p')
chord(['lookup', 'greeting', '--api', b.api])
chord(['ring', '--api', c.api])
chord(['stats', '--api', a.api])
chord(['has', 'nothing-here', '--api', a.api], 3)

console.log(`\nstopping ${b.name} with SIGTERM`)
b.proc.kill('SIGTERM')
check(await b.exit === 0, `${b.name} did not exit 0`)
const left = /left the ring: handed over \d+ keys?/.exec(b.output())
check(left !== null, `${b.name} did not report its handoff:\n${b.output()}`)
console.log(`  ${b.name}: ${left![0]}`)
for (let i = 0; i < 3; i++) check(chord(['get', `item-${i}`, '--api', c.api]) === `value ${i}`, `item-${i} after the leave`)

console.log('\nstopping the others')
for (const daemon of [a, c, d]) {
  daemon.proc.kill('SIGTERM')
  check(await daemon.exit === 0, `${daemon.name} did not exit 0`)
}
daemons.length = 0
console.log('ok')
