/**
 * Read every stored record of a datastore and say which are damaged, for
 * `chord doctor`: where LocalStore.open stops at the first bad record, this
 * counts them all and goes on.
 */
import { idToHex, keyId } from '../ring/id.ts'
import { decodeRecord, NO_LIMITS } from './record.ts'
import type { RecordTotals } from './digest-table.ts'
import type { Datastore } from 'interface-datastore'

export interface VerifyResult extends RecordTotals {
  /** datastore paths of records that do not decode or are not where their key puts them, with why */
  damaged: Array<{ path: string, problem: string }>
  /** how many damaged records there are (damaged holds the first `maxListed`) */
  damagedCount: number
}

export async function verifyRecords (datastore: Datastore, prefix = '/chord/kv', maxListed = 10): Promise<VerifyResult> {
  const result: VerifyResult = { keys: 0, tombstones: 0, bytes: 0, damaged: [], damagedCount: 0 }
  const damage = (path: string, problem: string): void => {
    if (result.damaged.length < maxListed) result.damaged.push({ path, problem })
    result.damagedCount++
  }
  for await (const { key, value } of datastore.query({ prefix: prefix + '/' })) {
    const path = key.toString()
    let record
    try {
      record = decodeRecord(value, NO_LIMITS)
    } catch (err) {
      damage(path, `does not decode: ${(err as Error).message}`)
      continue
    }
    if (!path.endsWith('/' + idToHex(keyId(record.key)))) {
      damage(path, 'is not stored under its key\'s id')
      continue
    }
    if (record.deleted) result.tombstones++
    else result.keys++
    result.bytes += record.key.byteLength + record.value.byteLength
  }
  return result
}
