import { mkdir, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { LoadedConfig } from '../adapters/config-file.js';
import { writeFileAtomic } from '../adapters/fs.js';
import { loadLastRun } from '../adapters/runs.js';
import { resolveTarget, type TargetOptions } from '../adapters/transaction/target.js';
import type { Io } from '../cli/io.js';
import {
  appendSessionNote,
  type MigrationRun,
  nextRecordPath,
  redactJson,
  renderDecisionRecord,
  renderHtmlReport,
  resultsSection,
  sessionNoteEntry,
  upsertResultsSection,
} from '../core/report/index.js';
import { ExitCode, TailbridgeError } from '../errors.js';

export const REPORT_FORMATS = ['md', 'json', 'html'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export interface ReportOptions extends TargetOptions {
  /** md (default): the decision record; json: the saved run; html: one self-contained page. */
  format?: string;
  /** Write here (atomically, backing up an existing file) instead of printing. */
  out?: string;
  /** Same as --format json. */
  json?: boolean;
}

export const NO_RUN_MESSAGE =
  'no migrate or verify run recorded yet; run `tailbridge migrate` or `tailbridge verify`';

async function listDir(dir: string): Promise<string[]> {
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
async function readExisting(file: string, display: string): Promise<string | undefined> {
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

/** Renders a run in one of the formats (redacted). `number` titles the record. */
export function renderRun(run: MigrationRun, format: ReportFormat, number?: number): string {
  const options = number === undefined ? {} : { number };
  if (format === 'json') return `${JSON.stringify(redactJson(run), null, 2)}\n`;
  if (format === 'html') return renderHtmlReport(run, options);
  return renderDecisionRecord(run, options);
}

/**
 * `tailbridge report`: the decision record of the last `migrate` or `verify` run saved next to the
 * compose file, printed or written to --out. Exit 2 when no run was saved.
 */
export async function report(options: ReportOptions, io: Io): Promise<number> {
  const format = (options.json ? 'json' : (options.format ?? 'md')) as ReportFormat;
  if (!REPORT_FORMATS.includes(format))
    throw new TailbridgeError(`unknown format "${options.format}" (one of ${REPORT_FORMATS.join(', ')})`);
  const target = await resolveTarget(options, io, { allowTodo: true });
  const last = await loadLastRun(target.composeDir);
  if (!last) throw new TailbridgeError(NO_RUN_MESSAGE, ExitCode.usage);
  const { run } = last;
  let number = run.record?.number;
  if (number === undefined && format !== 'json') {
    const decisions = path.resolve(target.loaded.dir, target.loaded.config.paths.decisions);
    number = nextRecordPath(await listDir(decisions)).number;
  }
  const text = renderRun(run, format, number);
  if (options.out) {
    const out = path.resolve(io.cwd, options.out);
    await writeFileAtomic(out, text, {
      display: options.out,
      backupDir: path.join(target.stateDir, 'backups'),
    });
    io.stderr(`wrote ${target.display(out)} (${format}, from ${target.display(last.file)})`);
  } else io.stdout(text);
  return ExitCode.ok;
}

export interface WrittenRecord {
  /** Absolute path of the decision record written. */
  record: string;
  /** Its number (NNNN). */
  number: number;
  /** The notes file the entry was appended to (paths.notes), when configured. */
  notes?: string;
  /** The research note whose `## Results` section was written, when configured and present. */
  researchNote?: string;
  /** Backups of files that existed before (writeFileAtomic copies). */
  backups: string[];
}

/**
 * For `migrate`: writes the numbered decision record (paths.decisions), appends the outcome entry
 * to paths.notes (created when missing) and upserts the `## Results` section of paths.researchNote
 * when that file exists — each atomically, existing files backed up under
 * `<compose dir>/.tailbridge/backups`. Paths in the config resolve against the config's directory.
 */
export async function writeRecordAndNotes(
  run: MigrationRun,
  loaded: LoadedConfig,
  io: Io,
): Promise<WrittenRecord> {
  const { config } = loaded;
  const composeDir = path.dirname(path.resolve(loaded.dir, run.composeFile || config.paths.compose));
  const backupDir = path.join(composeDir, '.tailbridge', 'backups');
  const backups: string[] = [];
  const write = async (file: string, text: string) => {
    const r = await writeFileAtomic(file, text, { backupDir, display: path.relative(io.cwd, file) || file });
    if (r.backup) backups.push(r.backup);
  };

  const decisions = path.resolve(loaded.dir, config.paths.decisions);
  const next = nextRecordPath(await listDir(decisions));
  const record = path.join(decisions, path.basename(next.path));
  await mkdir(decisions, { recursive: true });
  await write(record, renderDecisionRecord(run, { number: next.number }));
  const link = (from: string) => path.relative(path.dirname(from), record).split(path.sep).join('/');
  const result: WrittenRecord = { record, number: next.number, backups };

  if (config.paths.notes) {
    const notes = path.resolve(loaded.dir, config.paths.notes);
    const existing = await readExisting(notes, config.paths.notes);
    await mkdir(path.dirname(notes), { recursive: true });
    await write(notes, appendSessionNote(existing, sessionNoteEntry(run, link(notes))));
    result.notes = notes;
  }

  if (config.paths.researchNote) {
    const note = path.resolve(loaded.dir, config.paths.researchNote);
    const text = await readExisting(note, config.paths.researchNote);
    if (text !== undefined) {
      await write(note, upsertResultsSection(text, resultsSection(run, link(note))));
      result.researchNote = note;
    }
  }
  return result;
}
