/**
 * No timer, socket or stream outlives the peers: a process that runs a ring
 * (joins, writes, reads, a graceful leave, a crash, the stop) exits by
 * itself at once, and holds no more sockets, pipes or other handles than it
 * started with. A few timers do show right after the stop: libp2p's own
 * (AddressManager's debounce, AbortSignal.timeout in its registrar and dial
 * queue), none of which keeps the process alive — the prompt exit shows it.
 * mocha itself runs without --exit, so `npm test` finishing checks the same
 * for the whole suite.
 */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const SCRIPT = fileURLToPath(new URL('../fixtures/ring-lifecycle.ts', import.meta.url))

/** resource type → how many more of it `after` has than `before` */
function grown (before: string[], after: string[]): Record<string, number> {
  const count = (list: string[]): Map<string, number> => list.reduce((m, type) => m.set(type, (m.get(type) ?? 0) + 1), new Map<string, number>())
  const was = count(before)
  return Object.fromEntries([...count(after)].filter(([type, n]) => n > (was.get(type) ?? 0)).map(([type, n]) => [type, n - (was.get(type) ?? 0)]))
}

describe('resources after the peers stop', function () {
  this.timeout(60_000)

  it('a process that ran a ring exits by itself, nothing left active', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', SCRIPT], { stdio: ['ignore', 'pipe', 'inherit'] })
    let output = ''
    child.stdout.on('data', (chunk: Buffer) => { output += chunk.toString() })
    const exited = new Promise<number | null>(resolve => { child.once('exit', code => { resolve(code) }) })
    // once its peers stopped, the process gets 3 s to exit
    let timer: NodeJS.Timeout | undefined
    const stuck = new Promise<'stuck'>(resolve => {
      const poll = setInterval(() => {
        if (!output.includes('"after"')) return
        clearInterval(poll)
        timer = setTimeout(resolve, 3000, 'stuck')
      }, 50)
      void exited.then(() => { clearInterval(poll) })
    })
    let outcome: number | null | 'stuck'
    try {
      outcome = await Promise.race([exited, stuck])
    } finally {
      clearTimeout(timer)
      // stuck, or this test timed out
      if (child.exitCode === null) child.kill('SIGKILL')
    }
    const report = JSON.parse(output.trim().split('\n').at(-1) ?? '{}') as { before?: string[], after?: string[] }
    assert.ok(report.before !== undefined && report.after !== undefined, `no report from the ring process: ${output}`)
    const { Timeout, ...handles } = grown(report.before, report.after)
    assert.deepEqual(handles, {}, `resources still active after every peer stopped (and ${Timeout ?? 0} timers)`)
    assert.equal(outcome, 0, 'the process did not exit by itself after its peers stopped')
  })
})
