/**
 * A small value rewritten in place in a file of fixed size, created (and
 * its blocks allocated) up front: overwriting blocks a file already owns
 * needs no free space, so the value can still be written, and synced, while
 * the disk is full. The hybrid clock's mark lives in one, so a peer on a full
 * disk can still stamp the writes it coordinates for other replicas.
 */
import { open } from 'node:fs/promises'
import { dirname } from 'node:path'
import { syncDir } from './files.ts'
import type { FileHandle } from 'node:fs/promises'

/** bytes in the file: the value, then zeros */
export const MARK_FILE_BYTES = 64

export class MarkFile {
  readonly path: string
  private handle: FileHandle | undefined

  constructor (path: string) {
    this.path = path
  }

  /** Open it, creating it blank (and synced) if it does not exist */
  async open (): Promise<void> {
    const handle = await open(this.path, 'a+', 0o600)
    try {
      if ((await handle.stat()).size < MARK_FILE_BYTES) {
        await handle.close()
        this.handle = await open(this.path, 'r+')
        await this.handle.write(new Uint8Array(MARK_FILE_BYTES), 0, MARK_FILE_BYTES, 0)
        await this.handle.sync()
        await syncDir(dirname(this.path))
        return
      }
      await handle.close()
      this.handle = await open(this.path, 'r+')
    } catch (err) {
      await handle.close().catch(() => {})
      throw err
    }
  }

  /** The value, or undefined while the file is blank */
  async read (): Promise<Uint8Array | undefined> {
    const bytes = new Uint8Array(MARK_FILE_BYTES)
    await this.opened().read(bytes, 0, MARK_FILE_BYTES, 0)
    const end = bytes.indexOf(0)
    return end === 0 ? undefined : bytes.slice(0, end === -1 ? MARK_FILE_BYTES : end)
  }

  /** Replace the value in place and sync it */
  async write (value: Uint8Array): Promise<void> {
    if (value.byteLength >= MARK_FILE_BYTES || value.includes(0)) throw new RangeError(`a mark is at most ${MARK_FILE_BYTES - 1} non-zero bytes`)
    const bytes = new Uint8Array(MARK_FILE_BYTES)
    bytes.set(value)
    await this.opened().write(bytes, 0, MARK_FILE_BYTES, 0)
    await this.opened().datasync()
  }

  async close (): Promise<void> {
    await this.handle?.close()
    this.handle = undefined
  }

  private opened (): FileHandle {
    if (this.handle === undefined) throw new Error(`${this.path} is not open`)
    return this.handle
  }
}
