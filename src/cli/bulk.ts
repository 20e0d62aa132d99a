/**
 * `chord import FILE` and `chord export`: every key of a ring, as JSON lines
 * (src/api/lines.ts), in and out through one daemon or peer.
 *
 * Import checks the whole file first (so a bad line stops it before anything
 * is written, and the total is known for the progress), then sends it in
 * batches to POST /keys; a record too large for a batch goes alone as a
 * plain PUT. Export pages through GET /export, which walks the ring range by
 * range (src/api/export.ts), and writes each page to stdout. Both show
 * progress on stderr when it is a terminal, and nothing more otherwise.
 */
import { once } from 'node:events'
import { createReadStream } from 'node:fs'
import { parseArgs } from 'node:util'
import { createInterface } from 'node:readline'
import { LineError, parseLine, utf8 } from '../api/lines.ts'
import { CONNECTION_HELP, CONNECTION_OPTIONS, apiError, connect } from './client.ts'
import { count, formatBytes } from './daemon-log.ts'
import { Progress, formatDuration, percent, progressMode } from './progress.ts'
import { EXIT, FailureError, UsageError, positiveInt } from './usage.ts'
import type { Values } from './client.ts'
import type { Transport } from './transport.ts'
import type { ApiRequest, ApiResponse, BatchJson, ExportPageJson } from '../api/index.ts'

export const BULK_COMMANDS = ['import', 'export']

export const BULK_SUMMARY = `  import FILE           store every record of a JSON lines file (- for stdin)
  export                print every key of the ring as JSON lines`

const FORMAT_HELP = `Each line is one record:
  {"key": "greeting", "value": "hello"}
  {"key": "photo", "value": "/9j/4AAQ…", "encoding": "base64", "ttl": 60000}
"encoding" (utf8 by default, or base64) says how "value" is written and
"keyEncoding" the same for "key"; "ttl" is milliseconds left to live.
`

const PROGRESS_HELP = `  --progress          show progress even when stderr is not a terminal (as lines)
  --no-progress       never show progress (default: on a terminal only)
`

export const IMPORT_HELP = `Usage: chord import FILE [options] [connection options]

Store every record of FILE (JSON lines; - reads stdin) through the daemon or
peer, in batches. FILE is checked first: a malformed line stops the import
before anything is stored. Prints what was stored; records the ring refused
are counted and the first is named on stderr.

${FORMAT_HELP}
Options:
  --batch N           records per request (default 256)
  --ttl MS            expiry for records without their own "ttl"
  --consistency C     ONE, QUORUM (default) or ALL replicas must answer
${PROGRESS_HELP}
${CONNECTION_HELP}`

export const EXPORT_HELP = `Usage: chord export [options] [connection options]

Print every key of the ring as JSON lines on stdout, the format "chord import"
reads, in ring order. The daemon or peer walks the ring range by range and
asks each range's replicas, keeping the newest version of each key; deleted
and expired keys are left out. Keys written while it runs may or may not
appear.

${FORMAT_HELP}
Options:
  --page N            records asked of each replica per request (default 256)
${PROGRESS_HELP}
${CONNECTION_HELP}`

/** a batch's body stays well under the daemon's 1 MiB request limit */
const BATCH_BYTES = 512 * 1024
/** attempts of a request the ring could not serve (503) before giving up */
const ATTEMPTS = 4

const encoder = new TextEncoder()
const decoder = new TextDecoder()

function parse (argv: string[], options: Record<string, { type: 'string' | 'boolean' }>): { values: Values, positionals: string[] } {
  return parseArgs({ args: argv, options: { ...CONNECTION_OPTIONS, ...options, progress: { type: 'boolean' } }, allowPositionals: true, allowNegative: true })
}

/** A request, retried with backoff while the ring answers 503 (a peer joining or leaving) */
async function send (transport: Transport, request: ApiRequest): Promise<ApiResponse> {
  for (let attempt = 1; ; attempt++) {
    const response = await transport.request(request)
    if (response.status !== 503 || attempt === ATTEMPTS) return response
    await new Promise(resolve => setTimeout(resolve, 250 * 2 ** attempt))
  }
}

interface Line {
  /** line number in the file */
  line: number
  text: string
}

