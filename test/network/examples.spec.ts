/**
 * Every script in examples/ runs to completion: each asserts its own
 * outcome and exits non-zero on failure, so exit 0 and its final "ok" are
 * the test.
 */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { ROOT, TSX } from '../fixtures/daemons.ts'

const EXAMPLES: Array<{ script: string, args?: string[], shows: RegExp }> = [
  { script: 'quickstart.ts', shows: /read all 20 back through each of the 5 peers/ },
  { script: 'join-leave.ts', shows: /it handed over \d+ keys \(0 left behind\)/ },
  { script: 'failure.ts', shows: /all 200 keys readable right after the crash/ },
  { script: 'embedding.ts', shows: /bob resolved \S+ to https:\/\/github\.com\/libp2p\/js-libp2p/ },
  { script: 'client-mode.ts', shows: /no member has the app as successor, predecessor or finger; it holds 0 records/ },
  { script: 'multi-daemon.ts', shows: /daemon-1: left the ring: handed over \d+ keys?/ },
  // the hops figure with a small ring, to keep the suite fast
  { script: 'ring-hops.ts', args: ['8'], shows: /mean hops/ }
]

async function run (script: string, args: string[]): Promise<{ code: number | null, output: string }> {
  const [node, ...nodeArgs] = TSX
  const child = spawn(node, [...nodeArgs, join(ROOT, 'examples', script), ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  child.stdout.on('data', (chunk: Buffer) => { output += chunk.toString() })
  child.stderr.on('data', (chunk: Buffer) => { output += chunk.toString() })
  const timer = setTimeout(() => { child.kill('SIGKILL') }, 90_000)
  const code = await new Promise<number | null>(resolve => { child.once('exit', resolve) })
  clearTimeout(timer)
  return { code, output }
}

describe('examples', function () {
  this.timeout(100_000)
  for (const { script, args = [], shows } of EXAMPLES) {
    it(`${script} runs to completion`, async () => {
      const { code, output } = await run(script, args)
      assert.equal(code, 0, output)
      assert.match(output, shows)
      if (script !== 'ring-hops.ts') assert.match(output, /^ok$/m)
    })
  }
})
