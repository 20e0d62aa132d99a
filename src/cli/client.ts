/**
 * The client commands: put, get, del, has, lookup, ring, stats. Each builds
 * one API request, sends it to a daemon's HTTP API or to a peer over libp2p,
 * and prints the answer for people, or as JSON with --json.
 */
import { readFile, stat } from 'node:fs/promises'
import { parseArgs } from 'node:util'
import { formatLookup, formatRing, formatStats } from './format.ts'
import { httpTransport, peerTransport } from './transport.ts'
import { readPsk } from './psk.ts'
import { EXIT, FailureError, UsageError, parseHostPort, positiveInt } from './usage.ts'
import type { Transport } from './transport.ts'
import type { ApiRequest, ApiResponse, ErrorJson, LookupJson, RingJson, StatsJson } from '../api/index.ts'
import type { ParseArgsConfig } from 'node:util'

/** the HTTP API of a daemon started with the defaults */
export const DEFAULT_API = '127.0.0.1:5001'
/** values read from stdin or --file beyond this are refused before sending (the ring's own limit is usually 1 MiB) */
const MAX_INPUT_BYTES = 64 * 1024 * 1024

export const CONNECTION_HELP = `Connection:
  --api HOST:PORT     the daemon's HTTP API (default ${DEFAULT_API}; the URL it
                      logs, http://HOST:PORT, works too)
  --peer MULTIADDR    ask this peer over libp2p instead; it routes the request
                      through the ring (e.g. /ip4/10.0.0.5/tcp/4001)
  --psk FILE          with --peer: the pre-shared key of a private ring
  --timeout MS        give up after MS milliseconds (default 30000)
  --json              print JSON instead of text
  -h, --help          show this help

Exit codes: 0 ok, 1 failure (daemon or peer unreachable, ring cannot serve),
2 bad arguments or input (e.g. a value over the size limit), 3 key not found.
`

export type Values = Record<string, string | boolean | undefined>

interface Command {
  usage: string
  /** one line for chord --help */
  summary: string
  about: string
  /** names of the positional arguments; a trailing ? marks an optional one */
  args: string[]
  options?: ParseArgsConfig['options']
  optionsHelp?: string
  request(args: string[], values: Values): Promise<ApiRequest>
  /** print the successful answer; returns the exit code */
  print(response: ApiResponse, args: string[], json: boolean): number
}

const empty = new Uint8Array(0)
const encoder = new TextEncoder()
const decoder = new TextDecoder()
const keyPath = (key: string, suffix = ''): string => `/keys/${encodeURIComponent(key)}${suffix}`
const parseJson = <T>(response: ApiResponse): T => JSON.parse(decoder.decode(response.body)) as T
const out = (text: string): void => { process.stdout.write(text) }
const printJson = (value: unknown): void => { out(JSON.stringify(value, null, 2) + '\n') }

function query (values: Values, names: string[]): string {
  const params = new URLSearchParams()
  for (const name of names) {
    const value = values[name]
    if (typeof value === 'string') params.set(name, value)
  }
  const text = params.toString()
  return text === '' ? '' : `?${text}`
}

const consistencyOption = { consistency: { type: 'string' } } as const
const consistencyHelp = '  --consistency C     ONE, QUORUM (default) or ALL replicas must answer\n'

/** put and del: the JSON answer with --json, else "<verb> KEY" */
const printDone = (verb: string): Command['print'] => (response, [key], json) => {
  if (json) printJson(parseJson(response))
  else out(`${verb} ${JSON.stringify(key)}\n`)
  return EXIT.OK
}

/** lookup, ring and stats: the JSON answer with --json, else its text form */
const printFormatted = <T>(format: (answer: T, args: string[]) => string): Command['print'] => (response, args, json) => {
  const answer = parseJson<T>(response)
  if (json) printJson(answer)
  else out(format(answer, args))
  return EXIT.OK
}

/** get, del and has: one KEY argument, --consistency, and a body-less request on the key */
function keyCommand (method: ApiRequest['method']): Pick<Command, 'args' | 'options' | 'optionsHelp' | 'request'> {
  return {
    args: ['KEY'],
    options: consistencyOption,
    optionsHelp: consistencyHelp,
    request: async ([key], values) => ({ method, path: keyPath(key) + query(values, ['consistency']), body: empty })
  }
}

