/**
 * Every write a scenario made, with the version the API acknowledged, and
 * the check that every acknowledged key reads back its final value through
 * every host. The final value of a key is the acknowledged write with the
 * highest version (last-writer-wins on (HLC, writer)); a write that failed
 * may have taken effect, so its value is accepted too, and counted.
 */
import { compareVersions } from '../../src/store/record.ts'
import { hostApi, poll } from './lab-daemon.ts'
import type { Host } from './lab.ts'
import type { Version } from '../../src/index.ts'

export interface Attempt {
  key: string
  value: string
  host: number
  ok: boolean
  version?: Version
  error?: string
}

export interface WrongRead {
  key: string
  host: number
  got: string
  want: string
}

export class Ledger {
  readonly attempts: Attempt[] = []
  private serial = 0

  /** Write `key` through `host` (a fresh value each attempt), retrying for up to `patience` ms; whether it was acknowledged */
  async put (host: Host, key: string, patience = 15_000): Promise<boolean> {
    const start = Date.now()
    for (;;) {
      const value = `${key}@h${host.index}#${++this.serial}`
      const attempt: Attempt = { key, value, host: host.index, ok: false }
      this.attempts.push(attempt)
      try {
        const reply = await hostApi(host, 'PUT', `/keys/${encodeURIComponent(key)}`, value, 10_000)
        if (reply.status === 200) {
          attempt.ok = true
          attempt.version = (JSON.parse(reply.text) as { version: Version }).version
          return true
        }
        attempt.error = `HTTP ${reply.status} ${reply.text.slice(0, 120)}`
      } catch (err) {
        attempt.error = (err as Error).message
      }
      if (Date.now() - start > patience) return false
      await new Promise(resolve => setTimeout(resolve, 500))
    }
  }

  /** Write each key through hosts taken in turn, a few at a time; how many were acknowledged */
  async putAll (hosts: Host[], keys: string[], parallel = 4): Promise<number> {
    let next = 0
    let acked = 0
    await Promise.all(Array.from({ length: parallel }, async () => {
      for (let i = next++; i < keys.length; i = next++) {
        if (await this.put(hosts[i % hosts.length], keys[i])) acked++
      }
    }))
    return acked
  }

  /** keys with at least one acknowledged write */
  keys (): string[] {
    return [...new Set(this.attempts.filter(a => a.ok).map(a => a.key))]
  }

  /** The acknowledged write of `key` with the highest version */
  final (key: string): Attempt | undefined {
    return this.attempts.filter(a => a.key === key && a.ok)
      .reduce<Attempt | undefined>((best, a) => (best === undefined || compareVersions(a.version!, best.version!) > 0 ? a : best), undefined)
  }

  /** Writes acknowledged on one side whose value the other side's later write (higher version) replaced */
  superseded (): number {
    return this.keys().reduce((n, key) => n + this.attempts.filter(a => a.key === key && a.ok && a !== this.final(key)).length, 0)
  }

  /** Read every acknowledged key through every host; the reads that did not return the final value */
  async wrongReads (hosts: Host[], parallel = 12): Promise<WrongRead[]> {
    const jobs = this.keys().flatMap(key => hosts.map(host => ({ key, host })))
    const wrong: WrongRead[] = []
    let next = 0
    await Promise.all(Array.from({ length: parallel }, async () => {
      for (let i = next++; i < jobs.length; i = next++) {
        const { key, host } = jobs[i]
        const want = this.final(key)!.value
        const got = await readKey(host, key)
        const failedWrite = this.attempts.some(a => a.key === key && !a.ok && a.value === got)
        if (got !== want && !failedWrite) wrong.push({ key, host: host.index, got, want })
      }
    }))
    return wrong
  }

  /**
   * Wait until every acknowledged key reads back its final value through
   * every host; the ms it took. Fails after `bound` ms with the count of
   * wrong reads and examples.
   */
  async waitReadBack (hosts: Host[], bound: number): Promise<number> {
    let last: WrongRead[] = []
    const total = this.keys().length * hosts.length
    try {
      return await poll(async () => {
        last = await this.wrongReads(hosts)
        return last.length === 0
      }, bound, 'every key to read back', 1_000)
    } catch {
      const examples = last.slice(0, 4).map(w => `${w.key} via h${w.host}: ${w.got}, want ${w.want}`).join('; ')
      throw new Error(`after ${bound} ms, ${last.length} of ${total} reads (${this.keys().length} keys × ${hosts.length} hosts) did not return the final value, e.g. ${examples}`)
    }
  }
}

/** A key whose replica set does not all hold its final version, as a lookup through a host saw it */
export interface Misplaced {
  key: string
  host: number
  replicas: string[]
}

/**
 * Ask a lookup of every acknowledged key (through the hosts in turn) what
 * each replica holds: the keys whose r replicas do not all hold the final
 * version (or a later one a failed write left)
 */
export async function misplacedKeys (ledger: Ledger, hosts: Host[], replicas: number, parallel = 8): Promise<Misplaced[]> {
  const keys = ledger.keys()
  const out: Misplaced[] = []
  let next = 0
  await Promise.all(Array.from({ length: parallel }, async () => {
    for (let i = next++; i < keys.length; i = next++) {
      const key = keys[i]
      const host = hosts[i % hosts.length]
      const final = ledger.final(key)!.version!
      const seen = await lookupVersions(host, key)
      const ok = seen !== undefined && seen.length === replicas && seen.every(v => v !== undefined && compareVersions(v, final) >= 0) &&
        seen.every(v => compareVersions(v!, seen[0]!) === 0)
      if (!ok) out.push({ key, host: host.index, replicas: (seen ?? []).map(v => v === undefined ? 'none' : `${v.wallTime}.${v.logical}`) })
    }
  }))
  return out
}

/** The version each replica of `key` holds, as a lookup through `host` reports them; undefined when the lookup failed */
async function lookupVersions (host: Host, key: string): Promise<Array<Version | undefined> | undefined> {
  try {
    const reply = await hostApi(host, 'GET', `/keys/${encodeURIComponent(key)}/lookup`, undefined, 10_000)
    if (reply.status !== 200) return undefined
    const { replicas } = JSON.parse(reply.text) as { replicas: Array<{ version?: Version, error?: string }> }
    return replicas.map(r => r.error === undefined ? r.version : undefined)
  } catch {
    return undefined
  }
}

/** The value of `key` read through `host`: its text, "absent", or "error: …" */
export async function readKey (host: Host, key: string): Promise<string> {
  try {
    const reply = await hostApi(host, 'GET', `/keys/${encodeURIComponent(key)}`, undefined, 10_000)
    if (reply.status === 200) return reply.text
    if (reply.status === 404) return 'absent'
    return `error: HTTP ${reply.status}`
  } catch (err) {
    return `error: ${(err as Error).message}`
  }
}
