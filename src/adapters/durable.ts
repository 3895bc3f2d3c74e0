import { randomBytes } from 'node:crypto';
import { open, realpath, rename, unlink } from 'node:fs/promises';
import path from 'node:path';

/**
 * Writes `data` to `file` durably: temp file in the same directory, fsync, rename over the target,
 * fsync the directory. A reader (or a crash) sees the old bytes or the new bytes, never a mix.
 * `mode` is applied explicitly (chmod), so the umask does not change a restored file's mode.
 * A symlinked target is written through to the file it points at.
 */
export async function durableWrite(file: string, data: string | Uint8Array, mode?: number): Promise<void> {
  const target = await realpath(file).catch(() => file);
  const dir = path.dirname(target);
  const tmp = path.join(dir, `.${path.basename(target)}.tailbridge-${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(tmp, 'wx', mode ?? 0o666);
  try {
    try {
      await handle.writeFile(data);
      if (mode !== undefined) await handle.chmod(mode);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, target);
  } catch (e) {
    await unlink(tmp).catch(() => undefined);
    throw e;
  }
  await syncDir(dir);
}

/** fsync a directory so a rename/create/unlink in it survives power loss (best effort off Linux). */
export async function syncDir(dir: string): Promise<void> {
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Some platforms cannot fsync a directory.
  }
}

/** fsync one file's contents. */
export async function syncFile(file: string): Promise<void> {
  const handle = await open(file, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
