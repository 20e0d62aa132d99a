/**
 * Sizes in src/: no hand-written file over 400 lines and no function (a
 * declaration, method, constructor, accessor, function expression or arrow
 * function) over 60 lines, counted from the line the function starts on to
 * the line it ends on. The files are parsed with the TypeScript compiler's
 * own parser (typescript 7's API, given the files through a virtual file
 * system), so strings, comments and nesting are read as the compiler reads them.
 *
 * Exempt: generated protons code (src/ ** /pb/, `npm run protos` writes it),
 * and src/api/viewer/script.ts, which is one String.raw template holding the
 * viewer's browser script: TypeScript sees a single constant, not functions,
 * and test/network/viewer.spec.ts checks that script in a browser.
 */
import assert from 'node:assert/strict'
import { readFile, readdir } from 'node:fs/promises'
import { join, relative, resolve } from 'node:path'
import { API } from 'typescript/unstable/sync'
import { createVirtualFileSystem } from 'typescript/unstable/fs'
import { SyntaxKind, type Node, type SourceFile } from 'typescript/unstable/ast'

const ROOT = resolve(import.meta.dirname, '../..')
const SRC = join(ROOT, 'src')
const MAX_FILE_LINES = 400
const MAX_FUNCTION_LINES = 60

/** src/-relative paths left out, and why (see the header) */
function exempt (file: string): boolean {
  return /(^|\/)pb\//.test(file) || file === 'api/viewer/script.ts'
}

const FUNCTION_KINDS = new Set<SyntaxKind>([
  SyntaxKind.FunctionDeclaration, SyntaxKind.FunctionExpression, SyntaxKind.ArrowFunction,
  SyntaxKind.MethodDeclaration, SyntaxKind.Constructor, SyntaxKind.GetAccessor, SyntaxKind.SetAccessor
])

/** a readable name for a function: its own, or that of what it is assigned to */
function nameOf (node: Node, sf: SourceFile): string {
  const text = (n: Node): string => sf.text.slice(n.getStart(sf), n.end)
  const nameNode = (n: Node | undefined): Node | undefined => (n as Node & { name?: Node } | undefined)?.name
  if (node.kind === SyntaxKind.ArrowFunction || node.kind === SyntaxKind.FunctionExpression) {
    const assignedTo = nameNode(node) ?? nameNode(node.parent)
    return assignedTo !== undefined ? text(assignedTo) : '<anonymous>'
  }
  const own = nameNode(node)
  const name = own !== undefined ? text(own) : node.kind === SyntaxKind.Constructor ? 'constructor' : '<anonymous>'
  const className = node.parent?.kind === SyntaxKind.ClassDeclaration ? nameNode(node.parent) : undefined
  return className !== undefined ? `${text(className)}.${name}` : name
}

/** lines from a node's first token (after its comments) to its last, both counted */
function linesOf (node: Node, sf: SourceFile): number {
  return sf.getLineAndCharacterOfPosition(node.end).line - sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1
}

/** Every size rule the given files break; `files` maps a src/-relative path to its text */
export function sizeViolations (files: Record<string, string>): string[] {
  const names = Object.keys(files)
  const fs = createVirtualFileSystem({
    '/src/tsconfig.json': JSON.stringify({ compilerOptions: { noLib: true, types: [], noResolve: true }, files: names }),
    ...Object.fromEntries(names.map(name => [`/src/${name}`, files[name]]))
  })
  const api = new API({ fs, cwd: '/src' })
  try {
    const program = api.updateSnapshot({ openProject: '/src/tsconfig.json' }).getProject('/src/tsconfig.json')?.program
    assert.ok(program !== undefined, 'the TypeScript API opened no project')
    const out: string[] = []
    for (const name of names) {
      const sf = program.getSourceFile(`/src/${name}`)
      assert.ok(sf !== undefined, `the TypeScript API did not parse ${name}`)
      const fileLines = files[name].split('\n').length - (files[name].endsWith('\n') ? 1 : 0)
      if (fileLines > MAX_FILE_LINES) out.push(`${name}: ${fileLines} lines (file limit ${MAX_FILE_LINES})`)
      const visit = (node: Node): void => {
        if (FUNCTION_KINDS.has(node.kind)) {
          const lines = linesOf(node, sf)
          const line = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1
          if (lines > MAX_FUNCTION_LINES) out.push(`${name}:${line} ${nameOf(node, sf)}: ${lines} lines (function limit ${MAX_FUNCTION_LINES})`)
        }
        node.forEachChild(visit)
      }
      visit(sf)
    }
    return out
  } finally {
    api.close()
  }
}

