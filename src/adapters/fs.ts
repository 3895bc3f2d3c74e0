import { createHash } from 'node:crypto';
import { constants, type Stats } from 'node:fs';
import { copyFile, mkdir, readFile, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { TailbridgeError } from '../errors.js';
import { durableWrite } from './durable.js';

/** Hex SHA-256 of a string (UTF-8) or bytes. */
export function sha256(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/**
 * Reads a UTF-8 text file. Every failure is a one-line `TailbridgeError` (exit 2) naming the file as
 * `display` (default: the path): missing, a directory, unreadable, binary (NUL bytes) or not UTF-8.
 * A UTF-8 byte order mark is dropped.
 */
export async function readTextFile(file: string, display: string = file): Promise<string> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (e) {
    throw new TailbridgeError(`${display}: ${describeFsError(e)}`);
  }
  if (bytes.includes(0))
    throw new TailbridgeError(`${display}: binary file (contains NUL bytes), expected text`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new TailbridgeError(`${display}: not valid UTF-8 text`);
  }
  return text.startsWith('\uFEFF') ? text.slice(1) : text;
}

export interface WriteOptions {
  /** Where backups go; default `<dir of file>/.tailbridge/backups`. */
  backupDir?: string;
  /** Mode for a new file (default 0o644 less the umask); an existing file keeps its mode unless given. */
  mode?: number;
  /** Name used in error messages (default: the path). */
  display?: string;
}

/**
 * Writes `text` to `file` atomically: a temp file in the same directory
 * (`.<name>.tailbridge-<random>.tmp`) is written, fsynced and renamed over the target, then the
 * directory is fsynced. An existing target is first copied byte for byte to
 * `<backupDir>/<name>.<YYYYMMDDTHHMMSSZ>.<12 hex of its sha256>` and keeps its mode. On any failure the
 * temp file is removed and the target is untouched; the error is a one-line `TailbridgeError`.
 * A symlinked target is written through to the file it points at.
 */
export async function writeFileAtomic(
  file: string,
  text: string | Uint8Array,
  options: WriteOptions = {},
): Promise<{ backup?: string }> {
  const display = options.display ?? file;
  // Write through a symlink to its target instead of replacing the link with a regular file.
  file = await realpath(file).catch(() => file);
  const dir = path.dirname(file);
  const name = path.basename(file);
  const fail = (what: string, e: unknown): never => {
    throw new TailbridgeError(`${display}: ${what}: ${describeFsError(e)}`);
  };

  let existing: Stats | undefined;
  try {
    existing = await stat(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') fail('cannot write', e);
  }
  if (existing?.isDirectory()) throw new TailbridgeError(`${display}: is a directory`);

  let backup: string | undefined;
  if (existing) {
    const backupDir = options.backupDir ?? path.join(dir, '.tailbridge', 'backups');
    let original: Buffer;
    try {
      original = await readFile(file);
    } catch (e) {
      return fail('cannot read it to back it up', e);
    }
    backup = path.join(backupDir, `${name}.${timestamp(new Date())}.${sha256(original).slice(0, 12)}`);
    try {
      await mkdir(backupDir, { recursive: true });
      await copyFile(file, backup, constants.COPYFILE_EXCL).catch(async (e: NodeJS.ErrnoException) => {
        // The same content backed up in the same second is already there.
        if (e.code !== 'EEXIST') throw e;
      });
    } catch (e) {
      fail(`cannot create backup ${backup}`, e);
    }
  }

  const mode = options.mode ?? (existing ? existing.mode & 0o7777 : undefined);
  try {
    await durableWrite(file, text, mode);
  } catch (e) {
    fail('cannot write', e);
  }
  return backup ? { backup } : {};
}

/** `20260131T235959Z` */
export function timestamp(date: Date): string {
  return date
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/[-:]/g, '');
}

function describeFsError(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  switch (err?.code) {
    case 'ENOENT':
      return 'no such file';
    case 'EISDIR':
      return 'is a directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ENOTDIR':
      return 'a parent of this path is not a directory';
    case 'EROFS':
      return 'read-only file system';
    case 'ENOSPC':
      return 'no space left on device';
    case 'ELOOP':
      return 'too many symbolic links';
    default:
      return (err?.message ?? String(e)).split('\n')[0]!;
  }
}
