/**
 * Runs one task in a worker process (Node with tsx, the same binary as this
 * one) and returns its result; the worker is killed if it outlives its budget.
 */
import { fork } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import type { Result, Task } from './types.ts'

const WORKER = fileURLToPath(new URL('./worker.ts', import.meta.url))

export interface SpawnOptions {
  timeoutMs: number
}

const children = new Set<ReturnType<typeof fork>>()
process.on('exit', () => { for (const c of children) c.kill('SIGKILL') })

export async function runTask<R extends Result> (task: Task, options: SpawnOptions): Promise<R> {
  const child = fork(WORKER, [JSON.stringify(task)], { execArgv: ['--import', 'tsx'], serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  children.add(child)
  try {
    return await new Promise<R>((resolve, reject) => {
      let settled = false
      const timer = setTimeout(() => {
        settled = true
        child.kill('SIGKILL')
        reject(new Error(`${taskName(task)} did not finish within ${options.timeoutMs / 1000} s`))
      }, options.timeoutMs)
      child.on('message', (msg: { result?: R, error?: string }) => {
        if (settled) return
        settled = true
        clearTimeout(timer)
        if (msg.result !== undefined) resolve(msg.result)
        else reject(new Error(msg.error ?? 'worker failed'))
      })
      child.on('exit', (code, signal) => {
        clearTimeout(timer)
        if (!settled) reject(new Error(`${taskName(task)} exited with ${code ?? signal} before answering`))
        settled = true
      })
    })
  } finally {
    children.delete(child)
    await new Promise<void>(resolve => {
      if (child.exitCode !== null || child.signalCode !== null) resolve()
      else child.once('exit', () => { resolve() })
    })
  }
}

export function taskName (task: Task): string {
  switch (task.kind) {
    case 'floor': return `floor-${task.muxer}`
    case 'chord': return `chord-n${task.n}`
    case 'kad': return `kad-k${task.k ?? 20}-n${task.n}`
    case 'handoff': return `handoff-${task.datastore}-n${task.n}-${task.keys}keys`
    case 'balance': return `balance-n${task.n}-v${task.virtualNodes}${task.positionChoices > 1 ? `-choose${task.positionChoices}` : ''}`
    case 'hops': return `hops-nocache-n${task.n}`
    case 'durability': return 'durability-level'
    case 'idle': return `idle-n${task.n}-${task.intervals}`
    case 'multiproc': return `multiproc-n${task.n}`
  }
}
