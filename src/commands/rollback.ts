import { detectCompose } from '../adapters/docker/compose.js';
import { DockerodeEngine } from '../adapters/docker/engine.js';
import { envFaultHook } from '../adapters/transaction/fault.js';
import type { HistoryManifest } from '../adapters/transaction/history.js';
import { resolveTarget, type TargetOptions, ttyConfirm } from '../adapters/transaction/target.js';
import type { Io } from '../cli/io.js';
import { colors } from '../cli/io.js';
import { ExitCode, TailbridgeError } from '../errors.js';
import { lineProgress } from '../render/progress.js';
import { renderRollbackOutcome } from '../render/rollback-result.js';
import { DEFAULT_KEEP, DEFAULT_TIMEOUT_S } from '../workflows/apply/deps.js';
import { type RollbackOutcome, rollback as rollbackWorkflow } from '../workflows/rollback/rollback.js';
import type { ApplyDeps } from './shared/apply-deps.js';
import { txExitCode } from './shared/exit-codes.js';

export interface RollbackOptions extends TargetOptions {
  /** History entry to restore (without an unfinished journal); default: the newest that differs. */
  to?: string;
  yes?: boolean;
  /** Seconds to wait for the container (default 90). */
  timeout?: number;
  keep?: number;
  json?: boolean;
}

/**
 * `tailbridge rollback`: finishes an interrupted apply (restore + redeploy + readiness) when a
 * journal exists; otherwise restores a history entry (the newest that differs from the files now,
 * or `--to <id>`) after confirmation, as a journaled operation of its own.
 */
export async function rollback(
  options: RollbackOptions,
  io: Io,
  deps: Partial<ApplyDeps> = {},
): Promise<number> {
  const target = await resolveTarget(options, io, { allowTodo: true });
  const timeoutMs = (options.timeout ?? DEFAULT_TIMEOUT_S) * 1000;
  if (!(timeoutMs > 0)) throw new TailbridgeError('--timeout must be a positive number of seconds');
  const c = colors(io);
  const out = (line: string) => (options.json ? io.stderr(line) : io.stdout(line));
  const outcome = await rollbackWorkflow(
    { target, timeoutMs, keep: options.keep ?? DEFAULT_KEEP, ...(options.to ? { to: options.to } : {}) },
    {
      engine: deps.engine ?? new DockerodeEngine(),
      compose: () => (deps.compose ? Promise.resolve(deps.compose) : detectCompose()),
      now: deps.now ?? (() => new Date()),
      fault: deps.fault ?? envFaultHook(),
      warn: io.stderr,
      progress: (total) => lineProgress(io, total, { toStderr: Boolean(options.json) }),
      events: (e) => out(e.kind === 'housekeeping' ? c.dim(e.note) : `rolling back: ${e.description}`),
      ...(options.yes
        ? {}
        : { confirm: (entry: HistoryManifest, files: string) => confirmRestore(io, deps, entry, files) }),
      ...(deps.verify ? { verify: deps.verify } : {}),
      ...(deps.settleMs !== undefined ? { settleMs: deps.settleMs } : {}),
      ...(deps.pollMs !== undefined ? { pollMs: deps.pollMs } : {}),
    },
  );
  return report(outcome, options, io);
}

async function confirmRestore(
  io: Io,
  deps: Partial<ApplyDeps>,
  entry: HistoryManifest,
  files: string,
): Promise<boolean> {
  if (!io.isTTY)
    throw new TailbridgeError(
      `restoring ${entry.id} changes your files and containers: pass --yes to confirm (not a terminal)`,
    );
  const confirm = deps.confirm ?? ttyConfirm;
  return confirm(`Restore ${files} from ${entry.id} (${entry.mode}, ${entry.createdAt}) and redeploy?`);
}

function report(outcome: RollbackOutcome, options: RollbackOptions, io: Io): number {
  const exitCode = exitCodeOf(outcome);
  if (options.json && outcome.kind !== 'declined') io.stdout(rollbackJson(outcome, exitCode));
  else {
    const rendered = renderRollbackOutcome(outcome, colors(io));
    for (const line of rendered.out) io.stdout(line);
    for (const line of rendered.err) io.stderr(line);
  }
  return exitCode;
}

function exitCodeOf(outcome: RollbackOutcome): number {
  switch (outcome.kind) {
    case 'journal':
      return outcome.report.ok ? ExitCode.ok : ExitCode.rollbackFailed;
    case 'nothing':
      return ExitCode.ok;
    case 'declined':
      return ExitCode.usage;
    case 'restore':
      return txExitCode(outcome.tx.outcome);
  }
}

function rollbackJson(outcome: RollbackOutcome, exitCode: number): string {
  switch (outcome.kind) {
    case 'journal': {
      const r = outcome.report;
      return JSON.stringify(
        { result: r.ok ? 'rolled-back' : 'rollback-failed', history: outcome.historyId, ...r },
        null,
        2,
      );
    }
    case 'nothing':
      return JSON.stringify({ result: 'unchanged', message: outcome.message }, null, 2);
    case 'declined':
      return '';
    case 'restore': {
      const { outcome: _, ...rest } = outcome.tx;
      return JSON.stringify(
        { result: exitCode === 0 ? 'restored' : 'failed', restored: outcome.entry.id, exitCode, ...rest },
        null,
        2,
      );
    }
  }
}
