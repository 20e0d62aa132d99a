/** A mistake in how the command was called: one line on stderr, exit 2 */
export class UsageError extends Error {
  static readonly code = 'ERR_USAGE'
  readonly code = UsageError.code
  constructor (message: string) {
    super(message)
    this.name = 'UsageError'
  }
}

export const EXIT = {
  OK: 0,
  /** the operation failed (unreachable daemon, ring error) */
  FAILURE: 1,
  /** bad arguments or input */
  USAGE: 2
} as const