async function handWrittenFiles (): Promise<Record<string, string>> {
  const entries = await readdir(SRC, { withFileTypes: true, recursive: true })
  const paths = entries.filter(e => e.isFile() && e.name.endsWith('.ts'))
    .map(e => relative(SRC, join(e.parentPath, e.name)).split('\\').join('/'))
    .filter(f => !exempt(f))
    .sort()
  return Object.fromEntries(await Promise.all(paths.map(async f => [f, await readFile(join(SRC, f), 'utf8')] as const)))
}

/** `n` lines of statements, for synthetic functions */
const body = (n: number, indent = '  '): string => Array.from({ length: n }, (_, i) => `${indent}void ${i}`).join('\n')

describe('sizes of src/ files and functions', () => {
  it('finds a long file and each kind of long function, and passes short ones', () => {
    const long = {
      'big.ts': body(MAX_FILE_LINES + 1, '') + '\n',
      'fns.ts': [
        `export function declared () {\n${body(MAX_FUNCTION_LINES - 1)}\n}`, // 61 lines with its braces
        `export const arrow = () => {\n${body(MAX_FUNCTION_LINES - 1)}\n}`,
        `export class Peer {\n  constructor () {\n${body(MAX_FUNCTION_LINES - 1, '    ')}\n  }\n  lookup () {\n${body(MAX_FUNCTION_LINES - 1, '    ')}\n  }\n}`,
        // a template literal holding `function` text is a string, not a function
        `export const text = \`function fake () {\n${body(MAX_FUNCTION_LINES + 5)}\n}\``
      ].join('\n')
    }
    const found = sizeViolations(long)
    assert.deepEqual(found, [
      `big.ts: ${MAX_FILE_LINES + 1} lines (file limit ${MAX_FILE_LINES})`,
      `fns.ts:1 declared: ${MAX_FUNCTION_LINES + 1} lines (function limit ${MAX_FUNCTION_LINES})`,
      `fns.ts:${MAX_FUNCTION_LINES + 2} arrow: ${MAX_FUNCTION_LINES + 1} lines (function limit ${MAX_FUNCTION_LINES})`,
      `fns.ts:${2 * MAX_FUNCTION_LINES + 4} Peer.constructor: ${MAX_FUNCTION_LINES + 1} lines (function limit ${MAX_FUNCTION_LINES})`,
      `fns.ts:${3 * MAX_FUNCTION_LINES + 5} Peer.lookup: ${MAX_FUNCTION_LINES + 1} lines (function limit ${MAX_FUNCTION_LINES})`
    ])
    // at the limits: nothing to report
    assert.deepEqual(sizeViolations({
      'ok.ts': `export function atLimit () {\n${body(MAX_FUNCTION_LINES - 2)}\n}\n` + body(MAX_FILE_LINES - MAX_FUNCTION_LINES, '') + '\n'
    }), [])
  })

  it('holds in every hand-written file of src/', async () => {
    const files = await handWrittenFiles()
    assert.ok(Object.keys(files).some(f => f.startsWith('api/')) && Object.keys(files).some(f => f.startsWith('ring/')), 'src/ files not found')
    assert.deepEqual(sizeViolations(files), [])
  })
})
