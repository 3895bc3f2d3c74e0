import { randomBytes } from 'node:crypto';
import { link, mkdir, open, readdir, rename, unlink } from 'node:fs/promises';
import path from 'node:path';
import { redactJson } from '../core/report/redact.js';
import type { MigrationRun } from '../core/report/types.js';
import { TailbridgeError } from '../errors.js';
import { readTextFile, timestamp } from './fs.js';

/** `<compose dir>/.tailbridge/runs` */
export const runsDir = (composeDir: string): string => path.join(composeDir, '.tailbridge', 'runs');

const RUN_FILE = /^\d{8}T\d{6}Z-(migrate|verify)(-\d+)?\.json$/;

/** Writes `text` to a new temp file next to `file`, fsyncs it and renames it over `file`. */
async function atomicReplace(file: string, text: string, exclusive: boolean): Promise<void> {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(tmp, 'wx', 0o600);
  try {
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    // link() fails with EEXIST when the name is taken, instead of replacing an earlier run.
    if (exclusive) await link(tmp, file);
    else await rename(tmp, file);
  } finally {
    await unlink(tmp).catch(() => undefined);
  }
}

/**
 * Saves a run (secrets redacted) as `<compose dir>/.tailbridge/runs/<YYYYMMDDTHHMMSSZ>-<kind>.json`
 * (a `-N` suffix when that name is taken) and as `last.json`, each atomically. Returns both paths.
 */
export async function saveRun(
  composeDir: string,
  run: MigrationRun,
): Promise<{ file: string; last: string }> {
  const dir = runsDir(composeDir);
  const text = `${JSON.stringify(redactJson(run), null, 2)}\n`;
  const finished = new Date(run.finishedAt);
  const stamp = timestamp(Number.isNaN(finished.getTime()) ? new Date() : finished);
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    let file = '';
    for (let n = 1; ; n++) {
      file = path.join(dir, `${stamp}-${run.kind}${n === 1 ? '' : `-${n}`}.json`);
      try {
        await atomicReplace(file, text, true);
        break;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || n > 99) throw e;
      }
    }
    const last = path.join(dir, 'last.json');
    await atomicReplace(last, text, false);
    return { file, last };
  } catch (e) {
    throw new TailbridgeError(`${dir}: cannot save the run: ${(e as Error).message.split('\n')[0]}`);
  }
}

function parseRun(text: string, display: string): MigrationRun {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new TailbridgeError(`${display}: not valid JSON`);
  }
  const r = data as Partial<MigrationRun>;
  if (
    !r ||
    typeof r !== 'object' ||
    (r.kind !== 'migrate' && r.kind !== 'verify') ||
    !r.config ||
    !r.plan ||
    !Array.isArray(r.phases) ||
    !r.final ||
    !r.rollback
  )
    throw new TailbridgeError(`${display}: not a tailbridge run file`);
  return r as MigrationRun;
}

/**
 * The last saved run next to the compose file: `last.json`, else the newest `<timestamp>-<kind>.json`;
 * undefined when none was saved.
 */
export async function loadLastRun(
  composeDir: string,
): Promise<{ run: MigrationRun; file: string } | undefined> {
  const dir = runsDir(composeDir);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new TailbridgeError(`${dir}: cannot list the saved runs: ${(e as Error).message}`);
  }
  const newest = names
    .filter((n) => RUN_FILE.test(n))
    .sort((a, b) => runOrder(a) - runOrder(b) || (a < b ? -1 : 1))
    .at(-1);
  const pick = names.includes('last.json') ? 'last.json' : newest;
  if (!pick) return undefined;
  const file = path.join(dir, pick);
  return { run: parseRun(await readTextFile(file), file), file };
}

/** Sort key so `…-migrate-10.json` comes after `…-migrate-9.json` within the same second. */
function runOrder(name: string): number {
  const m = /^(\d{8})T(\d{6})Z-[a-z]+(?:-(\d+))?\.json$/.exec(name);
  return m ? Number(`${m[1]}${m[2]}`) * 1000 + Number(m[3] ?? 1) : 0;
}
