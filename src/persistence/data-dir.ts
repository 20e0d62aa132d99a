/**
 * A peer's data directory: its private key (peer.key, so a restarted peer
 * keeps its id and therefore its ring positions) and a LevelDB datastore
 * (datastore/, holding the peer store and the chord records).
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import { LevelDatastore } from 'datastore-level'
import { ChordError } from '../util/errors.ts'
import type { PrivateKey } from '@libp2p/interface'

export class DataDirError extends ChordError {
  static readonly code = 'ERR_DATA_DIR'
  constructor (message: string) {
    super(message, DataDirError.code)
  }
}

export interface DataDir {
  privateKey: PrivateKey
  datastore: LevelDatastore
}

/** Create the directory if needed, load or create the key, open the datastore */
export async function openDataDir (dir: string): Promise<DataDir> {
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 })
  } catch (err) {
    throw new DataDirError(`cannot create data directory ${dir}: ${(err as Error).message}`)
  }
  const keyFile = join(dir, 'peer.key')
  let privateKey: PrivateKey
  try {
    privateKey = privateKeyFromProtobuf(await readFile(keyFile))
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new DataDirError(`${keyFile} is not a libp2p private key: ${(err as Error).message}`)
    }
    privateKey = await generateKeyPair('Ed25519')
    // 'wx': never overwrite a key another process just wrote
    await writeFile(keyFile, privateKeyToProtobuf(privateKey), { mode: 0o600, flag: 'wx' })
  }
  const datastore = new LevelDatastore(join(dir, 'datastore'))
  try {
    await datastore.open()
  } catch (err) {
    throw new DataDirError(`cannot open the datastore in ${dir} (is another peer using it?): ${(err as Error).message}`)
  }
  return { privateKey, datastore }
}
