/**
 * The `chord` command line: dispatches to the sub-commands.
 */
import { DAEMON_HELP, parseDaemonArgs, runDaemon } from './daemon.ts'
import { EXIT, UsageError } from './usage.ts'

const HELP = `Usage: chord <command> [options]

Commands:
  daemon     start a peer and keep it on the ring (chord daemon --help)

Run "chord <command> --help" for the options of a command.
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
      const options = await parseDaemonArgs(args)
      if (options === 'help') {
        process.stdout.write(DAEMON_HELP)
        return EXIT.OK
      }
      await runDaemon(options)
      return -1 // keeps running until a signal
    }
    default:
      throw new UsageError(`unknown command ${JSON.stringify(command)}; see chord --help`)
  }
}

main(process.argv.slice(2)).then(code => {
  if (code >= 0) process.exitCode = code
}, (err: Error & { code?: string }) => {
  const usage = err instanceof UsageError || err.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' || err.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' || err.code === 'ERR_BOOTSTRAP_FILE'
  process.stderr.write(`chord: ${err.message}\n`)
  process.exitCode = usage ? EXIT.USAGE : EXIT.FAILURE
})
