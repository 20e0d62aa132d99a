/**
 * A LAN on one machine: each host a network namespace with one cable (a
 * veth pair) to one of two switches (bridges), the two switches joined by
 * one more veth pair. Addresses come from a private range used only inside
 * these namespaces. Names carry the test process's pid and a lab number,
 * so labs of different runs never meet.
 *
 * Faults: split the two halves (the link between the switches down),
 * isolate one host (its cable down), and a "bridge host" that both halves
 * still reach while they cannot reach each other (nft input rules on every
 * other host dropping the far half's addresses). Each has its heal.
 *
 * Every host also runs a small relay inside its namespace: a Unix socket
 * (sockets in the file system are shared by all namespaces) forwarded to
 * 127.0.0.1:5001 there, so the test talks to each host's own daemon API
 * from inside that host. Everything is removed by close(), and by a
 * process exit hook if the test never got that far.
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ip, run, runQuietly } from './netns.ts'
import type { ChildProcess } from 'node:child_process'

export type Side = 'left' | 'right'

export interface Host {
  index: number
  /** network namespace name */
  ns: string
  /** IPv4 address on the LAN */
  addr: string
  side: Side
  /** the cable's end on the switch (root namespace) */
  port: string
  /** Unix socket relayed to 127.0.0.1:API_PORT inside the host */
  apiSocket: string
}

/** the daemon API port inside every host (each host has its own loopback) */
export const API_PORT = 5001
export const CHORD_PORT = 4001

/** forwards each connection on a Unix socket to 127.0.0.1:PORT (CommonJS, for node -e) */
const RELAY = `const net = require('node:net'); const [socket, port] = process.argv.slice(1);
net.createServer(c => { const u = net.connect(Number(port), '127.0.0.1'); c.pipe(u); u.pipe(c);
  c.on('error', () => u.destroy()); u.on('error', () => c.destroy()) }).listen(socket, () => console.log('relay ready'))`

let labsMade = 0
const open = new Set<Lab>()
const closeAll = (): void => { for (const lab of open) lab.closeNow() }
process.on('exit', closeAll)
// Ctrl-C or a kill: clean up, then die of the same signal
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    closeAll()
    process.kill(process.pid, signal)
  })
}

export class Lab {
  readonly hosts: Host[] = []
  readonly dir: string
  readonly name: string
  /** processes started inside the hosts, killed by pid on close */
  readonly processes = new Set<ChildProcess>()
  private readonly subnet: string
  private readonly bridges: Record<Side, string>
  /** the link between the two switches, one end on each */
  private readonly trunk: [string, string]
  private readonly firewalled = new Set<Host>()

  private constructor () {
    const n = labsMade++
    this.name = `c${process.pid % 100000}${n}`
    // 10.77–10.126: a second octet per run and lab keeps concurrent labs apart
    this.subnet = `10.${77 + ((process.pid + n) % 50)}.${n % 250}`
    this.bridges = { left: `${this.name}bl`, right: `${this.name}br` }
    this.trunk = [`${this.name}tl`, `${this.name}tr`]
    this.dir = mkdtempSync(join(tmpdir(), 'chord-lan-'))
    open.add(this)
  }

  /** A lab of `count` hosts, the first `left` of them on the left switch */
  static async create (count: number, left = Math.ceil(count / 2)): Promise<Lab> {
    const lab = new Lab()
    try {
      await lab.buildSwitches()
      for (let i = 0; i < count; i++) await lab.addHost(i < left ? 'left' : 'right')
      await Promise.all(lab.hosts.map(async h => { await lab.startRelay(h) }))
    } catch (err) {
      lab.closeNow()
      throw err
    }
    return lab
  }

  side (side: Side): Host[] {
    return this.hosts.filter(h => h.side === side)
  }

  private async buildSwitches (): Promise<void> {
    for (const bridge of Object.values(this.bridges)) {
      await ip('link', 'add', 'name', bridge, 'type', 'bridge')
      // multicast (mDNS) must be flooded to every port, not only to those that joined by IGMP
      await ip('link', 'set', bridge, 'type', 'bridge', 'mcast_snooping', '0')
      await ip('link', 'set', bridge, 'up')
    }
    await ip('link', 'add', this.trunk[0], 'type', 'veth', 'peer', 'name', this.trunk[1])
    await ip('link', 'set', this.trunk[0], 'master', this.bridges.left, 'up')
    await ip('link', 'set', this.trunk[1], 'master', this.bridges.right, 'up')
  }

  private async addHost (side: Side): Promise<void> {
    const index = this.hosts.length
    const ns = `${this.name}-h${index}`
    const port = `${this.name}p${index}`
    const cable = `${this.name}v${index}`
    const addr = `${this.subnet}.${10 + index}`
    const host: Host = { index, ns, addr, side, port, apiSocket: join(this.dir, `h${index}.sock`) }
    this.hosts.push(host)
    await ip('netns', 'add', ns)
    await ip('link', 'add', cable, 'type', 'veth', 'peer', 'name', port)
    await ip('link', 'set', cable, 'netns', ns)
    await ip('-n', ns, 'link', 'set', cable, 'name', 'eth0')
    await ip('-n', ns, 'addr', 'add', `${addr}/24`, 'dev', 'eth0')
    await ip('-n', ns, 'link', 'set', 'eth0', 'up')
    await ip('-n', ns, 'link', 'set', 'lo', 'up')
    await ip('-n', ns, 'route', 'add', '224.0.0.0/4', 'dev', 'eth0')
    await ip('link', 'set', port, 'master', this.bridges[side], 'up')
  }

