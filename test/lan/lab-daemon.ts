/**
 * Real `chord daemon` processes on the hosts of a lab (bin/chord.js, so
 * dist/ must be built: `npm run build`), and HTTP requests to a host's own
 * API, made through that host's relay.
 */
import { existsSync } from 'node:fs'
import { mkdir, rm, writeFile } from 'node:fs/promises'
import { request } from 'node:http'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { API_PORT, CHORD_PORT } from './lab.ts'
import type { Host, Lab } from './lab.ts'
import type { ChildProcess } from 'node:child_process'

export const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const BIN = join(ROOT, 'bin/chord.js')

export interface DaemonConfig {
  /** multiaddrs to join through; empty: a new ring (or mDNS peers, with mdns) */
  bootstrap: string[]
  mdns?: boolean
  /** PSK file: a private ring */
  psk?: string
  /** more daemon options, e.g. ['--stabilize', '250', '--sync', '1000'] */
  args?: string[]
}

export interface LanDaemon {
  host: Host
  proc: ChildProcess
  peer: string
  /** its listen address with /p2p/ */
  addr: string
  output(): string
  exited: Promise<unknown>
}

export interface Reply {
  status: number
  text: string
}

/** One HTTP request to the daemon API inside `host` */
export async function hostApi (host: Host, method: string, path: string, body?: string, timeout = 20_000): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath: host.apiSocket, method, path, headers: { host: `127.0.0.1:${API_PORT}` }, timeout }, res => {
      let text = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => { text += chunk })
      res.on('end', () => { resolve({ status: res.statusCode ?? 0, text }) })
      res.on('error', reject)
    })
    req.on('timeout', () => { req.destroy(new Error(`${method} ${path} on h${host.index}: no answer in ${timeout} ms`)) })
    req.on('error', reject)
    req.end(body)
  })
}

/** Start a daemon on `host` with a fresh data directory; resolves once its API answers */
export async function startDaemon (lab: Lab, host: Host, config: DaemonConfig): Promise<LanDaemon> {
  if (!existsSync(join(ROOT, 'dist/src/cli/chord.js'))) throw new Error('bin/chord.js runs dist/: run `npm run build` first')
  const data = join(lab.dir, `data-h${host.index}`)
  await rm(data, { recursive: true, force: true })
  await mkdir(data, { recursive: true })
  const empty = join(lab.dir, 'no-peers.json')
  await writeFile(empty, '{ "peers": [] }\n')
  const bootstrap = config.bootstrap.length === 0 ? [empty] : config.bootstrap
  const args = [
    BIN, 'daemon', '--listen', `/ip4/${host.addr}/tcp/${CHORD_PORT}`, '--data', data, '--api', `127.0.0.1:${API_PORT}`,
    ...(config.mdns === true ? [] : ['--no-mdns']),
    ...bootstrap.flatMap(b => ['--bootstrap', b]),
    ...(config.psk === undefined ? [] : ['--psk', config.psk]),
    ...(config.args ?? [])
  ]
  const proc = lab.spawnIn(host, process.execPath, args, { cwd: ROOT })
  let output = ''
  proc.stdout!.on('data', (chunk: Buffer) => { output += chunk.toString() })
  proc.stderr!.on('data', (chunk: Buffer) => { output += chunk.toString() })
  const exited = new Promise(resolve => { proc.once('exit', resolve) })
  const ready = /HTTP API on http:\/\//
  await Promise.race([
    poll(() => ready.test(output), 30_000, `the daemon on h${host.index} to serve its API`),
    exited.then(() => { throw new Error(`daemon on h${host.index} exited before it was ready:\n${output}`) })
  ])
  return {
    host,
    proc,
    peer: /^\S+ peer (\S+)$/m.exec(output)![1],
    addr: /listening on (\S+)/.exec(output)![1],
    output: () => output,
    exited
  }
}

/** Run a client command (`chord ARGS --api 127.0.0.1:5001`) inside `host`, against that host's daemon; its stdout */
export async function chordCli (lab: Lab, host: Host, args: string[]): Promise<string> {
  return lab.exec(host, process.execPath, [BIN, ...args, '--api', `127.0.0.1:${API_PORT}`], 40_000)
}

/** SIGKILL a daemon by its pid and wait until it is gone */
export async function stopDaemon (daemon: LanDaemon): Promise<void> {
  if (daemon.proc.exitCode !== null || daemon.proc.signalCode !== null) return
  daemon.proc.kill('SIGKILL')
  await daemon.exited
}

/** Whether the daemon says it is a ring member (GET /health) */
export async function joined (host: Host): Promise<boolean> {
  try {
    return (await hostApi(host, 'GET', '/health', undefined, 5_000)).status === 200
  } catch {
    return false
  }
}

/** Poll `check` until it holds; throw naming `what` after `timeout` ms */
export async function poll (check: () => boolean | Promise<boolean>, timeout: number, what: string | (() => string), interval = 250): Promise<number> {
  const start = Date.now()
  for (;;) {
    if (await check()) return Date.now() - start
    if (Date.now() - start > timeout) throw new Error(`timed out after ${timeout} ms waiting for ${typeof what === 'string' ? what : what()}`)
    await new Promise(resolve => setTimeout(resolve, interval))
  }
}

/**
 * Daemons on `hosts` forming one ring the ordinary way: the first starts a
 * ring, the others join through it (mDNS off). Resolves once each is a member.
 */
export async function startRing (lab: Lab, hosts: Host[], args: string[] = []): Promise<LanDaemon[]> {
  const first = await startDaemon(lab, hosts[0], { bootstrap: [], args })
  await poll(async () => joined(hosts[0]), 30_000, `h${hosts[0].index} to start a ring`)
  const rest = await Promise.all(hosts.slice(1).map(async h => startDaemon(lab, h, { bootstrap: [first.addr], args })))
  await Promise.all(hosts.map(async h => poll(async () => joined(h), 60_000, `h${h.index} to join`)))
  return [first, ...rest]
}
