import { readdir, readFile } from 'node:fs/promises';
import { TailbridgeError } from '../../errors.js';

export async function listDir(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new TailbridgeError(`${dir}: cannot list it: ${(e as Error).message.split('\n')[0]}`);
  }
}

/**
 * A UTF-8 file as it is (a byte order mark is kept, so rewriting it changes no other byte), or
 * undefined when it does not exist.
 */
export async function readExisting(file: string, display: string): Promise<string | undefined> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new TailbridgeError(`${display}: cannot read it: ${(e as Error).message.split('\n')[0]}`);
  }
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw new TailbridgeError(`${display}: not valid UTF-8 text, left untouched`);
  }
}
