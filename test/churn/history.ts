/**
 * A history of client operations and the checker that judges it.
 *
 * Every key has one writer, which writes it sequentially: the n-th write of
 * key k stores the value `k#n`, and a delete is a numbered write too. So for
 * any read, real time alone says which writes it may return:
 * - none older than the last write acknowledged before the read began,
 * - none newer than the last write started before the read ended.
 * An absent answer stands for seq 0 (never written) or for any delete.
 * A write that failed may or may not have taken effect: both are allowed.
 *
 * Partitions (the LAN lab's nemesis): several writers may write one key,
 * taking sequence numbers from one counter, and a write may carry the
 * version the store acknowledged. Then the floor of a read is the
 * acknowledged write with the highest version (last-writer-wins on (HLC,
 * writer)), not the highest number: a write acknowledged on one side of a
 * split may be superseded by the other side's write with a higher version.
 * A read that overlaps a partition window — from the split until the test
 * saw the data converge after the heal — may return any value written
 * before it ended (each side serves what it has); only phantoms are
 * violations then. Without versions and windows the rules are as above.
 */
import { compareVersions } from '../../src/store/record.ts'
import type { Version } from '../../src/index.ts'

export type OpKind = 'write' | 'delete' | 'read'

export interface Operation {
  kind: OpKind
  key: string
  /** writes and deletes: the writer's sequence number for the key, from 1 */
  seq: number
  /** performance.now() when the client called, and when it got the answer */
  start: number
  end: number
  ok: boolean
  /** reads that succeeded: the value, or null when absent */
  value?: string | null
  /** a read of the final state, after every write ended and the ring settled */
  final?: boolean
  error?: string
  /** what the client found out when the answer looked wrong: who held the key, which replicas were named */
  note?: string
  /** writes and deletes that succeeded: the version the store acknowledged, when the client knows it */
  version?: Version
  /** the part of a partitioned network the client sent the operation to */
  side?: string
}

/** A span (performance.now() ms) during which the network was split or had not yet converged after the heal */
export interface PartitionWindow {
  start: number
  end: number
}

export interface WriteTag {
  side?: string
  /** the version the store acknowledged, from what the write returned */
  version?: (result: unknown) => Version | undefined
}

export type ViolationKind = 'lost-write' | 'stale-read' | 'resurrected' | 'phantom'

export interface Violation {
  kind: ViolationKind
  key: string
  detail: string
}

export interface Failure {
  count: number
  example: string
}

export interface HistorySummary {
  operations: number
  byKind: Record<OpKind, { ok: number, failed: number }>
  /** failed operations by error code, with one message each */
  failures: Map<string, Failure>
}

export const valueOf = (key: string, seq: number): string => `${key}#${seq}`

export class History {
  readonly ops: Operation[] = []
  /** spans during which reads are only checked for phantoms */
  readonly partitions: PartitionWindow[] = []
  /** writes and deletes per key, in the order they ended */
  private readonly writes = new Map<string, Operation[]>()

  /** Run a write (or delete) of `key` numbered `seq`, recording its outcome */
  async write (key: string, seq: number, deleted: boolean, run: () => Promise<unknown>, tag: WriteTag = {}): Promise<boolean> {
    const op: Operation = { kind: deleted ? 'delete' : 'write', key, seq, start: performance.now(), end: 0, ok: false, side: tag.side }
    try {
      const result = await run()
      op.version = tag.version?.(result)
      op.ok = true
    } catch (err) {
      op.error = reason(err)
    }
    op.end = performance.now()
    this.ops.push(op)
    const list = this.writes.get(key) ?? []
    list.push(op)
    this.writes.set(key, list)
    return op.ok
  }

  /**
   * Run a read of `key`, recording what it returned; `explain` may add a
   * note on the answer (called at once, while the ring is as the read saw it)
   */
  async read (key: string, run: () => Promise<string | undefined>, final = false, explain?: (value: string | null, start: number) => Promise<string | undefined>, side?: string): Promise<void> {
    const op: Operation = { kind: 'read', key, seq: 0, start: performance.now(), end: 0, ok: false, final, side }
    try {
      op.value = (await run()) ?? null
      op.ok = true
    } catch (err) {
      op.error = reason(err)
    }
    op.end = performance.now()
    if (op.ok && explain !== undefined) op.note = await explain(op.value!, op.start)
    this.ops.push(op)
  }