const COMMANDS: Record<string, Command> = {
  put: {
    usage: 'chord put KEY [VALUE] [--file FILE]',
    summary: 'store a value (from VALUE, --file or stdin)',
    about: 'Store VALUE under KEY. Without VALUE (or with -), the value is read from\n--file FILE or from stdin.',
    args: ['KEY', 'VALUE?'],
    options: { file: { type: 'string' }, ttl: { type: 'string' }, ...consistencyOption },
    optionsHelp: '  --file FILE         read the value from FILE\n  --ttl MS            the key expires after MS milliseconds\n' + consistencyHelp,
    request: async ([key, value], values) => {
      if (values.ttl !== undefined) positiveInt('ttl', values.ttl as string, 0)
      return { method: 'PUT', path: keyPath(key) + query(values, ['ttl', 'consistency']), body: await valueOf(value, values.file as string | undefined) }
    },
    print: printDone('stored')
  },
  get: {
    usage: 'chord get KEY',
    summary: 'print the value of a key',
    about: 'Print the value stored under KEY (its bytes as stored; --json gives UTF-8\ntext or base64).',
    ...keyCommand('GET'),
    print: (response, [key], json) => {
      const value = response.body
      if (json) {
        const text = utf8(value)
        printJson(text === undefined ? { key, value: Buffer.from(value).toString('base64'), encoding: 'base64' } : { key, value: text, encoding: 'utf8' })
      } else {
        process.stdout.write(value)
        // a terminal gets its prompt on a new line; a pipe gets the exact bytes
        if (process.stdout.isTTY && value.at(-1) !== 0x0a) out('\n')
      }
      return EXIT.OK
    }
  },
  del: {
    usage: 'chord del KEY',
    summary: 'delete a key',
    about: 'Delete KEY (a tombstone replaces the value on every replica).',
    ...keyCommand('DELETE'),
    print: printDone('deleted')
  },
  has: {
    usage: 'chord has KEY',
    summary: 'say whether a key has a value',
    about: 'Say whether a value is stored under KEY: prints yes (exit 0) or no (exit 3).',
    ...keyCommand('HEAD'),
    print: (_response, [key], json) => {
      if (json) printJson({ key, exists: true })
      else out('yes\n')
      return EXIT.OK
    }
  },
  lookup: {
    usage: 'chord lookup KEY',
    summary: 'the peers holding a key, and the hops to find them',
    about: 'Show which peer owns KEY, its replicas and what each holds, and the hops\nthe lookup took.',
    args: ['KEY'],
    request: async ([key]) => ({ method: 'GET', path: keyPath(key, '/lookup'), body: empty }),
    print: printFormatted<LookupJson>((lookup, [key]) => formatLookup(key, lookup))
  },
  ring: {
    usage: 'chord ring',
    summary: 'the ring as the peer sees it',
    about: 'Show the ring as the peer sees it: its positions, predecessor, successor\nlist, fingers and the keys it holds.',
    args: [],
    request: async () => ({ method: 'GET', path: '/ring', body: empty }),
    print: printFormatted<RingJson>(formatRing)
  },
  stats: {
    usage: 'chord stats [--local]',
    summary: 'storage use and traffic, keys per peer',
    about: 'Show the peer\'s storage use and traffic, and the keys held by every peer\nof the ring (found by following the ring from this peer).',
    args: [],
    options: { local: { type: 'boolean' } },
    optionsHelp: '  --local             only this peer, without asking the others\n',
    request: async (_args, values) => ({ method: 'GET', path: values.local === true ? '/stats' : '/stats?peers=true', body: empty }),
    print: printFormatted<StatsJson>(formatStats)
  }
}

export const CLIENT_COMMANDS = Object.keys(COMMANDS)

export function clientSummary (): string {
  return CLIENT_COMMANDS.map(name => `  ${COMMANDS[name].usage.replace(/^chord /, '').replace(/ \[--.*$/, '').padEnd(22)}${COMMANDS[name].summary}`).join('\n')
}

function help (command: Command): string {
  return `Usage: ${command.usage} [connection options]\n\n${command.about}\n\n${command.optionsHelp === undefined ? '' : `Options:\n${command.optionsHelp}\n`}${CONNECTION_HELP}`
}

/** the options every client command takes */
export const CONNECTION_OPTIONS = {
  api: { type: 'string' },
  peer: { type: 'string' },
  psk: { type: 'string' },
  timeout: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' }
} as const satisfies ParseArgsConfig['options']

