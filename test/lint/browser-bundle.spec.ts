/**
 * The service builds for browsers: its entry point bundles with esbuild for
 * platform=browser without any Node built-in (node:crypto, fs, Buffer, …),
 * and the package's exports keep the daemon-only parts (LevelDB, files, the
 * HTTP API, the CLI: libp2p-chord/node) out of browser builds.
 */
import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { builtinModules } from 'node:module'
import { join } from 'node:path'
import { build } from 'esbuild'
import { ROOT } from '../fixtures/daemons.ts'
import type { BuildOptions, Metafile } from 'esbuild'

const BUILTINS = new Set(builtinModules.flatMap(m => [m, `node:${m}`]))
/** Node globals that do not exist in browsers */
const NODE_GLOBALS = /\b(Buffer|process|__dirname|__filename|require)\s*[.(]/

interface BrowserBuild {
  /** esbuild's errors (an import it could not resolve for the browser) */
  errors: string[]
  /** Node built-ins any bundled module imports, and our own sources that use Node's globals */
  nodeOnly: string[]
}

/** Bundle `entry` for platform=browser and list everything in it that is Node's */
async function bundleForBrowser (entry: Pick<BuildOptions, 'entryPoints' | 'stdin'>): Promise<BrowserBuild> {
  let metafile: Metafile
  try {
    ({ metafile } = await build({ ...entry, absWorkingDir: ROOT, bundle: true, platform: 'browser', format: 'esm', target: 'es2022', write: false, metafile: true, logLevel: 'silent' }))
  } catch (err) {
    const errors = (err as { errors?: Array<{ text: string, notes: Array<{ text: string }> }> }).errors
    if (errors === undefined) throw err
    return { errors: errors.map(e => [e.text, ...e.notes.map(n => n.text)].join(' ')), nodeOnly: [] }
  }
  const nodeOnly: string[] = []
  for (const [file, input] of Object.entries(metafile.inputs)) {
    // a module a package's browser field turned off, or a built-in left as it is
    if (file.startsWith('(disabled):') || BUILTINS.has(file)) nodeOnly.push(file)
    for (const imported of input.imports) {
      if (BUILTINS.has(imported.path) || imported.path.startsWith('node:')) nodeOnly.push(`${file} imports ${imported.path}`)
    }
    if (file.startsWith('src/') && NODE_GLOBALS.test(stripComments(await readFile(join(ROOT, file), 'utf8')))) nodeOnly.push(`${file} uses a Node global`)
  }
  return { errors: [], nodeOnly }
}

function stripComments (source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '')
}

describe('browser build', function () {
  this.timeout(60_000)

  it('the service (src/index.ts) bundles for platform=browser with no Node built-in', async () => {
    const result = await bundleForBrowser({ entryPoints: ['src/index.ts'] })
    assert.deepEqual(result, { errors: [], nodeOnly: [] })
  })

  it('fails on a node: import, a bare built-in, or a Node global in our sources', async () => {
    const prefixed = await bundleForBrowser({ stdin: { contents: "import { createHash } from 'node:crypto'; export const h = createHash", resolveDir: ROOT } })
    assert.match(prefixed.errors.join('\n'), /node:crypto/)
    const bare = await bundleForBrowser({ stdin: { contents: "export { readFileSync } from 'fs'", resolveDir: ROOT } })
    assert.match(bare.errors.join('\n'), /"fs"/)
    assert.ok(NODE_GLOBALS.test("const hex = Buffer.from(bytes).toString('hex')"))
    assert.ok(!NODE_GLOBALS.test(stripComments('// unlike Buffer.from, this runs anywhere\nconst x = 1')))
  })

  it('package exports: libp2p-chord resolves for browsers, libp2p-chord/node (LevelDB, files) only for Node', async function () {
    const pkg = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { exports: Record<string, Record<string, string>> }
    assert.deepEqual(Object.keys(pkg.exports['./node']).filter(c => c !== 'types'), ['node'])
    const node = await bundleForBrowser({ stdin: { contents: "export * from 'libp2p-chord/node'", resolveDir: ROOT } })
    assert.match(node.errors.join('\n'), /"\.\/node" is not currently exported/)
    assert.equal(pkg.exports['.'].browser, './dist/src/index.js')
    if (!existsSync(join(ROOT, 'dist/src/index.js'))) {
      if (process.env.CI !== undefined) throw new Error('dist/ missing: .ci/run builds before the tests')
      console.log('      (dist/ not built: checked src/index.ts only; after npm run build this bundles the package itself too)')
      return
    }
    assert.deepEqual(await bundleForBrowser({ stdin: { contents: "export * from 'libp2p-chord'", resolveDir: ROOT } }), { errors: [], nodeOnly: [] })
  })
})