  /** The last write of `key` acknowledged before `time`, if any */
  acknowledged (key: string, time: number): Operation | undefined {
    let last: Operation | undefined
    for (const op of this.writes.get(key) ?? []) {
      if (op.ok && op.end < time && (last === undefined || op.seq > last.seq)) last = op
    }
    return last
  }

  /** Every read that returned something real time forbids */
  check (): Violation[] {
    const writes = new Map<string, Operation[]>()
    // from ops, not this.writes: a history may be built from literal operations
    for (const op of this.ops) {
      if (op.kind === 'read') continue
      const list = writes.get(op.key) ?? []
      list.push(op)
      writes.set(op.key, list)
    }
    const violations: Violation[] = []
    for (const read of this.ops) {
      if (read.kind !== 'read' || !read.ok) continue
      const list = writes.get(read.key) ?? []
      // the floor: the last write acknowledged before the read began (none while partitioned)
      const floor = this.partitioned(read) ? undefined : list.filter(w => w.ok && w.end < read.start).reduce<Operation | undefined>((a, w) => (a === undefined || supersedes(w, a) ? w : a), undefined)
      const lower = floor?.seq ?? 0
      // the ceiling: last write started before the read ended
      const upper = list.filter(w => w.start < read.end).reduce((a, w) => Math.max(a, w.seq), 0)
      const candidates = read.value === null
        ? [0, ...list.filter(w => w.kind === 'delete').map(w => w.seq)]
        : [seqOf(read.key, read.value ?? '')].filter(seq => list.some(w => w.seq === seq && w.kind === 'write'))
      const notBelowFloor = (seq: number): boolean => {
        if (floor === undefined) return true
        const write = list.find(w => w.seq === seq)
        return write !== undefined && !supersedes(floor, write)
      }
      if (candidates.some(seq => seq <= upper && notBelowFloor(seq))) continue
      const got = read.value === null ? 'absent' : read.value!
      const window = `read [${read.start.toFixed(0)}, ${read.end.toFixed(0)}] ms returned ${got}; allowed: seq ${lower}..${upper}${read.note === undefined ? '' : `; ${read.note}`}`
      if (candidates.length === 0 || candidates.every(seq => seq > upper)) {
        violations.push({ kind: 'phantom', key: read.key, detail: `${window} (never written, or not yet)` })
      } else if (read.value !== null && floor?.kind === 'delete') {
        violations.push({ kind: 'resurrected', key: read.key, detail: `${window} (deleted by seq ${lower}, acknowledged at ${floor.end.toFixed(0)} ms)` })
      } else {
        violations.push({ kind: read.final === true ? 'lost-write' : 'stale-read', key: read.key, detail: `${window} (seq ${lower} acknowledged at ${floor?.end.toFixed(0) ?? '-'} ms)` })
      }
    }
    return violations
  }

  /** Whether `op` overlaps a partition window */
  partitioned (op: Operation): boolean {
    return this.partitions.some(p => op.end >= p.start && op.start <= p.end)
  }

  summary (): HistorySummary {
    const byKind: HistorySummary['byKind'] = { write: { ok: 0, failed: 0 }, delete: { ok: 0, failed: 0 }, read: { ok: 0, failed: 0 } }
    const failures = new Map<string, Failure>()
    for (const op of this.ops) {
      if (op.ok) {
        byKind[op.kind].ok++
        continue
      }
      byKind[op.kind].failed++
      const [code, ...message] = (op.error ?? 'unknown').split(': ')
      const entry = failures.get(code) ?? { count: 0, example: message.join(': ') }
      entry.count++
      failures.set(code, entry)
    }
    return { operations: this.ops.length, byKind, failures }
  }
}

/**
 * `a` wins over `b`: by the acknowledged versions when both have one (the
 * store's last-writer-wins), else by number (one writer: the later write)
 */
export function supersedes (a: Operation, b: Operation): boolean {
  if (a.version !== undefined && b.version !== undefined) return compareVersions(a.version, b.version) > 0
  return a.seq > b.seq
}

export function seqOf (key: string, value: string): number {
  const prefix = `${key}#`
  if (!value.startsWith(prefix)) return -1
  const seq = Number(value.slice(prefix.length))
  return Number.isInteger(seq) && seq > 0 ? seq : -1
}

/** `CODE: message`, the code being the error's code, else its name */
function reason (err: unknown): string {
  const e = err as { code?: unknown, name?: unknown, message?: unknown }
  const code = typeof e?.code === 'string' ? e.code : typeof e?.name === 'string' ? e.name : 'Error'
  return `${code}: ${String(e?.message ?? err).slice(0, 200)}`
}
