/**
 * A peer's data directory:
 *
 *   peer.key     its private key, so a restarted peer keeps its id and
 *                therefore its ring positions
 *   chord.json   the directory's format version, the ring it belongs to and
 *                the peer it belongs to
 *   datastore/   LevelDB: the chord records, the marker /chord/meta/peer
 *                naming the peer, and (CHORD-CLOCK) the clock's mark
 *
 * A directory from before chord.json (format 0) is upgraded by writing it.
 *
 * Opening checks that these agree before anything runs, and fails with a
 * DataDirError naming the file and the problem rather than start on a
 * damaged directory: never a silently empty store, never a new key that
 * abandons the data of the old one.
 */
import { createHash } from 'node:crypto'
import { mkdir, readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { PEER_MARK, metaKey } from '../store/meta-keys.ts'
import { ChordError, errorMessage } from '../util/errors.ts'
import { DurableLevelDatastore } from './durable-level.ts'
import { createFile, replaceFile } from './files.ts'
import type { PrivateKey } from '@libp2p/interface'

export class DataDirError extends ChordError { static readonly code = 'ERR_DATA_DIR' }

/** the layout this version writes; 0 is a directory from before chord.json */
export const DATA_DIR_FORMAT = 1
export const PEER_MARKER = metaKey(PEER_MARK)
/** LevelDB's LOCK is held: by this process ('already held'), or by another (EAGAIN) */
export const LOCKED = /lock .*(already held|temporarily unavailable)/i

/** Which ring a directory's data belongs to */
export interface RingIdentity {
  protocol: string
  /** 'sha256:' and the first 16 hex digits of the pre-shared key's hash; null on a public ring */
  psk: string | null
}

export interface DataDirMeta {
  format: number
  ring: RingIdentity
  peer: string
}

export interface DataDirInit {
  ring: RingIdentity
  /** sync writes to stable storage before acknowledging them (default true) */
  sync?: boolean
  /** while the disk refuses writes, how often to check it again, in ms */
  recoveryInterval?: number
}

export interface DataDir {
  privateKey: PrivateKey
  datastore: DurableLevelDatastore
}

export function ringIdentity (protocol: string, psk?: Uint8Array): RingIdentity {
  return { protocol, psk: psk === undefined ? null : `sha256:${createHash('sha256').update(psk).digest('hex').slice(0, 16)}` }
}

export function describeRing (ring: RingIdentity): string {
  return `${ring.psk === null ? 'a public ring' : `the private ring of pre-shared key ${ring.psk}`} on ${ring.protocol}`
}

/** Create the directory if needed, check it, load or create the key, open the datastore */
export async function openDataDir (dir: string, init: DataDirInit): Promise<DataDir> {
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 })
  } catch (err) {
    throw new DataDirError(`${dir}: cannot create the data directory: ${errorMessage(err)}`)
  }
  const meta = await readMeta(dir)
  if (meta !== undefined) checkMeta(dir, meta, init.ring)
  const storeDir = join(dir, 'datastore')
  const legacy = meta === undefined && (await exists(storeDir) || await exists(join(dir, 'peer.key')))
  const privateKey = await loadKey(dir, meta !== undefined || legacy)
  const peer = peerIdFromPrivateKey(privateKey).toString()
  if (meta !== undefined && meta.peer !== peer) {
    throw new DataDirError(`${join(dir, 'peer.key')}: holds the key of peer ${peer}, but this directory's data is peer ${meta.peer}'s (see chord.json)`)
  }
  const datastore = new DurableLevelDatastore(storeDir, { sync: init.sync, recoveryInterval: init.recoveryInterval, createIfMissing: meta === undefined })
  try {
    await datastore.open()
  } catch (err) {
    const why = errorMessage(err).replace(`LevelDB cannot open ${storeDir}: `, 'LevelDB cannot open it: ')
    throw new DataDirError(`${storeDir}: ${LOCKED.test(why) ? 'in use by another running peer' : why}`)
  }
  try {
    await checkMarker(storeDir, datastore, peer, meta !== undefined)
    if (meta === undefined) await replaceFile(join(dir, 'chord.json'), JSON.stringify({ format: DATA_DIR_FORMAT, ring: init.ring, peer } satisfies DataDirMeta, null, 2) + '\n')
  } catch (err) {
    await datastore.close()
    throw err instanceof DataDirError ? err : new DataDirError(`${dir}: ${errorMessage(err)}`)
  }
  return { privateKey, datastore }
}

