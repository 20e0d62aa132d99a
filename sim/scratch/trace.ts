import { Cluster } from '../cluster.ts'
import { grow } from '../build.ts'
import { distance } from '../../src/ring/id.ts'
import type { NodeRef, StepResult } from '../../src/ring/types.ts'
const n = 1000
const c = new Cluster({ seed: 1000, r: 20 })
await grow(c, n)
const victims = c.workload.sample(c.members(), 100)
for (const v of victims) c.crash(v)
const dead = new Set(victims.map(v => v.peer))
const truth = c.truth()
const short = (node: NodeRef, key: bigint): string => `${node.peer}${dead.has(node.peer) ? '†' : ''}(-${(Number(distance(node.id, key) >> 200n) / 2 ** 56).toExponential(2)})`
let log: string[] = []
for (let i = 0; i < 2000; i++) {
  const from = c.workload.pick(c.members())
  const key = c.workload.id()
  log = [`lookup from ${from.peer} of key; true owner ${truth.successor(key).peer}`]
  c.network.trace = (f, to, method, answer) => {
    if (f !== from.peer) return
    const a = answer instanceof Error ? answer.message : method === 'findSuccessorStep' ? `${(answer as StepResult).done ? 'DONE' : 'closer'} ${(answer as StepResult).nodes.map(x => short(x, key)).join(' ')}` : Array.isArray(answer) ? (answer as NodeRef[]).map(x => short(x, key)).join(' ') : String(answer)
    log.push(`  ${method} ${short(to, key)} -> ${a}`)
  }
  try {
    const res = await c.scheduler.settle(from.findSuccessor(key))
    if (res.owner.peer !== truth.successor(key).peer || res.hops > 15) { console.log(log.join('\n')); console.log('  => owner', short(res.owner, key), 'hops', res.hops); if (res.hops > 15) break }
  } catch (err) {
    console.log(log.join('\n')); console.log('  => ', (err as Error).message); break
  }
}
