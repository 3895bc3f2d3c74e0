import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Target } from '../../adapters/transaction/target.js';

/** Where the first backup keeps the original compose file, relative to the compose directory. */
export async function originalCopy(target: Target, historyId: string): Promise<{ copy?: string }> {
  try {
    const manifest = JSON.parse(
      await readFile(path.join(target.stateDir, 'history', historyId, 'manifest.json'), 'utf8'),
    ) as {
      files: { path: string; sha256?: string }[];
    };
    const rel = path.relative(target.composeDir, target.composeFile);
    const entry = manifest.files.find((f) => f.path === rel || f.path === target.composeFile);
    return entry?.sha256
      ? { copy: path.join('.tailbridge', 'history', historyId, 'files', entry.sha256) }
      : {};
  } catch {
    return {};
  }
}
