import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { sha256 } from '../../adapters/fs.js';
import type { HistoryManifest, HistoryStore } from '../../adapters/transaction/history.js';
import { undoTarget } from '../../core/apply/undo.js';
import { TailbridgeError } from '../../errors.js';

/**
 * `--to <id>`, or the entry that undoes the last change that stuck (see `undoTarget`): never a state
 * the user rolled away from.
 */
export async function chooseEntry(
  history: HistoryStore,
  to: string | undefined,
): Promise<{ entry: HistoryManifest } | { nothing: string }> {
  const entries = await history.list();
  if (to) {
    const found = entries.find((e) => e.id === to || e.id.startsWith(to));
    if (!found) throw new TailbridgeError(`no history entry "${to}" (see \`tailbridge history\`)`);
    return { entry: found };
  }
  const choice = undoTarget(entries);
  if (choice.kind === 'nothing') return { nothing: choice.reason };
  const entry = entries.find((e) => e.id === choice.id)!;
  if (!(await differs(history.baseDir, entry)))
    return { nothing: `the files already match the state before ${entry.id} (${entry.mode})` };
  return { entry };
}

async function differs(baseDir: string, e: HistoryManifest): Promise<boolean> {
  for (const f of e.files) {
    const abs = path.resolve(baseDir, f.path);
    const bytes = await readFile(abs).catch(() => undefined);
    if (!f.existed) {
      if (bytes) return true;
      continue;
    }
    if (!bytes || sha256(bytes) !== f.sha256) return true;
    const mode = await stat(abs).then((s) => s.mode & 0o7777);
    if (f.mode !== undefined && mode !== f.mode) return true;
  }
  return false;
}
