/**
 * browser: a page whose own libp2p node uses the ring in client mode, next
 * to three `chord daemon` processes that listen on WebSockets as well as
 * TCP. This script bundles examples/browser/app.ts with esbuild for the
 * browser, starts the daemons (a new ring in a temporary directory, on
 * 127.0.0.1), serves the page and tells you what to open; the page finds
 * the daemons' WebSockets addresses in config.json. Put a key in the page
 * and read it with `npm run chord -- get KEY --api …`, or the other way
 * round. Ctrl-C stops the daemons and removes the directory.
 *
 *   npm run example:browser                 # the page on http://127.0.0.1:8080/
 *   npm run example:browser -- --port 9000  # another port (0: any free one)
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { build } from 'esbuild'
import { fail, waitUntil } from '../lib.ts'
import type { ChildProcess } from 'node:child_process'

const HERE = fileURLToPath(new URL('.', import.meta.url))
/** `chord` from the sources: the same as `npx chord` after `npm run build` */
const CHORD = [process.execPath, '--import', 'tsx', join(HERE, '../../src/cli/chord.ts')]

const { values } = parseArgs({ options: { port: { type: 'string', default: '8080' }, daemons: { type: 'string', default: '3' } } })
const port = Number(values.port)
const count = Number(values.daemons)
if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`--port must be a port number, got ${values.port}`)
if (!Number.isInteger(count) || count < 1 || count > 16) fail(`--daemons must be 1 to 16, got ${values.daemons}`)

const dir = mkdtempSync(join(tmpdir(), 'chord-browser-'))
const daemons: Array<{ name: string, proc: ChildProcess, output: () => string }> = []
let stopping = false

function cleanUp (): void {
  for (const d of daemons) d.proc.kill('SIGKILL')
  rmSync(dir, { recursive: true, force: true })
}
process.on('exit', cleanUp)

async function startDaemon (name: string, bootstrap: string): Promise<{ api: string, tcp: string, ws: string }> {
  const args = ['daemon', '--listen', '/ip4/127.0.0.1/tcp/0', '--listen', '/ip4/127.0.0.1/tcp/0/ws', '--api', '127.0.0.1:0',
    '--data', join(dir, name), '--bootstrap', bootstrap, '--no-mdns']
  const [node, ...rest] = CHORD
  const proc = spawn(node, [...rest, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  proc.stdout.on('data', (chunk: Buffer) => { output += chunk.toString() })
  proc.stderr.on('data', (chunk: Buffer) => { output += chunk.toString() })
  proc.once('exit', (code) => { if (!stopping) fail(`${name} exited (${code}):\n${output}`) })
  daemons.push({ name, proc, output: () => output })
  await waitUntil(() => /HTTP API on http:\/\/\S+/.test(output) && /listening on \S+\/ws\//.test(output), 30_000, `${name} to listen`)
  return {
    api: /HTTP API on http:\/\/(\S+)/.exec(output)![1],
    tcp: /listening on (\/ip4\/\S+\/tcp\/\d+\/p2p\/\S+)/.exec(output)![1],
    ws: /listening on (\S+\/ws\/p2p\/\S+)/.exec(output)![1]
  }
}

const bundle = await build({
  entryPoints: [join(HERE, 'app.ts')],
  bundle: true,
  platform: 'browser',
  format: 'esm',
  target: 'es2022',
  write: false,
  logLevel: 'warning'
})
const appJs = bundle.outputFiles[0].contents

const empty = join(dir, 'empty-bootstrap.json')
writeFileSync(empty, '{ "peers": [] }\n')
const started: Array<{ api: string, tcp: string, ws: string }> = [await startDaemon('daemon-0', empty)]
started.push(...await Promise.all(Array.from({ length: count - 1 }, async (_, i) => startDaemon(`daemon-${i + 1}`, started[0].tcp))))
await waitUntil(async () => {
  const health = await Promise.all(started.map(async d => fetch(`http://${d.api}/health`).then(r => r.status, () => 0)))
  return health.every(status => status === 200)
}, 60_000, 'every daemon to join the ring')

const files: Record<string, { type: string, body: Uint8Array | string }> = {
  '/': { type: 'text/html; charset=utf-8', body: readFileSync(join(HERE, 'index.html')) },
  '/app.js': { type: 'text/javascript; charset=utf-8', body: appJs },
  '/config.json': { type: 'application/json', body: JSON.stringify({ bootstrap: started.map(d => d.ws) }) }
}
const server = createServer((req, res) => {
  const file = files[new URL(req.url ?? '/', 'http://x').pathname]
  if (req.method !== 'GET' || file === undefined) {
    res.writeHead(404).end('not found')
    return
  }
  res.writeHead(200, { 'content-type': file.type, 'cache-control': 'no-store' }).end(file.body)
})
await new Promise<void>(resolve => { server.listen(port, '127.0.0.1', resolve) })
const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/`

console.log(`${count} daemons in one ring (data in ${dir}):`)
for (const [i, d] of started.entries()) console.log(`  daemon-${i}  API ${d.api}  WebSockets ${d.ws}`)
console.log(`\nopen ${url} in a browser`)
console.log(`put a key there, then: npm run chord -- get KEY --api ${started[1 % count].api}`)
console.log(`or the other way round: npm run chord -- put KEY VALUE --api ${started[0].api}, and Get it in the page`)
console.log('Ctrl-C stops the daemons')

async function stop (): Promise<void> {
  if (stopping) process.exit(1)
  stopping = true
  console.log('stopping the daemons…')
  server.close()
  // one at a time: each hands its keys to the daemons still running (all at
  // once, each would wait for its leave timeout with nobody to take them)
  for (const d of daemons) {
    if (d.proc.exitCode !== null || d.proc.signalCode !== null) continue
    const exited = new Promise(resolve => d.proc.once('exit', resolve))
    d.proc.kill('SIGTERM')
    await exited
  }
  process.exit(0)
}
process.on('SIGINT', () => { void stop() })
process.on('SIGTERM', () => { void stop() })
