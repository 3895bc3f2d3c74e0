import path from 'node:path';
import { type HistoryManifest, HistoryStore } from '../../adapters/transaction/history.js';
import { beginOperation, endOperation } from '../../adapters/transaction/housekeeping.js';
import { JournalStore } from '../../adapters/transaction/journal-store.js';
import {
  type PlannedWrite,
  type RollbackReport,
  rollbackJournal,
  runTransaction,
  type TxDeps,
  type TxResult,
} from '../../adapters/transaction/run.js';
import type { Target } from '../../adapters/transaction/target.js';
import { describeJournal, type Journal } from '../../core/apply/journal.js';
import type { Progress } from '../../core/apply/progress.js';
import { readinessVerify } from '../../core/apply/readiness.js';
import type { ComposeRunner } from '../../core/ports/compose.js';
import type { DockerEngine } from '../../core/ports/docker.js';
import { TailbridgeError } from '../../errors.js';
import { type ApplyPorts, deployTargetOf, takeLock } from '../apply/deps.js';
import { chooseEntry } from './choose-entry.js';

export interface RollbackInput {
  target: Target;
  /** History entry to restore (without an unfinished journal); default: the newest that differs. */
  to?: string;
  timeoutMs: number;
  keep: number;
}

export interface RollbackPorts
  extends Pick<ApplyPorts, 'now' | 'fault' | 'warn' | 'verify' | 'settleMs' | 'pollMs'> {
  engine: DockerEngine;
  /** Found only when something is redeployed. */
  compose: () => Promise<ComposeRunner>;
  /** Progress of `total` steps. */
  progress: (total: number) => Progress;
  /** Housekeeping notes, and the journal about to be rolled back. */
  events: (event: RollbackEvent) => void;
  /** Asked before a history entry is restored; undefined: confirmed up front (--yes). */
  confirm?: (entry: HistoryManifest, files: string) => Promise<boolean>;
}

export type RollbackEvent = { kind: 'housekeeping'; note: string } | { kind: 'journal'; description: string };

export type RollbackOutcome =
  | { kind: 'journal'; historyId: string; report: RollbackReport }
  | { kind: 'nothing'; message: string }
  | { kind: 'declined' }
  | { kind: 'restore'; entry: HistoryManifest; files: string; tx: TxResult };

/**
 * Finishes an interrupted apply (restore + redeploy + readiness) when a journal exists; otherwise
 * restores a history entry (the newest that differs from the files now, or `to`) after
 * confirmation, as a journaled operation of its own.
 */
export async function rollback(input: RollbackInput, ports: RollbackPorts): Promise<RollbackOutcome> {
  const { target } = input;
  const lock = await takeLock(target, 'rollback', ports);
  const journals = new JournalStore(target.stateDir);
  try {
    const history = new HistoryStore(target.stateDir, target.composeDir);
    const journal = await journals.read();
    const notes = await beginOperation(target.stateDir, target.composeDir, journal?.historyId, ports.now());
    for (const note of notes) ports.events({ kind: 'housekeeping', note });
    if (journal) return await finishJournal(input, ports, journal);

    const choice = await chooseEntry(history, input.to);
    if ('nothing' in choice)
      return {
        kind: 'nothing',
        message: `nothing to undo: ${choice.nothing}; \`tailbridge rollback --to <id>\` restores any entry of \`tailbridge history\``,
      };
    const { entry } = choice;
    const files = entry.files.map((f) => f.path).join(', ');
    if (ports.confirm && !(await ports.confirm(entry, files))) return { kind: 'declined' };
    const tx = await runTransaction(
      {
        operation: 'restore',
        mode: `restore ${entry.id}`,
        composeFile: target.composeFile,
        stateDir: target.stateDir,
        project: target.project,
        service: target.service,
        writes: await restoreWrites(history, entry, target),
        timeoutMs: input.timeoutMs,
        // Undoing an apply also removes the networks and containers it created.
        ...(entry.operation === 'apply' && entry.dockerBefore ? { undoDocker: entry.dockerBefore } : {}),
      },
      await txDeps(target, ports),
      ports.progress(6),
    );
    return { kind: 'restore', entry, files, tx };
  } finally {
    await endOperation(target.stateDir, target.composeDir, input.keep, journals, ports.warn).finally(() =>
      lock.release(),
    );
  }
}

async function finishJournal(
  input: RollbackInput,
  ports: RollbackPorts,
  journal: Journal,
): Promise<RollbackOutcome> {
  if (input.to)
    throw new TailbridgeError(
      `an unfinished operation must be rolled back first (${describeJournal(journal)}); run \`tailbridge rollback\` without --to`,
    );
  ports.events({ kind: 'journal', description: describeJournal(journal) });
  // The project the interrupted operation deployed (its -p and -f may differ from today's options).
  const deps = await txDeps(input.target, ports, journal.project);
  const report = await rollbackJournal(journal, undefined, deps, ports.progress(3), {
    stateDir: input.target.stateDir,
    timeoutMs: input.timeoutMs,
  });
  return { kind: 'journal', historyId: journal.historyId, report };
}

async function txDeps(target: Target, ports: RollbackPorts, project = target.project): Promise<TxDeps> {
  await ports.engine.ping();
  return {
    engine: ports.engine,
    target: deployTargetOf(target, ports.engine, await ports.compose(), ports, project),
    verify: ports.verify ?? readinessVerify,
    now: ports.now,
    fault: ports.fault,
  };
}

/** The entry's files as writes; the compose file last, as apply writes it. */
async function restoreWrites(
  history: HistoryStore,
  entry: HistoryManifest,
  target: Target,
): Promise<PlannedWrite[]> {
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
  writes.sort((a, b) => Number(a.path === target.composeFile) - Number(b.path === target.composeFile));
  return writes;
}
