/** Progress lines on stderr, tagged with the task and the time since start */
const started = performance.now()

export function logger (tag: string): (line: string) => void {
  return line => { process.stderr.write(`[${((performance.now() - started) / 1000).toFixed(1).padStart(6)}s ${tag}] ${line}\n`) }
}