async function * readLines (file: string): AsyncGenerator<Line> {
  const input = file === '-' ? process.stdin : createReadStream(file)
  const lines = createInterface({ input, crlfDelay: Infinity })
  let line = 0
  try {
    for await (const raw of lines) {
      line++
      const text = raw.trim()
      if (text !== '') yield { line, text }
    }
  } catch (err) {
    throw new UsageError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`)
  }
}

function check ({ line, text }: Line, file: string): ReturnType<typeof parseLine> {
  try {
    return parseLine(text)
  } catch (err) {
    if (err instanceof LineError) throw new UsageError(`${file}:${line}: ${err.message}`)
    throw err
  }
}

export async function runImport (argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { batch: { type: 'string' }, ttl: { type: 'string' }, consistency: { type: 'string' } })
  if (values.help === true) {
    process.stdout.write(IMPORT_HELP)
    return EXIT.OK
  }
  if (positionals.length !== 1) throw new UsageError('usage: chord import FILE (- for stdin); see chord import --help')
  const [file] = positionals
  const batchSize = positiveInt('batch', values.batch as string | undefined, 256)
  if (values.ttl !== undefined) positiveInt('ttl', values.ttl as string, 0)
  const query = new URLSearchParams()
  if (typeof values.ttl === 'string') query.set('ttl', values.ttl)
  if (typeof values.consistency === 'string') query.set('consistency', values.consistency)

  // first pass: every line must be a record; a file (not stdin) can be read twice
  const total = file === '-' ? undefined : await checkAll(file)
  const progress = new Progress({ stream: process.stderr, mode: progressMode(process.stderr, values.progress as boolean | undefined) })
  const started = Date.now()
  const result: BatchJson = { stored: 0, bytes: 0, failed: [] }
  const show = (): void => {
    const done = result.stored + result.failed.length
    const rate = done / Math.max(0.001, (Date.now() - started) / 1000)
    progress.update(`importing: ${done}${total === undefined ? '' : ` of ${total}`} records${total === undefined || total === 0 ? '' : ` (${percent(done / total)})`}, ${formatBytes(result.bytes)}, ${Math.round(rate)} records/s`)
  }
  const transport = await connect(values)
  try {
    await importLines(transport, file, { batchSize, query, result, show })
  } finally {
    progress.done()
    await transport.close()
  }
  return reportImport(result, (Date.now() - started) / 1000, values.json === true, file)
}

/** Check every line of `file`; the number of records */
async function checkAll (file: string): Promise<number> {
  let total = 0
  for await (const line of readLines(file)) {
    check(line, file)
    total++
  }
  return total
}

interface ImportInit {
  batchSize: number
  /** ttl and consistency, for every request */
  query: URLSearchParams
  result: BatchJson
  /** a batch was answered */
  show(): void
}

/** Send the records of `file` in batches; a line too long for a batch goes alone as a PUT */
async function importLines (transport: Transport, file: string, init: ImportInit): Promise<void> {
  const { query, result, show } = init
  const suffix = query.size === 0 ? '' : `?${query.toString()}`
  let batch: Line[] = []
  let bytes = 0
  const flush = async (): Promise<void> => {
    if (batch.length > 0) await sendBatch(transport, batch, suffix, result)
    batch = []
    bytes = 0
    show()
  }
  for await (const line of readLines(file)) {
    const entry = check(line, file)
    const key = utf8(entry.key)
    if (Buffer.byteLength(line.text) > BATCH_BYTES && key !== undefined) {
      await putOne(transport, line, key, entry.value, entry.ttl, query, result)
      show()
      continue
    }
    const size = Buffer.byteLength(line.text) + 1
    if (bytes + size > BATCH_BYTES) await flush()
    batch.push(line)
    bytes += size
    if (batch.length >= init.batchSize) await flush()
  }
  await flush()
}

/** The summary on stdout, the first failure on stderr; the exit code */
function reportImport (result: BatchJson, seconds: number, json: boolean, file: string): number {
  if (json) process.stdout.write(JSON.stringify({ ...result, seconds }, null, 2) + '\n')
  else process.stdout.write(`imported ${count(result.stored, 'record')} (${formatBytes(result.bytes)}) in ${formatDuration(seconds * 1000)}\n`)
  if (result.failed.length === 0) return EXIT.OK
  const first = result.failed[0]
  process.stderr.write(`chord: ${result.failed.length} of ${result.stored + result.failed.length} records not stored; first ${file}:${first.line}: ${first.error}\n`)
  const badInput = result.failed.every(f => f.code === 'ERR_RECORD_TOO_LARGE' || f.code === 'ERR_INVALID_RECORD')
  return badInput ? EXIT.USAGE : EXIT.FAILURE
}

/** POST one batch; a body the peer finds too large is split in two until single records remain */
async function sendBatch (transport: Transport, lines: Line[], suffix: string, result: BatchJson): Promise<void> {
  const response = await send(transport, { method: 'POST', path: `/keys${suffix}`, body: encoder.encode(lines.map(l => l.text).join('\n') + '\n') })
  if (response.status === 413 && lines.length > 1) {
    const half = Math.ceil(lines.length / 2)
    await sendBatch(transport, lines.slice(0, half), suffix, result)
    await sendBatch(transport, lines.slice(half), suffix, result)
    return
  }
  if (response.status === 413) {
    result.failed.push({ line: lines[0].line, error: errorText(response), code: 'ERR_RECORD_TOO_LARGE' })
    return
  }
  if (response.status !== 200) throw apiError(response)
  const answer = JSON.parse(decoder.decode(response.body)) as BatchJson
  result.stored += answer.stored
  result.bytes += answer.bytes
  // the answer numbers lines within the batch
  for (const failure of answer.failed) result.failed.push({ ...failure, line: lines[failure.line - 1]?.line ?? failure.line })
}

/** A record too large to batch: its value as the raw body of a PUT */
async function putOne (transport: Transport, line: Line, key: string, value: Uint8Array, ttl: number | undefined, query: URLSearchParams, result: BatchJson): Promise<void> {
  const params = new URLSearchParams(query)
  if (ttl !== undefined) params.set('ttl', String(ttl))
  const response = await send(transport, { method: 'PUT', path: `/keys/${encodeURIComponent(key)}${params.size === 0 ? '' : `?${params.toString()}`}`, body: value })
  if (response.status === 200) {
    result.stored++
    result.bytes += encoder.encode(key).byteLength + value.byteLength
  } else if (response.status === 400 || response.status === 413) {
    result.failed.push({ line: line.line, error: errorText(response), code: response.status === 413 ? 'ERR_RECORD_TOO_LARGE' : 'ERR_INVALID_RECORD' })
  } else {
    throw apiError(response)
  }
}

function errorText (response: ApiResponse): string {
  try {
    return (JSON.parse(decoder.decode(response.body)) as { error: string }).error
  } catch {
    return `the API answered ${response.status}`
  }
}

export async function runExport (argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { page: { type: 'string' } })
  if (values.help === true) {
    process.stdout.write(EXPORT_HELP)
    return EXIT.OK
  }
  if (positionals.length > 0) throw new UsageError('usage: chord export (it writes to stdout); see chord export --help')
  const page = positiveInt('page', values.page as string | undefined, 256)
  // progress on stderr, unless the records themselves are going to the terminal
  const mode = process.stdout.isTTY === true && values.progress !== true ? 'off' : progressMode(process.stderr, values.progress as boolean | undefined)
  const progress = new Progress({ stream: process.stderr, mode })
  const started = Date.now()
  let keys = 0
  let bytes = 0
  // `chord export | head` closes the pipe early: that is the reader's choice, not a failure
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(EXIT.OK)
    throw err
  })

  const transport = await connect(values)
  try {
    for (let after: string | null | undefined; after !== null;) {
      const response = await send(transport, { method: 'GET', path: `/export?limit=${page}${after === undefined ? '' : `&after=${after}`}`, body: new Uint8Array(0) })
      if (response.status !== 200) throw apiError(response)
      const answer = JSON.parse(decoder.decode(response.body)) as ExportPageJson
      if (answer.records.length > 0) {
        const text = answer.records.map(r => JSON.stringify(r)).join('\n') + '\n'
        keys += answer.records.length
        bytes += text.length
        if (!process.stdout.write(text)) await once(process.stdout, 'drain')
      }
      after = answer.next
      progress.update(`exporting: ${percent(answer.progress)} of the ring, ${count(keys, 'key')}, ${formatBytes(bytes)}`)
    }
  } catch (err) {
    if (err instanceof UsageError || err instanceof FailureError) throw err
    throw new FailureError(`export failed: ${(err as Error).message}`)
  } finally {
    progress.done()
    await transport.close()
  }
  if (mode !== 'off') process.stderr.write(`exported ${count(keys, 'key')} (${formatBytes(bytes)}) in ${formatDuration(Date.now() - started)}\n`)
  return EXIT.OK
}
