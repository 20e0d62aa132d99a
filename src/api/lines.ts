/**
 * The JSON lines of `chord import`, `chord export` and `POST /keys`: one
 * record a line,
 *
 *   {"key": "greeting", "value": "hello"}
 *   {"key": "photo", "value": "/9j/4AAQSkZJRg…", "encoding": "base64", "ttl": 60000}
 *
 * `encoding` says how `value` is written: `utf8` (the default) or `base64`
 * for bytes of any kind; `keyEncoding` does the same for `key`. `ttl` is the
 * milliseconds the key has left to live. Exports write base64 only for bytes
 * that are not UTF-8 text, so text stays readable and binary survives.
 */

/** One line as JSON */
export interface RecordLine {
  key: string
  value: string
  encoding?: 'utf8' | 'base64'
  keyEncoding?: 'utf8' | 'base64'
  ttl?: number
}

export interface Entry {
  key: Uint8Array
  value: Uint8Array
  /** ms left to live */
  ttl?: number
}

/** A line that is not a record; the message names the problem */
export class LineError extends Error {
  constructor (message: string) {
    super(message)
    this.name = 'LineError'
  }
}

const encoder = new TextEncoder()
// ignoreBOM keeps a leading U+FEFF as part of the value instead of dropping it
const strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/
const FIELDS = new Set(['key', 'value', 'encoding', 'keyEncoding', 'ttl'])

/** The bytes as UTF-8 text, or undefined when they are not valid UTF-8 */
export function utf8 (bytes: Uint8Array): string | undefined {
  try {
    return strict.decode(bytes)
  } catch {
    return undefined
  }
}

export function toLine (entry: Entry): RecordLine {
  const key = utf8(entry.key)
  const value = utf8(entry.value)
  const line: RecordLine = { key: key ?? base64(entry.key), value: value ?? base64(entry.value) }
  if (value === undefined) line.encoding = 'base64'
  if (key === undefined) line.keyEncoding = 'base64'
  if (entry.ttl !== undefined) line.ttl = entry.ttl
  return line
}

/** One line (without its newline) as an entry; throws LineError */
export function parseLine (text: string): Entry {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (err) {
    throw new LineError(`not JSON (${(err as Error).message})`)
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new LineError('expected an object like {"key": "…", "value": "…"}')
  const fields = json as Record<string, unknown>
  const unknown = Object.keys(fields).find(name => !FIELDS.has(name))
  if (unknown !== undefined) throw new LineError(`unknown field ${JSON.stringify(unknown)}`)
  const key = decode(fields.key, fields.keyEncoding, 'key')
  if (key.byteLength === 0) throw new LineError('"key" must not be empty')
  const entry: Entry = { key, value: decode(fields.value, fields.encoding, 'value') }
  if (fields.ttl !== undefined) {
    if (typeof fields.ttl !== 'number' || !Number.isSafeInteger(fields.ttl) || fields.ttl <= 0) throw new LineError('"ttl" must be a positive number of milliseconds')
    entry.ttl = fields.ttl
  }
  return entry
}

/** Every non-blank line of a body, numbered from 1 */
export function splitLines (text: string): Array<{ line: number, text: string }> {
  return text.split('\n').map((t, i) => ({ line: i + 1, text: t.trim() })).filter(l => l.text !== '')
}

function decode (field: unknown, encoding: unknown, name: 'key' | 'value'): Uint8Array {
  const encodingName = name === 'key' ? 'keyEncoding' : 'encoding'
  if (typeof field !== 'string') throw new LineError(`"${name}" must be a string`)
  if (encoding === undefined || encoding === 'utf8') return encoder.encode(field)
  if (encoding !== 'base64') throw new LineError(`"${encodingName}" must be "utf8" or "base64"`)
  if (!BASE64.test(field)) throw new LineError(`"${name}" is not base64`)
  return new Uint8Array(Buffer.from(field, 'base64'))
}

export function base64 (bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64')
}
