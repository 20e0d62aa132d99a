/**
 * Progress lines (src/cli/progress.ts) on a pretend terminal and off one,
 * and the daemon's leave watcher: what an operator sees while keys are
 * handed over.
 */
import assert from 'node:assert/strict'
import { TypedEventEmitter } from '@libp2p/interface'
import { watchLeave } from '../../src/cli/daemon-log.ts'
import { Progress, progressMode } from '../../src/cli/progress.ts'
import { waitFor } from '../../harness/peers.ts'
import type { Chord, ChordEvents, StoreStats } from '../../src/index.ts'

const CLEAR = '\r\x1b[2K'

function stream (isTTY: boolean, columns = 40): { isTTY: boolean, columns: number, written: string[], write(text: string): void } {
  const written: string[] = []
  return { isTTY, columns, written, write: (text: string) => { written.push(text) } }
}

describe('progress', () => {
  it('is shown on a terminal, and off one only when asked', () => {
    assert.equal(progressMode(stream(true), undefined), 'tty')
    assert.equal(progressMode(stream(true), false), 'off')
    assert.equal(progressMode(stream(false), undefined), 'off')
    assert.equal(progressMode(stream(false), true), 'lines')
  })

  it('redraws one status line in place on a terminal, around other output', () => {
    const out = stream(true, 20)
    const progress = new Progress({ stream: out, mode: 'tty', interval: 60_000 })
    progress.update('step 1')
    progress.update('step 2') // within the interval: kept, not drawn
    assert.deepEqual(out.written, [`${CLEAR}step 1`])
    progress.print('a log line\n')
    assert.deepEqual(out.written.slice(1), [`${CLEAR}a log line\n`, `${CLEAR}step 2`])
    const wide = new Progress({ stream: out, mode: 'tty' })
    wide.update('x'.repeat(50))
    assert.equal(out.written.at(-1), `${CLEAR}${'x'.repeat(18)}…`)
    progress.done()
    assert.equal(out.written.at(-1), CLEAR)
    progress.print('after\n')
    assert.equal(out.written.at(-1), 'after\n')
  })

  it('writes plain lines off a terminal, no more often than its interval', () => {
    const out = stream(false)
    const progress = new Progress({ stream: out, mode: 'lines', interval: 60_000 })
    progress.update('1%')
    progress.update('50%')
    assert.deepEqual(out.written, [])
    progress.done()
    assert.deepEqual(out.written, ['50%\n'])
    const off = new Progress({ stream: out, mode: 'off' })
    off.update('never')
    off.done()
    assert.deepEqual(out.written, ['50%\n'])
  })

  it('follows a daemon\'s leave by the keys gone from its store', async () => {
    const stats: StoreStats = { keys: 90, tombstones: 10, bytes: 0, writable: true, failedWrites: 0 }
    const chord = Object.assign(new TypedEventEmitter<ChordEvents>(), { storeStats: () => ({ ...stats }) }) as unknown as Chord
    const lines: string[] = []
    const progress = new Progress({ stream: stream(false), mode: 'lines', interval: 0, line: text => { lines.push(text) } })
    const stop = watchLeave(chord, 100, progress, 10)
    stats.keys = 35
    stats.tombstones = 5
    chord.dispatchEvent(new CustomEvent('transfer:progress', { detail: { peer: 'p', direction: 'push', reason: 'leave', keys: 60, bytes: 2048 } }))
    await waitFor(() => lines.some(l => l.startsWith('leaving: handed over 60 of 100 keys (60%), 2.0 KiB sent')), 2000, () => `saw ${lines.join('; ')}`)
    stop()
    const seen = lines.length
    await new Promise(resolve => setTimeout(resolve, 50))
    assert.equal(lines.length, seen, 'stopped')
  })
})
