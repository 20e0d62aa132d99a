/**
 * The one shape of this library's errors: a message, a stable `code` that
 * callers (and remote peers) can switch on, and the class name as `name`.
 */
export class ChordError extends Error {
  readonly code: string

  constructor (message: string, code: string) {
    super(message)
    this.name = new.target.name
    this.code = code
  }
}

export function errorMessage (err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}
