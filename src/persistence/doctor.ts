/**
 * `chord doctor`'s checks of a stopped peer's data directory: each part in
 * turn (chord.json, peer.key, the datastore, every record, the clock's mark,
 * free space), saying what is wrong and what to do. Opening the datastore is
 * the only change it makes (LevelDB may rewrite its log).
 */
import { readFile, stat, statfs } from 'node:fs/promises'
import { join } from 'node:path'
import { privateKeyFromProtobuf } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { CLOCK_MARK, metaKey } from '../store/meta-keys.ts'
import { verifyRecords } from '../store/verify.ts'
import { errorMessage } from '../util/errors.ts'
import { DATA_DIR_FORMAT, LOCKED, PEER_MARKER, describeRing, readMeta } from './data-dir.ts'
import { DurableLevelDatastore } from './durable-level.ts'

export interface Finding {
  /** what was checked: 'directory', 'chord.json', 'peer.key', 'datastore', 'records', 'clock', 'disk' */
  part: string
  ok: boolean
  detail: string
}

export interface DoctorReport {
  dir: string
  findings: Finding[]
  /** every check passed */
  healthy: boolean
}

export async function examineDataDir (dir: string): Promise<DoctorReport> {
  const findings: Finding[] = []
  const note = (part: string, ok: boolean, detail: string): boolean => {
    findings.push({ part, ok, detail })
    return ok
  }
  const done = (): DoctorReport => ({ dir, findings, healthy: findings.every(f => f.ok) })

  const info = await stat(dir).catch(() => undefined)
  if (!note('directory', info?.isDirectory() === true, info === undefined ? 'does not exist' : info.isDirectory() ? 'exists' : 'is not a directory')) return done()
  const peer = await checkFiles(dir, note)
  const storeDir = join(dir, 'datastore')
  const datastore = new DurableLevelDatastore(storeDir, { createIfMissing: false })
  try {
    await datastore.open()
  } catch (err) {
    const message = errorMessage(err)
    note('datastore', false, LOCKED.test(message) ? 'in use by a running peer: stop it first' : `${message}; move the directory aside to start this peer afresh (its keys come back from their other replicas)`)
    return done()
  }
  try {
    await checkStore(datastore, peer, note)
  } finally {
    await datastore.close()
  }
  await checkDisk(storeDir, note)
  return done()
}

type Note = (part: string, ok: boolean, detail: string) => boolean

/** chord.json and peer.key; the peer id when the key is good */
async function checkFiles (dir: string, note: Note): Promise<string | undefined> {
  let metaPeer: string | undefined
  try {
    const meta = await readMeta(dir)
    if (meta === undefined) note('chord.json', true, `none: a directory of format 0, upgraded to format ${DATA_DIR_FORMAT} at the next start`)
    else if (meta.format > DATA_DIR_FORMAT) note('chord.json', false, `format ${meta.format} is newer than this chord reads (${DATA_DIR_FORMAT}): upgrade chord`)
    else note('chord.json', true, `format ${meta.format}, ${describeRing(meta.ring)}, peer ${meta.peer}`)
    metaPeer = meta?.peer
  } catch (err) {
    note('chord.json', false, errorMessage(err))
  }
  const keyFile = join(dir, 'peer.key')
  try {
    const peer = peerIdFromPrivateKey(privateKeyFromProtobuf(await readFile(keyFile))).toString()
    if (metaPeer !== undefined && metaPeer !== peer) return void note('peer.key', false, `the key of peer ${peer}, but chord.json names peer ${metaPeer}`)
    note('peer.key', true, `peer ${peer}`)
    return peer
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    note('peer.key', false, code === 'ENOENT' ? 'missing: restore it, or the data here belongs to no peer' : code !== undefined ? `cannot be read: ${errorMessage(err)}` : `damaged, not a libp2p private key (${errorMessage(err)})`)
    return undefined
  }
}

async function checkStore (datastore: DurableLevelDatastore, peer: string | undefined, note: Note): Promise<void> {
  const marker = await datastore.get(PEER_MARKER).then(bytes => new TextDecoder().decode(bytes), () => undefined)
  if (marker === undefined) note('datastore', false, `opens, but has no ${PEER_MARKER.toString()} marker: emptied, replaced, or never started`)
  else if (peer !== undefined && marker !== peer) note('datastore', false, `holds the data of peer ${marker}, not of peer.key's ${peer}`)
  else note('datastore', true, `opens, data of peer ${marker}`)

  try {
    const records = await verifyRecords(datastore)
    const summary = `${records.keys} keys, ${records.tombstones} tombstones, ${records.bytes} bytes`
    if (records.damagedCount === 0) note('records', true, summary)
    else note('records', false, `${records.damagedCount} damaged (${summary} readable): ${records.damaged.map(d => `${d.path} ${d.problem}`).join('; ')}; move the directory aside to start this peer afresh (its keys come back from their other replicas)`)
  } catch (err) {
    note('records', false, `reading them failed: ${errorMessage(err)}; move the directory aside to start this peer afresh`)
  }

  const mark = await datastore.get(metaKey(CLOCK_MARK)).then(bytes => Number(new TextDecoder().decode(bytes)), () => undefined)
  if (mark === undefined) note('clock', true, 'no mark yet (no write coordinated here)')
  else if (!Number.isSafeInteger(mark)) note('clock', false, `${metaKey(CLOCK_MARK).toString()} is damaged`)
  else note('clock', true, `versions issued here continue above ${new Date(mark).toISOString()}`)
}

async function checkDisk (storeDir: string, note: Note): Promise<void> {
  try {
    const fs = await statfs(storeDir)
    const free = fs.bavail * fs.bsize
    note('disk', free >= 4 * 1024 * 1024, `${(free / 1024 / 1024).toFixed(1)} MiB free${free < 4 * 1024 * 1024 ? ': too little for LevelDB to flush its log; the peer would refuse writes' : ''}`)
  } catch (err) {
    note('disk', false, errorMessage(err))
  }
}
