/**
 * What the daemon tells its operator: ring membership, neighbour changes,
 * and records moved to or from other peers. Transfers arrive as one event
 * per batch; they are summed per peer and reason and logged once a burst is
 * over, so a handoff of 10 000 keys is one line, not forty.
 */
import { describeNode } from '../index.ts'
import { formatDuration, percent } from './progress.ts'
import type { Progress } from './progress.ts'
import type { Chord, TransferProgress } from '../index.ts'

export type LogLine = (line: string) => void

/** how long a transfer burst may pause before it is logged, ms */
const QUIET = 500

export function timestamped (write: (text: string) => void = text => { process.stdout.write(text) }): LogLine {
  return line => { write(`${new Date().toISOString()} ${line}\n`) }
}

export function shortPeer (peer: string): string {
  return `…${peer.slice(-8)}`
}

/** "1 key", "2 keys" */
export function count (n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`
}

export function formatBytes (bytes: number): string {
  if (bytes < 1024) return `${bytes} B`
  const units = ['KiB', 'MiB', 'GiB', 'TiB']
  let value = bytes / 1024
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  return `${value.toFixed(1)} ${units[unit]}`
}

const WHY: Record<TransferProgress['reason'], string> = {
  sync: 'replica sync',
  handoff: 'handoff',
  leave: 'leaving'
}

/** Log the service's events; returns a function that writes out transfers still being summed */
export function logChordEvents (chord: Chord, log: LogLine): () => void {
  chord.addEventListener('ring:joined', ({ detail }) => {
    log(detail.via === undefined ? 'started a new ring' : `joined the ring through ${detail.via}`)
  })
  chord.addEventListener('successor:change', ({ detail }) => {
    log(`position ${detail.vnode}: successor is now ${describeNode(detail.current)}`)
  })
  chord.addEventListener('predecessor:change', ({ detail }) => {
    log(`position ${detail.vnode}: predecessor is now ${describeNode(detail.current)}`)
  })

  const pending = new Map<string, TransferProgress>()
  let timer: ReturnType<typeof setTimeout> | undefined
  const flush = (): void => {
    clearTimeout(timer)
    timer = undefined
    for (const t of pending.values()) {
      const what = `${count(t.keys, 'key')} (${formatBytes(t.bytes)})`
      log(t.direction === 'push'
        ? `handed ${what} to ${shortPeer(t.peer)} (${WHY[t.reason]})`
        : `received ${what} from ${shortPeer(t.peer)} (${WHY[t.reason]})`)
    }
    pending.clear()
  }
  chord.addEventListener('transfer:progress', ({ detail }) => {
    const key = `${detail.peer} ${detail.direction} ${detail.reason}`
    const sum = pending.get(key)
    if (sum === undefined) pending.set(key, { ...detail })
    else {
      sum.keys += detail.keys
      sum.bytes += detail.bytes
    }
    clearTimeout(timer)
    timer = setTimeout(flush, QUIET)
  })
  chord.addEventListener('ring:left', ({ detail }) => {
    flush()
    log(`left the ring: handed over ${count(detail.handed, 'key')}` +
      (detail.remaining > 0 ? `; ${detail.remaining} could not be handed over and stay in the data directory` : ''))
  })
  return flush
}

/**
 * While a graceful leave hands `total` keys over: the share gone from this
 * peer so far (each key is dropped once every new replica acknowledged
 * it), as a status line. Returns the function that ends it.
 */
export function watchLeave (chord: Chord, total: number, progress: Progress, every = 250): () => void {
  const started = Date.now()
  let bytes = 0
  const onTransfer = ({ detail }: CustomEvent<TransferProgress>): void => {
    if (detail.reason === 'leave' && detail.direction === 'push') bytes += detail.bytes
  }
  const timer = setInterval(() => {
    const { keys, tombstones } = chord.storeStats()
    const handed = Math.max(0, total - keys - tombstones)
    progress.update(`leaving: handed over ${handed} of ${count(total, 'key')} (${percent(handed / total)}), ${formatBytes(bytes)} sent, ${formatDuration(Date.now() - started)}`)
  }, every)
  const stop = (): void => {
    clearInterval(timer)
    chord.removeEventListener('transfer:progress', onTransfer)
    chord.removeEventListener('ring:left', stop)
    progress.done()
  }
  chord.addEventListener('transfer:progress', onTransfer)
  // the leave's own summary line follows
  chord.addEventListener('ring:left', stop)
  return stop
}

/** Log when the disk starts refusing writes and when it takes them again; returns the unwatch */
export function watchStorage (chord: Chord, log: LogLine, interval = 1000): () => void {
  let writable = true
  const timer = setInterval(() => {
    const { writable: now, problem } = chord.storeStats()
    if (now === writable) return
    writable = now
    log(now ? 'storage: writes are stored again' : `storage: cannot store writes (reads go on): ${problem ?? 'unknown problem'}`)
  }, interval)
  timer.unref()
  return () => { clearInterval(timer) }
}
