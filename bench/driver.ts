/**
 * Runs operations with a fixed number in flight until a count or a deadline
 * is reached, timing each one and the process CPU they cost.
 */

export interface DriveSpec {
  concurrency: number
  maxOps: number
  /** stop issuing new operations after this long */
  maxMs: number
  /** operations still running this long after the deadline are abandoned */
  graceMs?: number
  /** after abandoning, wait at most this long for them to wind down before returning */
  settleMs?: number
  /**
   * The operation; `i` counts from 0. Resolve true when it did what it
   * should, false when it completed with a wrong answer; reject on error.
   */
  op(i: number, signal: AbortSignal): Promise<boolean>
}

export interface DriveResult {
  /** latencies of completed operations, ms */
  latencies: number[]
  ok: number
  wrong: number
  errors: number
  abandoned: number
  seconds: number
  cpuMs: number
  firstError?: string
}

export async function drive (spec: DriveSpec): Promise<DriveResult> {
  const latencies: number[] = []
  const result: DriveResult = { latencies, ok: 0, wrong: 0, errors: 0, abandoned: 0, seconds: 0, cpuMs: 0 }
  const started = performance.now()
  const cpu = process.cpuUsage()
  const deadline = started + spec.maxMs
  const abandon = new AbortController()
  const timer = setTimeout(() => { abandon.abort(new Error('abandoned at the end of the phase')) }, spec.maxMs + (spec.graceMs ?? 2000))
  // an abandoned operation may ignore its signal for a while: stop waiting for it
  const abandoned = new Promise<never>((_, reject) => {
    abandon.signal.addEventListener('abort', () => { reject(abandon.signal.reason) }, { once: true })
  })
  abandoned.catch(() => {})
  const inFlight = new Set<Promise<boolean>>()
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < spec.maxOps && performance.now() < deadline && !abandon.signal.aborted) {
      const i = next++
      const t0 = performance.now()
      const op = spec.op(i, abandon.signal)
      inFlight.add(op)
      op.then(() => inFlight.delete(op), () => inFlight.delete(op))
      try {
        const good = await Promise.race([op, abandoned])
        latencies.push(performance.now() - t0)
        if (good) result.ok++
        else result.wrong++
      } catch (err) {
        if (abandon.signal.aborted) {
          result.abandoned++
        } else {
          result.errors++
          result.firstError ??= (err as Error).message ?? String(err)
        }
      }
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, spec.concurrency) }, worker))
  clearTimeout(timer)
  const used = process.cpuUsage(cpu)
  result.cpuMs = (used.user + used.system) / 1000
  result.seconds = (performance.now() - started) / 1000
  if (inFlight.size > 0) {
    let settle: ReturnType<typeof setTimeout> | undefined
    await Promise.race([
      Promise.allSettled(inFlight),
      new Promise(resolve => { settle = setTimeout(resolve, spec.settleMs ?? 5000) })
    ])
    clearTimeout(settle)
  }
  return result
}
