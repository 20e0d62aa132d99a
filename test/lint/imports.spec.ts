/**
 * The import graph of src/: layers import only downward (ring ← store ←
 * rpc ← service ← api ← cli), ring/ and store/ use no libp2p module but
 * @libp2p/interface's types and errors (the simulator drives them), and the
 * API and the CLI reach the service only through its public modules (the
 * package's entry points) and util/, never its ring/, store/ or rpc/ internals.
 */
import assert from 'node:assert/strict'
import { readFile, readdir } from 'node:fs/promises'
import { dirname, join, relative, resolve } from 'node:path'

const ROOT = resolve(import.meta.dirname, '../..')
const SRC = join(ROOT, 'src')

/** lower layers first; a module may import its own layer and those below */
const LAYERS = ['util', 'ring', 'store', 'rpc', 'service', 'api', 'cli'] as const
type Layer = typeof LAYERS[number]

/** what package.json exports: all the API and the CLI may import from the service */
const PUBLIC = new Set(['index.ts', 'node.ts'])

/** the layer of a path relative to src/: its folder; files at the top (and persistence/) are the service */
export function layerOf (path: string): Layer {
  const folder = path.includes('/') ? path.slice(0, path.indexOf('/')) : ''
  if ((LAYERS as readonly string[]).includes(folder)) return folder as Layer
  return 'service'
}

interface Import {
  specifier: string
  /** `import type` / `export type`: no code runs */
  typeOnly: boolean
}

/** every module a TypeScript file imports or re-exports, static or dynamic */
export function importsOf (text: string): Import[] {
  const found: Import[] = []
  const statements = /^\s*(?:import|export)\s[^;]*?\bfrom\s*['"]([^'"]+)['"]|^\s*import\s*['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)/gm
  for (const m of text.matchAll(statements)) {
    found.push({ specifier: m[1] ?? m[2] ?? m[3], typeOnly: /^\s*(?:import|export)\s+type\s/.test(m[0]) })
  }
  return found
}

/** The rules one file breaks: `file` relative to src/, its source text */
export function violations (file: string, text: string): string[] {
  const from = layerOf(file)
  const out: string[] = []
  for (const { specifier, typeOnly } of importsOf(text)) {
    if (!specifier.startsWith('.')) {
      if ((from === 'ring' || from === 'store') && !typeOnly && /^(libp2p$|@libp2p\/(?!interface$)|@chainsafe\/)/.test(specifier)) {
        out.push(`${file}: ${from}/ does no libp2p I/O, yet imports ${specifier}`)
      }
      continue
    }
    const target = relative(SRC, resolve(SRC, dirname(file), specifier)).split('\\').join('/')
    if (target.startsWith('..')) continue
    const to = layerOf(target)
    if (LAYERS.indexOf(to) > LAYERS.indexOf(from)) out.push(`${file}: ${from}/ imports ${target}, a layer above it (${to})`)
    // util/ holds what every layer uses (errors, clock, log): any layer may import it
    else if ((from === 'api' || from === 'cli') && to !== 'api' && to !== 'cli' && to !== 'util' && !PUBLIC.has(target)) {
      out.push(`${file}: ${from}/ imports ${target}; use the service's public modules (${[...PUBLIC].join(', ')})`)
    }
  }
  return out
}

async function sourceFiles (dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true })
  return entries.filter(e => e.isFile() && e.name.endsWith('.ts')).map(e => relative(SRC, join(e.parentPath, e.name)).split('\\').join('/'))
}

describe('import graph of src/', () => {
  it('finds the imports of a file, and each kind of violation', () => {
    assert.deepEqual(importsOf(`import { a } from '../ring/id.ts'\nimport type {\n  B\n} from './b.ts'\nexport { c } from '../store/c.ts'\nconst d = await import('./d.ts')\nimport 'side-effect'`),
      [['../ring/id.ts', false], ['./b.ts', true], ['../store/c.ts', false], ['./d.ts', false], ['side-effect', false]].map(([specifier, typeOnly]) => ({ specifier, typeOnly })))
    assert.equal(violations('api/export.ts', "import { replicaSet } from '../store/replicas.ts'").length, 1)
    assert.equal(violations('api/json.ts', "import type { NodeRef } from '../ring/types.ts'").length, 1)
    assert.equal(violations('cli/daemon-log.ts', "import { describeNode } from '../ring/node-ref.ts'").length, 1)
    assert.equal(violations('ring/ring-peer.ts', "import { x } from '../store/record.ts'").length, 1)
    assert.equal(violations('store/local-store.ts', "import { RpcClient } from '../rpc/rpc-client.ts'").length, 1)
    assert.equal(violations('rpc/rpc-client.ts', "import { startApi } from '../api/index.ts'").length, 1)
    assert.equal(violations('chord.ts', "import { runDaemon } from './cli/daemon.ts'").length, 1)
    assert.equal(violations('api/index.ts', "import { runDaemon } from '../cli/daemon.ts'").length, 1)
    assert.equal(violations('store/hlc.ts', "import { peerIdFromString } from '@libp2p/peer-id'").length, 1)
    assert.deepEqual(violations('store/local-store.ts', "import type { AbortOptions } from '@libp2p/interface'"), [])
    // what is allowed
    assert.deepEqual(violations('api/export.ts', "import { keyId } from '../index.ts'\nimport { toLine } from './lines.ts'"), [])
    assert.deepEqual(violations('cli/daemon.ts', "import { startApi } from '../api/index.ts'\nimport { createChordNode } from '../node.ts'"), [])
    assert.deepEqual(violations('chord.ts', "import { RingPeer } from './ring/ring-peer.ts'\nimport { StoreRpcClient } from './rpc/store-protocol.ts'"), [])
    assert.deepEqual(violations('rpc/store-protocol.ts', "import { keyId } from '../ring/id.ts'\nimport { decodeRecord } from '../store/record.ts'"), [])
  })

  it('holds in every file of src/', async () => {
    const files = await sourceFiles(SRC)
    assert.ok(files.some(f => f.startsWith('api/')) && files.some(f => f.startsWith('ring/')), `src/ files not found: ${files.length}`)
    const found = (await Promise.all(files.map(async f => violations(f, await readFile(join(SRC, f), 'utf8'))))).flat()
    assert.deepEqual(found, [])
  })
})
