/**
 * Small files that must survive a power cut whole or not at all: written
 * to a temporary name, synced, then renamed into place, and the directory
 * synced so the new name is durable too.
 */
import { link, open, rename, unlink } from 'node:fs/promises'
import { dirname } from 'node:path'

/** Write `path` whole and sync it (its directory entry is not synced) */
export async function writeSynced (path: string, data: Uint8Array | string, mode: number, flag = 'w'): Promise<void> {
  const file = await open(path, flag, mode)
  try {
    await file.writeFile(data)
    await file.sync()
  } finally {
    await file.close()
  }
}

export async function syncDir (dir: string): Promise<void> {
  const handle = await open(dir, 'r')
  try {
    await handle.sync()
  } finally {
    await handle.close()
  }
}

/** Replace `path` atomically and durably */
export async function replaceFile (path: string, data: Uint8Array | string, mode = 0o600): Promise<void> {
  const temp = `${path}.tmp-${process.pid}`
  await writeSynced(temp, data, mode)
  await rename(temp, path)
  await syncDir(dirname(path))
}

/**
 * Create `path` atomically and durably; fails with EEXIST, leaving it
 * untouched, when it exists (another process just wrote it)
 */
export async function createFile (path: string, data: Uint8Array | string, mode = 0o600): Promise<void> {
  const temp = `${path}.tmp-${process.pid}`
  await writeSynced(temp, data, mode)
  try {
    await link(temp, path)
  } catch (err) {
    // a file system without hard links: create the file in place, exclusively
    if (!['EPERM', 'ENOTSUP', 'ENOSYS', 'EOPNOTSUPP'].includes((err as NodeJS.ErrnoException).code ?? '')) throw err
    await writeSynced(path, data, mode, 'wx')
  } finally {
    await unlink(temp).catch(() => {})
  }
  await syncDir(dirname(path))
}
