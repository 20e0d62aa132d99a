/**
 * What durable writes cost, on LevelDB on this machine's disk:
 *
 * - store: LocalStore.apply of 1 KiB records at 1 and 32 in flight, with
 *   every write synced and group commit (the daemon's default), every write
 *   synced on its own (LevelDB's own grouping only), and no sync (--no-fsync)
 * - ring: QUORUM puts at 32 in flight through a ring of 3 peers with
 *   LevelDB data directories (replicas 3), fsync on and off
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { LevelDatastore } from 'datastore-level'
import { DurableLevelDatastore } from '../src/persistence/durable-level.ts'
import { LocalStore } from '../src/store/local-store.ts'
import { createChordNode } from '../src/node.ts'
import { BENCH_INTERVALS, addrOf, waitJoined } from './chord-ring.ts'
import { loadavg } from './machine.ts'
import type { DurabilityResult, DurabilityRow, DurabilityTask } from './types.ts'
import type { ChordNode } from '../src/node.ts'
import type { Key } from 'interface-datastore'

/** LevelDB with each write synced by itself: what group commit is measured against */
class SyncEachWrite extends LevelDatastore {
  override async put (key: Key, value: Uint8Array): Promise<Key> {
    await this.db.put(key.toString(), value, { sync: true })
    return key
  }
}

type StoreMode = DurabilityRow['mode']

function datastoreFor (mode: StoreMode, dir: string): LevelDatastore {
  if (mode === 'sync each write') return new SyncEachWrite(dir)
  return new DurableLevelDatastore(dir, { sync: mode === 'group commit' })
}

/** Run `op` with `concurrency` in flight for `ms`; operations completed per second */
async function rate (concurrency: number, ms: number, op: (i: number) => Promise<unknown>): Promise<{ ops: number, opsPerSec: number }> {
  let next = 0
  const deadline = performance.now() + ms
  const started = performance.now()
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (performance.now() < deadline) await op(next++)
  }))
  const seconds = (performance.now() - started) / 1000
  return { ops: next, opsPerSec: next / seconds }
}

async function storeRow (mode: StoreMode, concurrency: number, task: DurabilityTask, root: string): Promise<DurabilityRow> {
  const dir = mkdtempSync(join(root, 'store-'))
  const datastore = datastoreFor(mode, dir)
  await datastore.open()
  const store = new LocalStore(datastore)
  await store.open()
  const value = new Uint8Array(task.valueSize).fill(7)
  const { ops, opsPerSec } = await rate(concurrency, task.phaseMs, async i =>
    store.apply({ key: new TextEncoder().encode(`key-${i}`), value, deleted: false, version: { wallTime: 1, logical: i, writer: 'bench' } }))
  const syncs = datastore instanceof DurableLevelDatastore && mode === 'group commit' ? datastore.syncTotals.batches : undefined
  await store.close()
  await datastore.close()
  rmSync(dir, { recursive: true, force: true })
  return { level: 'store', mode, concurrency, ops, opsPerSec, writesPerSync: syncs === undefined ? undefined : ops / Math.max(1, syncs) }
}

async function ringRow (fsync: boolean, task: DurabilityTask, root: string): Promise<DurabilityRow> {
  const peers: ChordNode[] = []
  const start = async (bootstrap: string[]): Promise<ChordNode> => {
    const peer = await createChordNode({ dataDir: mkdtempSync(join(root, 'peer-')), fsync, inboundConnectionThreshold: Infinity, chord: { ...BENCH_INTERVALS, replicas: 3, bootstrap } })
    peers.push(peer)
    return peer
  }
  try {
    const first = await start([])
    await waitJoined([first], 30_000)
    await Promise.all([start([addrOf(first)]), start([addrOf(first)])])
    await waitJoined(peers, 30_000)
    // every peer a replica of every key: wait until each has two successors
    const deadline = Date.now() + 30_000
    while (!peers.every(p => p.services.chord.getRingState().positions[0].successors.length >= 2)) {
      if (Date.now() > deadline) throw new Error('ring of 3 did not form')
      await new Promise(resolve => setTimeout(resolve, 50))
    }
    const value = new Uint8Array(task.valueSize).fill(7)
    const { ops, opsPerSec } = await rate(32, task.phaseMs, async i => peers[i % 3].services.chord.put(`key-${i}`, value))
    return { level: 'ring', mode: fsync ? 'group commit' : 'no sync', concurrency: 32, ops, opsPerSec }
  } finally {
    await Promise.all(peers.map(async p => {
      p.services.chord.leaveOnStop = false
      await p.stop()
    }))
  }
}

export async function runDurability (task: DurabilityTask): Promise<DurabilityResult> {
  // on the disk the daemon's data directory would use, not a tmpfs (where fsync costs nothing)
  const root = mkdtempSync(join(task.dir ?? tmpdir(), 'chord-durability-'))
  const rows: DurabilityRow[] = []
  try {
    for (const concurrency of [1, 32]) {
      for (const mode of ['group commit', 'sync each write', 'no sync'] as const) rows.push(await storeRow(mode, concurrency, task, root))
    }
    for (const fsync of [true, false]) rows.push(await ringRow(fsync, task, root))
  } finally {
    rmSync(root, { recursive: true, force: true })
  }
  return { kind: 'durability', valueSize: task.valueSize, rows, loadavg: loadavg() }
}
