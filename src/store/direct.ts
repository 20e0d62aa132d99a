/**
 * Reads and writes without a lookup: the coordinator guesses the key's
 * replicas from what this peer already knows (its location cache and its own
 * positions), and the guessed owner confirms in the same round trip that the
 * key is its own, naming the replica set. A wrong or silent guess costs the
 * lookup it would have taken anyway.
 */
import { distance, keyId } from '../ring/id.ts'
import { errorMessage } from '../util/errors.ts'
import { replicaSet, required } from './replicas.ts'
import type { StoreContext } from './context.ts'
import type { StoreRecord } from './record.ts'
import type { Consistency, Ownership } from './types.ts'
import type { NodeRef, RequestOptions } from '../ring/types.ts'

/** A replica's answer to a read: the record it holds, if any */
export interface ReadAnswer {
  node: NodeRef
  record: StoreRecord | undefined
  /** it holds nothing, but its ranges changed lately: the key may be on its way to it */
  unsettled?: boolean
}

/**
 * The first round of a read without a lookup: ask the replicas this peer
 * already knows of, the guessed owner with an owner check. If the owner
 * confirms, its successor list names the replica set; answers from peers
 * in that set count whatever way the set was learned.
 */
export async function readDirect (ctx: StoreContext, key: Uint8Array, consistency: Consistency, options: RequestOptions): Promise<{ replicas?: NodeRef[], answers: ReadAnswer[] }> {
  const guess = ctx.ring.knownSuccessors(keyId(key), ctx.options.replicas)
  if (guess === undefined || guess.length === 0) return { answers: [] }
  const [owner, ...others] = guess.slice(0, Math.max(required(consistency, guess.length), 1))
  const answers: ReadAnswer[] = []
  const [checked] = await Promise.all([
    checkOwner(ctx, guess, async () => ctx.rpc.fetchChecked(owner, key, options)),
    ...others.map(async node => ctx.rpc.fetch(node, [key], options).then(({ records: [record], unsettled }) => { answers.push({ node, record, unsettled }) }, () => {}))
  ])
  if (checked === undefined) return { answers }
  answers.push({ node: owner, record: checked.answer.record, unsettled: checked.answer.unsettled })
  return { replicas: checked.replicas, answers }
}

/** How a write stores on one replica, and how it starts a store it counts */
export interface WriteSteps {
  start(node: NodeRef, task: Promise<void>): void
  storeOn(node: NodeRef): Promise<void>
  /** the replica did not store: did it keep this version or a newer one? */
  kept(node: NodeRef): Promise<void>
}

/**
 * A write without a lookup: store on the replicas this peer already knows
 * of, the guessed owner with an owner check (it stores nothing if the key
 * is not its own). Resolves with the replica set the owner confirmed, or
 * undefined when the guess was wrong or the owner did not answer.
 */
export async function writeDirect (ctx: StoreContext, record: StoreRecord, options: RequestOptions, steps: WriteSteps): Promise<NodeRef[] | undefined> {
  const guess = ctx.ring.knownSuccessors(keyId(record.key), ctx.options.replicas)
  if (guess === undefined || guess.length === 0) return undefined
  const [owner, ...others] = guess
  for (const node of others) steps.start(node, steps.storeOn(node))
  const checked = await checkOwner(ctx, guess, async () => ctx.rpc.storeChecked(owner, record, options))
  if (checked === undefined) return undefined
  steps.start(owner, checked.answer.stored ? Promise.resolve() : steps.kept(owner))
  return checked.replicas
}

/**
 * Run an owner-checked request to `guess[0]`; undefined unless it
 * confirmed, with successors that can be right. They are remembered for
 * later guesses, and a guess that does not answer is forgotten, so the
 * next one does not wait on it again.
 */
async function checkOwner<T extends { ownership: Ownership }> (ctx: StoreContext, guess: NodeRef[], request: () => Promise<T>): Promise<{ answer: T, replicas: NodeRef[] } | undefined> {
  const owner = guess[0]
  try {
    const answer = await request()
    const replicas = answer.ownership.owner ? confirmedReplicas(ctx, owner, answer.ownership.successors, guess.length) : undefined
    ctx.onOwnerCheck?.(replicas !== undefined ? 'confirmed' : 'not_owner')
    if (replicas === undefined) return undefined
    ctx.ring.learn(answer.ownership.successors)
    return { answer, replicas }
  } catch (err) {
    ctx.onOwnerCheck?.('failed')
    if (owner.peer !== ctx.self) ctx.ring.forget(owner)
    ctx.log('owner check of %s failed: %s', owner.peer, errorMessage(err))
    return undefined
  }
}

/**
 * The replica set an owner's successor list names, read up to where the
 * list wraps round the ring; undefined when it names fewer peers than we
 * already know of there (a lie, or a list still being repaired): a lookup
 * decides then.
 */
function confirmedReplicas (ctx: StoreContext, owner: NodeRef, successors: NodeRef[], known: number): NodeRef[] | undefined {
  const r = ctx.options.replicas
  const inOrder: NodeRef[] = [owner]
  let last = 0n
  for (const node of successors) {
    const d = distance(owner.id, node.id)
    if (d <= last) break
    inOrder.push(node)
    last = d
  }
  const replicas = replicaSet(inOrder, r)
  return replicas.length < Math.min(r, known) ? undefined : replicas
}
