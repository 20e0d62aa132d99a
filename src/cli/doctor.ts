/**
 * `chord doctor --data DIR`: check a stopped daemon's data directory and
 * say what is wrong with it (src/persistence/doctor.ts does the checks).
 */
import { parseArgs } from 'node:util'
import { EXIT, UsageError } from './usage.ts'

export const DOCTOR_HELP = `Usage: chord doctor --data DIR

Check the data directory of a stopped daemon: its chord.json (format and
ring), peer.key, the LevelDB datastore, every stored record, the clock's
mark and the free disk space. Prints one line per check; exit 0 when all
pass, 1 when something is wrong (the line says what, and what to do).

Options:
  --data DIR   the daemon's data directory (as given to chord daemon --data)
  --json       print the findings as JSON
  -h, --help   show this help
`

export async function runDoctor (args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { data: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } })
  if (values.help === true) {
    process.stdout.write(DOCTOR_HELP)
    return EXIT.OK
  }
  if (values.data === undefined) throw new UsageError('doctor needs --data DIR; see chord doctor --help')
  // the checks load LevelDB: only this command pays for it
  const { examineDataDir } = await import('../node.ts')
  const report = await examineDataDir(values.data)
  if (values.json === true) {
    process.stdout.write(JSON.stringify(report, null, 2) + '\n')
  } else {
    for (const f of report.findings) process.stdout.write(`${f.ok ? 'ok  ' : 'FAIL'}  ${f.part.padEnd(10)} ${f.detail}\n`)
    process.stdout.write(report.healthy ? `${values.data}: healthy\n` : `${values.data}: damaged (see FAIL above)\n`)
  }
  return report.healthy ? EXIT.OK : EXIT.FAILURE
}
