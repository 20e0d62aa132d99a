/**
 * bootstrap.json: where a daemon looks for ring members to join through.
 *
 *   { "peers": ["/ip4/192.168.1.10/tcp/4001", "/dns4/seed.lan/tcp/4001/p2p/12D3Koo…"] }
 *
 * `peers` is required (an empty list starts a new ring); other top-level
 * fields are reserved for options and ignored.
 */
import { readFile } from 'node:fs/promises'
import { multiaddr } from '@multiformats/multiaddr'

export class BootstrapFileError extends Error {
  static readonly code = 'ERR_BOOTSTRAP_FILE'
  readonly code = BootstrapFileError.code
  constructor (file: string, problem: string) {
    super(`${file}: ${problem}`)
    this.name = 'BootstrapFileError'
  }
}

export interface BootstrapFile {
  peers: string[]
}

export function parseBootstrap (file: string, text: string): BootstrapFile {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (err) {
    throw new BootstrapFileError(file, `not valid JSON (${(err as Error).message})`)
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new BootstrapFileError(file, 'expected an object like { "peers": ["/ip4/…/tcp/4001"] }')
  }
  const peers = (json as { peers?: unknown }).peers
  if (!Array.isArray(peers)) throw new BootstrapFileError(file, '"peers" must be an array of multiaddr strings')
  peers.forEach((peer, i) => {
    if (typeof peer !== 'string') throw new BootstrapFileError(file, `peers[${i}] is not a string`)
    try {
      multiaddr(peer)
    } catch (err) {
      throw new BootstrapFileError(file, `peers[${i}] ${JSON.stringify(peer)} is not a multiaddr (${(err as Error).message})`)
    }
  })
  return { peers: peers as string[] }
}

export async function readBootstrap (file: string): Promise<BootstrapFile> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (err) {
    throw new BootstrapFileError(file, `cannot read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`)
  }
  return parseBootstrap(file, text)
}
