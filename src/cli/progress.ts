/**
 * Progress of long operations (import, export, a daemon's leave). On a
 * terminal: one status line redrawn in place, at most ten times a second,
 * that other output clears and redraws around. Elsewhere (a pipe, a file, a
 * service manager's log) nothing by default, so scripts and logs stay
 * clean; 'lines' mode writes plain lines instead, no more often than its
 * interval, for those who ask (--progress) and for long leaves in a log.
 */

export type ProgressMode = 'tty' | 'lines' | 'off'

export interface ProgressStream {
  isTTY?: boolean
  columns?: number
  write(text: string): unknown
}

export interface ProgressInit {
  stream: ProgressStream
  mode: ProgressMode
  /** ms between updates shown: default 100 on a terminal, 1000 as lines */
  interval?: number
  /** how a status is written in 'lines' mode (default: the text and a newline) */
  line?(text: string): void
  /** 'lines' mode: write the last status at done() if it was not written yet (default true) */
  flush?: boolean
}

/** On a terminal, progress; elsewhere only when asked: --progress (true) or --no-progress (false) */
export function progressMode (stream: ProgressStream, asked: boolean | undefined): ProgressMode {
  if (asked === false) return 'off'
  if (stream.isTTY === true) return 'tty'
  return asked === true ? 'lines' : 'off'
}

const CLEAR = '\r\x1b[2K'

export class Progress {
  readonly mode: ProgressMode
  private readonly stream: ProgressStream
  private readonly interval: number
  private readonly line: (text: string) => void
  private readonly flush: boolean
  /** the status on screen (tty) or waiting to be written (lines) */
  private status: string | undefined
  private shown = false
  private last: number

  constructor (init: ProgressInit) {
    this.mode = init.mode
    this.stream = init.stream
    this.interval = init.interval ?? (init.mode === 'tty' ? 100 : 1000)
    this.line = init.line ?? (text => { this.stream.write(text + '\n') })
    this.flush = init.flush ?? true
    // a terminal shows the first status at once; lines wait an interval, so short operations print none
    this.last = init.mode === 'tty' ? 0 : Date.now()
  }

  /** The current status; shown if the interval has passed since the last one */
  update (text: string): void {
    if (this.mode === 'off') return
    this.status = text
    const now = Date.now()
    if (now - this.last < this.interval) return
    this.last = now
    if (this.mode === 'tty') this.draw()
    else {
      this.line(text)
      this.status = undefined
    }
  }

  /** Other output, written without garbling the status line */
  print (text: string): void {
    if (this.mode !== 'tty' || !this.shown) {
      this.stream.write(text)
      return
    }
    this.stream.write(CLEAR + text)
    this.draw()
  }

  /** The operation is over: remove the status line (or write the last status, as lines) */
  done (): void {
    if (this.mode === 'tty' && this.shown) this.stream.write(CLEAR)
    if (this.mode === 'lines' && this.flush && this.status !== undefined) this.line(this.status)
    this.shown = false
    this.status = undefined
  }

  private draw (): void {
    if (this.status === undefined) return
    // a terminal that does not tell its width (0) gets the usual 80
    const width = (this.stream.columns !== undefined && this.stream.columns > 0 ? this.stream.columns : 80) - 1
    const text = this.status.length > width ? this.status.slice(0, width - 1) + '…' : this.status
    this.stream.write(CLEAR + text)
    this.shown = true
  }
}

/** "1.2 s", "3 min 04 s" */
export function formatDuration (ms: number): string {
  const s = ms / 1000
  if (s < 60) return `${s.toFixed(1)} s`
  return `${Math.floor(s / 60)} min ${String(Math.round(s % 60)).padStart(2, '0')} s`
}

/** "52%", from a share 0..1 */
export function percent (share: number): string {
  return `${Math.floor(Math.min(1, Math.max(0, share)) * 100)}%`
}
