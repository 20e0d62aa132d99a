/**
 * POST /keys: many puts in one request, for `chord import`. The body is JSON
 * lines (lines.ts); a malformed line refuses the whole batch before anything
 * is written, while a record the ring refuses (too large, no quorum) fails
 * alone and is reported with its line, so the client can say which.
 */
import { ApiError, toApiError } from './errors.ts'
import { LineError, parseLine, splitLines } from './lines.ts'
import type { Entry } from './lines.ts'
import type { Chord, Consistency } from '../index.ts'

export interface BatchJson {
  /** records written with the consistency asked for */
  stored: number
  /** key and value bytes of the records stored */
  bytes: number
  failed: Array<{ line: number, error: string, code: string }>
}

export interface BatchOptions {
  consistency?: Consistency
  /** for lines without their own ttl */
  ttl?: number
  signal: AbortSignal
  /** puts in flight at once (default 32) */
  concurrency?: number
}

export async function putBatch (chord: Chord, body: Uint8Array, options: BatchOptions): Promise<BatchJson> {
  const entries: Array<{ line: number, entry: Entry }> = []
  for (const { line, text } of splitLines(new TextDecoder().decode(body))) {
    try {
      entries.push({ line, entry: parseLine(text) })
    } catch (err) {
      if (err instanceof LineError) throw new ApiError(400, 'ERR_BAD_REQUEST', `line ${line}: ${err.message}`)
      throw err
    }
  }
  const result: BatchJson = { stored: 0, bytes: 0, failed: [] }
  let next = 0
  await Promise.all(Array.from({ length: Math.min(options.concurrency ?? 32, entries.length) }, async () => {
    for (let i = next++; i < entries.length; i = next++) {
      const { line, entry } = entries[i]
      try {
        await chord.put(entry.key, entry.value, { signal: options.signal, consistency: options.consistency, ttl: entry.ttl ?? options.ttl })
        result.stored++
        result.bytes += entry.key.byteLength + entry.value.byteLength
      } catch (err) {
        const { message, code } = toApiError(err)
        result.failed.push({ line, error: message, code })
      }
    }
  }))
  result.failed.sort((a, b) => a.line - b.line)
  return result
}
