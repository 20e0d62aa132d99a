/**
 * Pre-shared keys for private rings (@libp2p/pnet): `chord psk [FILE]`
 * writes a new key; `--psk FILE` reads one, checked before any peer starts.
 */
import { readFile, writeFile } from 'node:fs/promises'
import { parseArgs } from 'node:util'
import { generateKey, preSharedKey } from '@libp2p/pnet'
import { UsageError } from './usage.ts'

export const PSK_HELP = `Usage: chord psk [FILE] [--force]

Write a new pre-shared key for a private ring to FILE (default: stdout).
Peers started with "chord daemon --psk FILE" only connect to peers holding
the same key; clients using --peer need it too. Keep it secret.

Options:
  --force      overwrite FILE if it exists
  -h, --help   show this help
`

/** the key file format of @libp2p/pnet: header, encoding, 64 hex digits */
const KEY_FILE_BYTES = 95

export class PskFileError extends UsageError {
  constructor (file: string, problem: string) {
    super(`${file}: ${problem}`)
    this.name = 'PskFileError'
  }
}

export async function readPsk (file: string): Promise<Uint8Array> {
  let psk: Uint8Array
  try {
    psk = new Uint8Array(await readFile(file))
  } catch (err) {
    throw new PskFileError(file, `cannot read the pre-shared key (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`)
  }
  try {
    // the protector decodes the key when built: a bad file fails here, not at the first connection
    preSharedKey({ psk })()
  } catch {
    throw new PskFileError(file, 'not a pre-shared key (expected /key/swarm/psk/1.0.0/, /base16/ and 64 hex digits, as "chord psk" writes)')
  }
  return psk
}

export async function runPsk (args: string[]): Promise<'help' | undefined> {
  const { values, positionals } = parseArgs({
    args,
    options: { force: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    allowPositionals: true
  })
  if (values.help === true) return 'help'
  if (positionals.length > 1) throw new UsageError('chord psk takes at most one FILE; see chord psk --help')
  const key = new Uint8Array(KEY_FILE_BYTES)
  generateKey(key)
  const [file] = positionals
  if (file === undefined) {
    process.stdout.write(new TextDecoder().decode(key) + '\n')
    return
  }
  try {
    await writeFile(file, key, { mode: 0o600, flag: values.force === true ? 'w' : 'wx' })
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'EEXIST') throw new UsageError(`${file} exists; use --force to replace it`)
    throw new Error(`cannot write ${file}: ${code ?? (err as Error).message}`)
  }
  process.stderr.write(`wrote a new pre-shared key to ${file}\n`)
}
