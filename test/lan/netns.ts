/**
 * The few system commands a LAN lab needs (iproute2, nft, sysfs), run as
 * separate processes with a timeout each, and the check whether this
 * machine can build such a lab at all (root, `ip netns add` works, nft).
 */
import { execFile, execFileSync } from 'node:child_process'

/** Run a command to completion; reject with its stderr when it fails */
export async function run (command: string, args: string[], timeout = 10_000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { timeout }, (err, stdout, stderr) => {
      if (err !== null) reject(new Error(`${command} ${args.join(' ')}: ${stderr.trim() || err.message}`))
      else resolve(stdout)
    })
  })
}

export const ip = async (...args: string[]): Promise<string> => run('ip', args)

/** Run a command and ignore a failure: for cleanup, where a part may already be gone */
export function runQuietly (command: string, args: string[]): void {
  try {
    execFileSync(command, args, { stdio: 'ignore', timeout: 10_000 })
  } catch {}
}

let availability: Promise<string | undefined> | undefined
/** the skip is said once per run, not once per suite */
let skipNoted = false

/**
 * Why this machine cannot host a LAN lab, or undefined when it can:
 * network namespaces need root, and the bridge-host fault needs nft.
 */
export async function labUnavailable (): Promise<string | undefined> {
  availability ??= (async () => {
    if (process.platform !== 'linux') return 'not Linux'
    if (process.getuid?.() !== 0) return 'not root'
    const probe = `clprobe${process.pid}`
    try {
      await ip('netns', 'add', probe)
    } catch (err) {
      return `ip netns add fails (${(err as Error).message})`
    } finally {
      runQuietly('ip', ['netns', 'del', probe])
    }
    try {
      await run('nft', ['--version'])
    } catch {
      return 'nft is missing (apt-get install nftables)'
    }
    return undefined
  })()
  return availability
}

/**
 * Call in a describe()'s before(): skip the suite with one line when the
 * machine cannot host a lab, except under CI, where the lab must run.
 */
export async function requireLab (context: Mocha.Context, suite: string): Promise<void> {
  const why = await labUnavailable()
  if (why === undefined) return
  if (process.env.CI === 'true') throw new Error(`${suite}: the LAN lab must run under CI, but ${why}`)
  if (!skipNoted) console.log(`      skipping the LAN lab tests (test/lan/): no LAN lab on this machine (${why}; they need root, ip netns and nft)`)
  skipNoted = true
  context.skip()
}
