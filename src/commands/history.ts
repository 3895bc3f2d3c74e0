import path from 'node:path';
import { type HistoryManifest, HistoryStore } from '../adapters/transaction/history.js';
import { JournalStore } from '../adapters/transaction/journal-store.js';
import { resolveTarget, type TargetOptions } from '../adapters/transaction/target.js';
import type { Io } from '../cli/io.js';
import { colors } from '../cli/io.js';
import { ExitCode } from '../errors.js';

export interface HistoryOptions extends TargetOptions {
  json?: boolean;
}

export interface HistoryRow {
  id: string;
  time: string;
  operation: HistoryManifest['operation'];
  mode: string;
  files: string[];
  outcome: string;
  detail?: string;
  /** Relative to the current directory. */
  dir: string;
}

/** `tailbridge history`: the backups apply made (newest first), with what happened to each apply. */
export async function history(options: HistoryOptions, io: Io): Promise<number> {
  const target = await resolveTarget(options, io, { allowTodo: true });
  const store = new HistoryStore(target.stateDir, target.composeDir);
  const journal = await new JournalStore(target.stateDir).read().catch(() => undefined);
  const rows: HistoryRow[] = (await store.list()).map((m) => ({
    id: m.id,
    time: m.createdAt,
    operation: m.operation,
    mode: m.mode,
    files: m.files.map((f) => (f.existed ? f.path : `${f.path} (new)`)),
    outcome: outcomeOf(m, journal?.historyId),
    ...(m.detail ? { detail: m.detail } : {}),
    dir: path.relative(io.cwd, store.entryDir(m.id)) || store.entryDir(m.id),
  }));
  if (options.json) {
    io.stdout(JSON.stringify({ composeFile: target.display(target.composeFile), entries: rows }, null, 2));
    return ExitCode.ok;
  }
  if (rows.length === 0) {
    io.stdout(`no history yet in ${target.display(store.dir)} (apply creates it)`);
    return ExitCode.ok;
  }
  const c = colors(io);
  const table = [
    ['ID', 'TIME (UTC)', 'MODE', 'FILES', 'OUTCOME'],
    ...rows.map((r) => [
      r.id,
      r.time.replace('T', ' ').replace(/\.\d+Z$/, 'Z'),
      r.mode,
      r.files.join(', '),
      r.outcome,
    ]),
  ];
  const widths = table[0]!.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
  table.forEach((row, i) => {
    const line = row.map((cell, j) => (j === row.length - 1 ? cell : cell.padEnd(widths[j]!))).join('  ');
    io.stdout(i === 0 ? c.bold(line) : line);
    const detail = i > 0 ? rows[i - 1]!.detail : undefined;
    if (detail && rows[i - 1]!.outcome !== 'applied')
      io.stdout(c.dim(`${' '.repeat(widths[0]! + 2)}${detail}`));
  });
  return ExitCode.ok;
}

function outcomeOf(m: HistoryManifest, openJournal: string | undefined): string {
  if (m.outcome === 'interrupted') return 'interrupted (nothing written)';
  if (m.outcome !== 'pending') return m.outcome;
  // A pending entry with no journal: the run died after the backup, before it wrote anything.
  return m.id === openJournal ? 'unfinished (run `tailbridge rollback`)' : 'interrupted (nothing written)';
}