  /** Start a process inside a host; it is killed by pid when the lab closes */
  spawnIn (host: Host, command: string, args: string[], options: { cwd?: string } = {}): ChildProcess {
    const child = spawn('ip', ['netns', 'exec', host.ns, command, ...args], { cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] })
    this.processes.add(child)
    child.once('exit', () => { this.processes.delete(child) })
    return child
  }

  private async startRelay (host: Host): Promise<void> {
    const relay = this.spawnIn(host, process.execPath, ['-e', RELAY, host.apiSocket, String(API_PORT)])
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => { reject(new Error(`relay in ${host.ns} did not start`)) }, 15_000)
      relay.stdout!.once('data', () => { clearTimeout(timer); resolve() })
      relay.once('exit', code => { clearTimeout(timer); reject(new Error(`relay in ${host.ns} exited ${code}`)) })
    })
  }

  /** Run a command inside a host to completion */
  async exec (host: Host, command: string, args: string[], timeout = 10_000): Promise<string> {
    return run('ip', ['netns', 'exec', host.ns, command, ...args], timeout)
  }

  /** The two halves cannot reach each other (the link between the switches down) */
  async split (): Promise<void> {
    for (const end of this.trunk) await ip('link', 'set', end, 'down')
  }

  async healSplit (): Promise<void> {
    for (const end of this.trunk) await ip('link', 'set', end, 'up')
  }

  /** One host's cable down: it reaches no one, no one reaches it */
  async isolate (host: Host): Promise<void> {
    await ip('link', 'set', host.port, 'down')
  }

  async reconnect (host: Host): Promise<void> {
    await ip('link', 'set', host.port, 'up')
  }

  /**
   * The halves cannot reach each other but both reach `bridge`: every
   * other host drops input from the far half's addresses, except the
   * bridge host's (so TCP, mDNS and everything else between halves fails).
   */
  async bridgeHost (bridge: Host): Promise<void> {
    for (const host of this.hosts) {
      if (host === bridge) continue
      const far = this.hosts.filter(h => h.side !== host.side && h !== bridge).map(h => h.addr)
      if (far.length === 0) continue
      const table = this.table()
      await this.exec(host, 'nft', ['add', 'table', 'inet', table])
      await this.exec(host, 'nft', ['add', 'chain', 'inet', table, 'input', '{ type filter hook input priority 0; }'])
      await this.exec(host, 'nft', ['add', 'rule', 'inet', table, 'input', 'ip', 'saddr', `{ ${far.join(', ')} }`, 'drop'])
      this.firewalled.add(host)
    }
  }

  async healBridgeHost (): Promise<void> {
    for (const host of this.firewalled) await this.exec(host, 'nft', ['delete', 'table', 'inet', this.table()])
    this.firewalled.clear()
  }

  /** Every fault undone: trunk and cables up, no firewall rules */
  async healAll (): Promise<void> {
    await this.healBridgeHost()
    await this.healSplit()
    for (const host of this.hosts) await this.reconnect(host)
  }

  /** Whether a TCP connection from one host to another's address and port opens (within 2 s) */
  async canConnect (from: Host, to: Host, port: number): Promise<boolean> {
    const probe = `const s = require('node:net').connect(${port}, '${to.addr}'); s.setTimeout(2000);
s.on('connect', () => process.exit(0)); s.on('timeout', () => process.exit(1)); s.on('error', () => process.exit(1))`
    try {
      await this.exec(from, process.execPath, ['-e', probe], 15_000)
      return true
    } catch {
      return false
    }
  }

  private table (): string {
    return `${this.name}fw`
  }

  /** Remove everything: processes by pid first, then namespaces, links, files (synchronous: also runs on exit) */
  closeNow (): void {
    for (const child of this.processes) {
      if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
        try { process.kill(child.pid, 'SIGKILL') } catch {}
      }
    }
    this.processes.clear()
    for (const host of this.hosts) runQuietly('ip', ['netns', 'del', host.ns])
    runQuietly('ip', ['link', 'del', this.trunk[0]])
    for (const bridge of Object.values(this.bridges)) runQuietly('ip', ['link', 'del', bridge])
    for (const host of this.hosts) runQuietly('ip', ['link', 'del', host.port])
    rmSync(this.dir, { recursive: true, force: true })
    open.delete(this)
  }

  /** closeNow, after waiting for the killed processes to be gone */
  async close (): Promise<void> {
    const exits = [...this.processes].map(async child => new Promise(resolve => { child.once('exit', resolve) }))
    for (const child of this.processes) child.kill('SIGKILL')
    await Promise.race([Promise.all(exits), new Promise(resolve => setTimeout(resolve, 5_000))])
    this.closeNow()
  }
}
