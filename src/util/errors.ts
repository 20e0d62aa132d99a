/**
 * The one shape of this library's errors: a message, a stable `code` that
 * callers (and remote peers) can switch on, and the class name as `name`.
 */
export class ChordError extends Error {
  readonly code: string

  /** `code` defaults to the subclass's static `code` */
  constructor (message: string, code: string = (new.target as unknown as { code: string }).code) {
    super(message)
    this.name = new.target.name
    this.code = code
  }
}

export function errorMessage (err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}
