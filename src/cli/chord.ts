/**
 * The `chord` command line: dispatches to the sub-commands.
 */
import { BULK_SUMMARY, runExport, runImport } from './bulk.ts'
import { CLIENT_COMMANDS, clientSummary, runClient } from './client.ts'
import { runDoctor } from './doctor.ts'
import { PSK_HELP, runPsk } from './psk.ts'
import { EXIT, UsageError } from './usage.ts'

const HELP = `Usage: chord <command> [options]

Commands:
  daemon                start a peer and keep it on the ring
  psk [FILE]            write a new pre-shared key for a private ring
  doctor --data DIR     check a stopped daemon's data directory
${clientSummary()}
${BULK_SUMMARY}

Client commands talk to a daemon's HTTP API (--api, default 127.0.0.1:5001)
or to any peer over libp2p (--peer MULTIADDR).
Run "chord <command> --help" for the options of a command.

Exit codes: 0 ok, 1 failure, 2 bad arguments or input (a damaged data
directory included), 3 key not found.
`

async function main (argv: string[]): Promise<number> {
  const [command, ...args] = argv
  switch (command) {
    case undefined:
    case '-h':
    case '--help':
    case 'help':
      process.stdout.write(HELP)
      return command === undefined ? EXIT.USAGE : EXIT.OK
    case 'daemon': {
      // libp2p loads only for the daemon, so client commands start fast
      const { DAEMON_HELP, parseDaemonArgs, runDaemon } = await import('./daemon.ts')
      const options = await parseDaemonArgs(args)
      if (options === 'help') {
        process.stdout.write(DAEMON_HELP)
        return EXIT.OK
      }
      await runDaemon(options)
      return -1 // keeps running until a signal
    }
    case 'doctor':
      return runDoctor(args)
    case 'import':
      return runImport(args)
    case 'export':
      return runExport(args)
    case 'psk':
      if (await runPsk(args) === 'help') process.stdout.write(PSK_HELP)
      return EXIT.OK
    default:
      if (CLIENT_COMMANDS.includes(command)) return runClient(command, args)
      throw new UsageError(`unknown command ${JSON.stringify(command)}; see chord --help`)
  }
}

const USAGE_CODES = new Set([
  UsageError.code,
  'ERR_PARSE_ARGS_UNKNOWN_OPTION',
  'ERR_PARSE_ARGS_INVALID_OPTION_VALUE',
  'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL',
  'ERR_BOOTSTRAP_FILE',
  // a damaged data directory: restarting will not help, so not a plain failure
  'ERR_DATA_DIR'
])

main(process.argv.slice(2)).then(code => {
  if (code >= 0) process.exitCode = code
}, (err: Error & { code?: string }) => {
  // one line, whatever the error's message holds (LevelDB's may span several)
  process.stderr.write(`chord: ${err.message.replace(/\s*\n\s*/g, ' ')}\n`)
  process.exitCode = USAGE_CODES.has(err.code ?? '') ? EXIT.USAGE : EXIT.FAILURE
})
