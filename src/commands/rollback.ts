import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { detectCompose } from '../adapters/docker/compose.js';
import { DockerodeEngine } from '../adapters/docker/engine.js';
import { sha256 } from '../adapters/fs.js';
import { envFaultHook } from '../adapters/transaction/fault.js';
import { type HistoryManifest, HistoryStore } from '../adapters/transaction/history.js';
import { beginOperation, endOperation } from '../adapters/transaction/housekeeping.js';
import { JournalStore } from '../adapters/transaction/journal-store.js';
import {
  type PlannedWrite,
  rollbackJournal,
  runTransaction,
  type TxDeps,
} from '../adapters/transaction/run.js';
import { resolveTarget, type TargetOptions, ttyConfirm } from '../adapters/transaction/target.js';
import type { Io } from '../cli/io.js';
import { colors } from '../cli/io.js';
import { describeJournal } from '../core/apply/journal.js';
import { readinessVerify } from '../core/apply/readiness.js';
import { undoTarget } from '../core/apply/undo.js';
import { ExitCode, TailbridgeError } from '../errors.js';
import { lineProgress } from '../render/progress.js';
import { type ApplyDeps, DEFAULT_KEEP, DEFAULT_TIMEOUT_S, deployTargetOf, takeLock } from './apply.js';

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
  const keep = options.keep ?? DEFAULT_KEEP;
  const lock = await takeLock(target, 'rollback', io, deps);
  const journals = new JournalStore(target.stateDir);
  try {
    const history = new HistoryStore(target.stateDir, target.composeDir);
    const journal = await journals.read();
    const notes = await beginOperation(
      target.stateDir,
      target.composeDir,
      journal?.historyId,
      deps.now ? deps.now() : new Date(),
    );
    for (const note of notes) (options.json ? io.stderr : io.stdout)(c.dim(note));
    const txDeps = async (project = target.project): Promise<TxDeps> => {
      const engine = deps.engine ?? new DockerodeEngine();
      await engine.ping();
      const compose = deps.compose ?? (await detectCompose());
      return {
        engine,
        target: deployTargetOf(target, engine, compose, deps, project),
        verify: deps.verify ?? readinessVerify,
        now: deps.now ?? (() => new Date()),
        fault: deps.fault ?? envFaultHook(),
      };
    };

    if (journal) {
      if (options.to)
        throw new TailbridgeError(
          `an unfinished operation must be rolled back first (${describeJournal(journal)}); run \`tailbridge rollback\` without --to`,
        );
      out(`rolling back: ${describeJournal(journal)}`);
      // The project the interrupted operation deployed (its -p and -f may differ from today's options).
      const resolved = await txDeps(journal.project);
      const report = await rollbackJournal(
        journal,
        undefined,
        resolved,
        lineProgress(io, 3, { toStderr: Boolean(options.json) }),
        { stateDir: target.stateDir, timeoutMs },
      );
      if (options.json)
        io.stdout(
          JSON.stringify(
            { result: report.ok ? 'rolled-back' : 'rollback-failed', history: journal.historyId, ...report },
            null,
            2,
          ),
        );
      else if (report.ok) io.stdout(`${c.green('rolled back')}: ${report.lines.join('; ')}`);
      else {
        io.stderr(`${c.red('ROLLBACK FAILED')}: ${report.problem}`);
        io.stderr('Finish it by hand (or fix the cause and run `tailbridge rollback` again):');
        for (const s of report.manualSteps ?? []) io.stderr(`  ${s}`);
      }
      return report.ok ? ExitCode.ok : ExitCode.rollbackFailed;
    }

    const choice = await chooseEntry(history, options.to);
    if ('nothing' in choice) {
      const message = `nothing to undo: ${choice.nothing}; \`tailbridge rollback --to <id>\` restores any entry of \`tailbridge history\``;
      if (options.json) io.stdout(JSON.stringify({ result: 'unchanged', message }, null, 2));
      else io.stdout(message);
      return ExitCode.ok;
    }
    const { entry } = choice;
    const files = entry.files.map((f) => f.path).join(', ');
    if (!options.yes) {
      if (!io.isTTY)
        throw new TailbridgeError(
          `restoring ${entry.id} changes your files and containers: pass --yes to confirm (not a terminal)`,
        );
      const confirm = deps.confirm ?? ttyConfirm;
      if (
        !(await confirm(
          `Restore ${files} from ${entry.id} (${entry.mode}, ${entry.createdAt}) and redeploy?`,
        ))
      ) {
        io.stderr('not restored');
        return ExitCode.usage;
      }
    }
    const writes: PlannedWrite[] = [];
    for (const f of entry.files) {
      const abs = path.resolve(target.composeDir, f.path);
      writes.push(
        f.existed
          ? {
              path: abs,
              content: await history.readBlob(entry.id, f.sha256!),
              ...(f.mode !== undefined ? { mode: f.mode } : {}),
            }
          : { path: abs, content: null },
      );
    }
    // The compose file last, as apply writes it.
    writes.sort((a, b) => Number(a.path === target.composeFile) - Number(b.path === target.composeFile));
    const result = await runTransaction(
      {
        operation: 'restore',
        mode: `restore ${entry.id}`,
        composeFile: target.composeFile,
        stateDir: target.stateDir,
        project: target.project,
        service: target.service,
        writes,
        timeoutMs,
        // Undoing an apply also removes the networks and containers it created.
        ...(entry.operation === 'apply' && entry.dockerBefore ? { undoDocker: entry.dockerBefore } : {}),
      },
      await txDeps(),
      lineProgress(io, 6, { toStderr: Boolean(options.json) }),
    );
    if (options.json)
      io.stdout(
        JSON.stringify(
          { result: result.exitCode === 0 ? 'restored' : 'failed', restored: entry.id, ...result },
          null,
          2,
        ),
      );
    else if (result.exitCode === ExitCode.ok)
      io.stdout(
        `${c.green('restored')} ${files} from ${entry.id}; the state before is backed up as ${result.historyId}`,
      );
    else {
      io.stderr(`${c.red('restore failed')} at ${result.failure?.step}: ${result.failure?.message}`);
      if (result.failure?.logs)
        io.stderr(
          result.failure.logs
            .split('\n')
            .map((l) => `  | ${l}`)
            .join('\n'),
        );
      if (result.rollback?.ok) io.stderr(`${c.yellow('rolled back')}: ${result.rollback.lines.join('; ')}`);
      else if (result.rollback) {
        io.stderr(`${c.red('ROLLBACK FAILED')}: ${result.rollback.problem}`);
        for (const s of result.rollback.manualSteps ?? []) io.stderr(`  ${s}`);
      }
    }
    return result.exitCode;
  } finally {
    await endOperation(target.stateDir, target.composeDir, keep, journals, io.stderr).finally(() =>
      lock.release(),
    );
  }
}

/**
 * `--to <id>`, or the entry that undoes the last change that stuck (see `undoTarget`): never a state
 * the user rolled away from.
 */
async function chooseEntry(
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
