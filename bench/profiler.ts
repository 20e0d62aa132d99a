/**
 * A CPU profile of one part of a worker's run (the measured operations, not
 * the ring formation), through the inspector; written as a .cpuprofile that
 * Chrome DevTools or bench/profile-summary.ts reads.
 */
import { Session } from 'node:inspector/promises'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'

export async function profiled<T> (dir: string | undefined, name: string, fn: () => Promise<T>): Promise<T> {
  if (dir === undefined) return fn()
  const session = new Session()
  session.connect()
  await session.post('Profiler.enable')
  await session.post('Profiler.setSamplingInterval', { interval: 500 })
  await session.post('Profiler.start')
  try {
    return await fn()
  } finally {
    const { profile } = await session.post('Profiler.stop')
    await mkdir(dir, { recursive: true })
    await writeFile(join(dir, `${name}.cpuprofile`), JSON.stringify(profile))
    session.disconnect()
  }
}