/** chord.json, checked for shape; undefined when there is none */
export async function readMeta (dir: string): Promise<DataDirMeta | undefined> {
  const file = join(dir, 'chord.json')
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw new DataDirError(`${file}: cannot be read: ${errorMessage(err)}`)
  }
  let meta: Partial<DataDirMeta>
  try {
    meta = JSON.parse(text) as Partial<DataDirMeta>
  } catch (err) {
    throw new DataDirError(`${file}: damaged, not JSON (${errorMessage(err)})`)
  }
  const ring = meta?.ring
  if (!Number.isSafeInteger(meta?.format) || typeof meta.peer !== 'string' || typeof ring?.protocol !== 'string' || !(ring.psk === null || typeof ring.psk === 'string')) {
    throw new DataDirError(`${file}: damaged, expected { format, ring: { protocol, psk }, peer }`)
  }
  return meta as DataDirMeta
}

function checkMeta (dir: string, meta: DataDirMeta, ring: RingIdentity): void {
  const file = join(dir, 'chord.json')
  if (meta.format > DATA_DIR_FORMAT) {
    throw new DataDirError(`${file}: format ${meta.format} was written by a newer chord, this one reads format ${DATA_DIR_FORMAT} and older; upgrade chord`)
  }
  if (meta.ring.protocol !== ring.protocol || meta.ring.psk !== ring.psk) {
    throw new DataDirError(`${file}: this directory belongs to another ring (${describeRing(meta.ring)}), not to ${describeRing(ring)}; use its --psk, or another --data`)
  }
}

/** The peer's key; created when the directory holds no data yet */
async function loadKey (dir: string, required: boolean): Promise<PrivateKey> {
  const file = join(dir, 'peer.key')
  let bytes: Uint8Array
  try {
    bytes = await readFile(file)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new DataDirError(`${file}: cannot be read: ${errorMessage(err)}`)
    if (required) {
      throw new DataDirError(`${file}: missing, yet ${dir} holds a peer's data; restore the key (a new one would make a new peer and abandon this data) or move the directory aside`)
    }
    const key = await generateKeyPair('Ed25519')
    await createFile(file, privateKeyToProtobuf(key)).catch(err => {
      throw new DataDirError(`${file}: cannot be written: ${errorMessage(err)}`)
    })
    return key
  }
  try {
    return privateKeyFromProtobuf(bytes)
  } catch (err) {
    throw new DataDirError(`${file}: damaged, not a libp2p private key (${errorMessage(err)})`)
  }
}

/**
 * The datastore names the peer it belongs to. A directory that says it has
 * data (chord.json) with a datastore that lacks the marker lost its
 * datastore: LevelDB recreated it empty, or it was replaced.
 */
async function checkMarker (storeDir: string, datastore: DurableLevelDatastore, peer: string, expected: boolean): Promise<void> {
  let marked: string | undefined
  try {
    marked = new TextDecoder().decode(await datastore.get(PEER_MARKER))
  } catch (err) {
    if ((err as Error).name !== 'NotFoundError') throw new DataDirError(`${storeDir}: ${errorMessage(err)}`)
  }
  if (marked === undefined) {
    if (expected) throw new DataDirError(`${storeDir}: its data is gone (no ${PEER_MARKER.toString()} marker): the datastore was emptied or replaced; move the directory aside to start afresh`)
    await datastore.put(PEER_MARKER, new TextEncoder().encode(peer))
  } else if (marked !== peer) {
    throw new DataDirError(`${storeDir}: holds the data of peer ${marked}, not of this directory's peer ${peer}`)
  }
}

async function exists (path: string): Promise<boolean> {
  return stat(path).then(() => true, () => false)
}
