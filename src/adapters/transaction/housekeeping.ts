import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { HistoryStore } from './history.js';
import type { JournalStore } from './journal-store.js';

/** `durableWrite`'s temp file beside a target: `.<name>.tailbridge-<12 hex>.tmp`. */
const WRITE_TEMP = /^\..+\.tailbridge-[0-9a-f]{12}\.tmp$/;
/** The staged copy older versions validated beside the compose file. */
const OLD_STAGED = /^\..+\.tailbridge-validate-[0-9a-f]{8}\.yaml$/;
/** Staging directories in the system temp dir: `tailbridge-stage-<pid>-<random>`. */
const STAGE_DIR = /^tailbridge-stage-(\d+)-[A-Za-z0-9]+$/;

/**
 * A private directory in the system temp dir for a staged copy (the `compose config` check). It
 * never lands in the user's folder; a crash leaves it in the temp dir, where the next run sweeps it.
 */
export function makeStageDir(): Promise<string> {
  return mkdtemp(path.join(tmpdir(), `tailbridge-stage-${process.pid}-`));
}

/**
 * Removes what a killed tailbridge can leave behind: temp files of interrupted atomic writes (and
 * older versions' staged copies) in `dirs`, and staging directories of processes that no longer
 * run. Only names tailbridge itself creates are touched. Returns the removed paths.
 */
export async function sweepLitter(dirs: readonly string[]): Promise<string[]> {
  const removed: string[] = [];
  for (const dir of new Set(dirs)) {
    for (const name of await readdir(dir).catch(() => [] as string[])) {
      if (!WRITE_TEMP.test(name) && !OLD_STAGED.test(name)) continue;
      const file = path.join(dir, name);
      if ((await stat(file).catch(() => undefined))?.isFile()) {
        await rm(file, { force: true });
        removed.push(file);
      }
    }
  }
  for (const name of await readdir(tmpdir()).catch(() => [] as string[])) {
    const m = STAGE_DIR.exec(name);
    if (!m || isAlive(Number(m[1]))) continue;
    await rm(path.join(tmpdir(), name), { recursive: true, force: true });
    removed.push(path.join(tmpdir(), name));
  }
  return removed;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The compose directory and its direct subdirectories (where side files live), without tailbridge's own. */
export async function litterDirs(composeDir: string): Promise<string[]> {
  const entries = await readdir(composeDir, { withFileTypes: true }).catch(() => []);
  return [
    composeDir,
    ...entries
      .filter((e) => e.isDirectory() && e.name !== '.tailbridge' && e.name !== 'node_modules')
      .map((e) => path.join(composeDir, e.name)),
  ];
}

/**
 * Start of every apply/rollback/restore, under the lock: entries of operations that died before
 * their journal are marked `interrupted`, and leftover temp files are swept. Returns one line per
 * thing it did (for the progress output).
 */
export async function beginOperation(
  stateDir: string,
  composeDir: string,
  openJournalId: string | undefined,
  now: Date,
): Promise<string[]> {
  const notes: string[] = [];
  const history = new HistoryStore(stateDir, composeDir);
  for (const id of await history.markInterrupted(openJournalId, now))
    notes.push(
      `history ${id}: an earlier run stopped after its backup, before writing anything (marked interrupted)`,
    );
  const swept = await sweepLitter(await litterDirs(composeDir));
  if (swept.length > 0) notes.push(`removed ${swept.length} temp file(s) an interrupted run left behind`);
  return notes;
}

/**
 * End of every operation, whatever its outcome: prune the history (never the entry an open journal
 * still needs). A failure here is reported through `warn` and does not change the outcome.
 */
export async function endOperation(
  stateDir: string,
  composeDir: string,
  keep: number,
  journals: JournalStore,
  warn: (line: string) => void,
): Promise<void> {
  try {
    const open = await journals.read().catch(() => undefined);
    await new HistoryStore(stateDir, composeDir).prune(keep, open ? [open.historyId] : []);
  } catch (e) {
    warn(`tailbridge: could not prune the history: ${(e as Error).message.split('\n')[0]}`);
  }
}
