import path from 'node:path';
import { writeFileAtomic } from '../adapters/fs.js';
import { loadLastRun } from '../adapters/runs.js';
import { resolveTarget, type TargetOptions } from '../adapters/transaction/target.js';
import type { Io } from '../cli/io.js';
import {
  type MigrationRun,
  nextRecordPath,
  redactJson,
  renderDecisionRecord,
  renderHtmlReport,
} from '../core/report/index.js';
import { ExitCode, TailbridgeError } from '../errors.js';
import { listDir } from '../workflows/report/files.js';

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
