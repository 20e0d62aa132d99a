/**
 * One measurement in its own process, so memory and CPU figures of one
 * system are not mixed with another's: the task comes as JSON in argv[2],
 * the result goes back over the IPC channel.
 */
import type { Result, Task } from './types.ts'

async function run (task: Task): Promise<Result> {
  switch (task.kind) {
    case 'floor': return (await import('./floor.ts')).runFloor(task)
    case 'chord': return (await import('./chord-bench.ts')).runChord(task)
    case 'kad': return (await import('./kad-bench.ts')).runKad(task)
    case 'handoff': return (await import('./handoff.ts')).runHandoff(task)
    case 'balance': return (await import('./balance.ts')).runBalance(task)
    case 'hops': return (await import('./hops-bench.ts')).runHops(task)
    case 'durability': return (await import('./durability.ts')).runDurability(task)
    case 'idle': return (await import('./idle.ts')).runIdle(task)
    case 'multiproc': return (await import('./multiproc.ts')).runMultiproc(task)
  }
}

const task = JSON.parse(process.argv[2]) as Task
try {
  const result = await run(task)
  if (process.send === undefined) console.log(JSON.stringify(result, null, 2))
  else process.send({ result }, () => { process.exit(0) })
} catch (err) {
  const error = (err as Error).stack ?? String(err)
  if (process.send === undefined) console.error(error)
  else process.send({ error }, () => { process.exit(1) })
  process.exitCode = 1
}