/** The daemon's HTTP API or, with --peer, a peer over libp2p, as the options say */
export async function connect (values: Values): Promise<Transport> {
  if (values.api !== undefined && values.peer !== undefined) throw new UsageError('use either --api or --peer, not both')
  if (values.psk !== undefined && values.peer === undefined) throw new UsageError('--psk only applies with --peer (the daemon holds its own key)')
  const timeout = positiveInt('timeout', values.timeout as string | undefined, 30_000)
  return typeof values.peer === 'string'
    ? await peerTransport(values.peer, values.psk === undefined ? undefined : await readPsk(values.psk as string), timeout)
    : httpTransport(parseHostPort('api', (values.api as string | undefined) ?? DEFAULT_API), timeout)
}

export async function runClient (name: string, argv: string[]): Promise<number> {
  const command = COMMANDS[name]
  const { values, positionals } = parseArgs({
    args: argv,
    options: { ...CONNECTION_OPTIONS, ...command.options },
    allowPositionals: true
  })
  if (values.help === true) {
    out(help(command))
    return EXIT.OK
  }
  const required = command.args.filter(a => !a.endsWith('?')).length
  if (positionals.length < required || positionals.length > command.args.length) {
    throw new UsageError(`usage: ${command.usage}; see chord ${name} --help`)
  }
  if (positionals[0] === '') throw new UsageError('KEY must not be empty')
  if (values.api !== undefined && values.peer !== undefined) throw new UsageError('use either --api or --peer, not both')
  if (values.psk !== undefined && values.peer === undefined) throw new UsageError('--psk only applies with --peer (the daemon holds its own key)')
  positiveInt('timeout', values.timeout as string | undefined, 30_000)
  const request = await command.request(positionals, values)

  const transport = await connect(values)
  try {
    const response = await transport.request(request)
    if (response.status < 400) return command.print(response, positionals, values.json === true)
    return failed(name, positionals[0], response, values.json === true)
  } finally {
    await transport.close()
  }
}

/** An error answer: one line on stderr (or a "no" for has), and the exit code it maps to */
function failed (name: string, key: string | undefined, response: ApiResponse, json: boolean): number {
  if (response.status === 404 && (name === 'has' || response.body.byteLength === 0 || errorOf(response).code === 'ERR_NOT_FOUND')) {
    if (name === 'has') {
      if (json) printJson({ key, exists: false })
      else out('no\n')
    } else {
      process.stderr.write(`chord: no value stored under ${JSON.stringify(key)}\n`)
    }
    return EXIT.NOT_FOUND
  }
  throw apiError(response)
}

/** An error answer as the error to exit with: the caller's mistake (2) or a failure (1) */
export function apiError (response: ApiResponse): UsageError | FailureError {
  const { error } = errorOf(response)
  if (response.status === 400 || response.status === 413) return new UsageError(error)
  return new FailureError(response.status === 503 ? `the ring cannot serve this now: ${error}` : error)
}

function errorOf (response: ApiResponse): ErrorJson {
  try {
    const body = parseJson<Partial<ErrorJson>>(response)
    if (typeof body.error === 'string') return { error: body.error, code: body.code ?? 'ERR_UNKNOWN' }
  } catch {}
  return { error: `the API answered ${response.status}`, code: 'ERR_UNKNOWN' }
}

function utf8 (bytes: Uint8Array): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch {
    return undefined
  }
}

/** The value to put: the argument, --file, or stdin */
async function valueOf (value: string | undefined, file: string | undefined): Promise<Uint8Array> {
  if (value !== undefined && value !== '-') {
    if (file !== undefined) throw new UsageError('give the value either as an argument or with --file, not both')
    return encoder.encode(value)
  }
  if (file !== undefined) {
    try {
      const { size } = await stat(file)
      if (size > MAX_INPUT_BYTES) throw new UsageError(`--file ${file} is ${size} bytes, more than any ring accepts`)
      return new Uint8Array(await readFile(file))
    } catch (err) {
      if (err instanceof UsageError) throw err
      throw new UsageError(`cannot read --file ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`)
    }
  }
  if (process.stdin.isTTY) throw new UsageError('no value: give VALUE, --file FILE, or pipe the value on stdin')
  const chunks: Buffer[] = []
  let total = 0
  for await (const chunk of process.stdin as AsyncIterable<Buffer>) {
    total += chunk.byteLength
    if (total > MAX_INPUT_BYTES) throw new UsageError(`the value on stdin is more than ${MAX_INPUT_BYTES} bytes, more than any ring accepts`)
    chunks.push(chunk)
  }
  return new Uint8Array(Buffer.concat(chunks, total))
}
