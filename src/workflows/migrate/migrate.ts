import path from 'node:path';
import { saveRun } from '../../adapters/runs.js';
import { envFaultHook } from '../../adapters/transaction/fault.js';
import { JournalStore } from '../../adapters/transaction/journal-store.js';
import { rollbackCommands } from '../../core/migrate/phases.js';
import type { FinalState, MigrationRun, PhaseResult } from '../../core/report/types.js';
import type { VerifyReport } from '../../core/verify/types.js';
import { DEFAULT_KEEP, DEFAULT_TIMEOUT_S } from '../apply/deps.js';
import { type WrittenRecord, writeRecordAndNotes } from '../report/write-record.js';
import { rollback } from '../rollback/rollback.js';
import { originalCopy } from './original-copy.js';
import { Interrupted, type PhaseContext, runPhase, verifyMode } from './phase.js';
import type { MigrationPlan } from './plan.js';
import type { MigrateInput, MigratePorts } from './ports.js';
import { skipped } from './summaries.js';

export interface MigrateOutcome {
  /** migrated: a mode passed; restored: the original is back and verified; failed: a rollback failed. */
  state: FinalState;
  run: MigrationRun;
  written: WrittenRecord;
}

/**
 * The staged strategy (userspace → macvlan → host unless the requirements say otherwise). Each
 * phase: preflight, backup, apply, verify; a failing phase is rolled back before the next. Ends
 * with a mode that passed verification, or the original configuration restored and verified;
 * writes the decision record and notes either way. The caller has checked the identity verdict.
 */
export async function migrate(
  planned: MigrationPlan,
  input: MigrateInput,
  ports: MigratePorts,
): Promise<MigrateOutcome> {
  const { target } = input;
  const startedAt = ports.now().toISOString();
  let interrupted = false;
  const removeHandler = ports.onInterrupt(() => {
    if (!interrupted) ports.events({ kind: 'interrupted' });
    interrupted = true;
  });
  const ctx: PhaseContext = { input, ports, isInterrupted: () => interrupted };
  const { phases, original } = planned;
  const results: PhaseResult[] = [];
  let final: MigrationRun['final'] | undefined;
  try {
    for (const [i, phase] of phases.entries()) {
      if (interrupted) break;
      ports.events({ kind: 'phase', index: i, total: phases.length, mode: phase.mode });
      const result = await runPhase(phase, ctx);
      results.push(result);
      ports.events({ kind: 'phase-result', result });
      if (result.outcome === 'failed' && !result.rolledBack && result.kind !== 'keep-original') {
        final = { state: 'failed', ...(original ? { mode: original } : {}) };
        break;
      }
      if (result.outcome === 'passed') {
        const state: FinalState = phase.kind === 'restore' ? 'restored' : 'migrated';
        final = { state, mode: phase.mode, ...(result.verify ? { verify: result.verify } : {}) };
        break;
      }
    }
  } catch (error) {
    if (!(error instanceof Interrupted)) throw error;
  } finally {
    removeHandler();
  }
  if (interrupted) await finishInterrupted(input, ports);
  for (const p of phases.slice(results.length)) results.push(skipped(p, interrupted, ports.now()));

  if (!final) {
    ports.events({ kind: 'verify-original' });
    const verify = await verifyOriginal(ctx, planned);
    final = { state: 'restored', ...(original ? { mode: original } : {}), verify };
  }
  const run = await migrationRun(planned, input, ports, { startedAt, results, final });
  const written = await writeRecordAndNotes(run, target.loaded, { cwd: target.cwd });
  run.record = { path: path.relative(target.loaded.dir, written.record), number: written.number };
  await saveRun(target.composeDir, run);
  return { state: final.state, run, written };
}

async function migrationRun(
  planned: MigrationPlan,
  input: MigrateInput,
  ports: MigratePorts,
  done: { startedAt: string; results: PhaseResult[]; final: MigrationRun['final'] },
): Promise<MigrationRun> {
  const { target } = input;
  const firstBackup = done.results.find((r) => r.backupId)?.backupId;
  const composeRel =
    path.relative(target.loaded.dir, target.composeFile) || path.basename(target.composeFile);
  const compose = await ports.compose();
  return {
    kind: 'migrate',
    startedAt: done.startedAt,
    finishedAt: ports.now().toISOString(),
    toolVersion: input.toolVersion,
    configFile: target.loaded.file,
    composeFile: composeRel,
    config: target.loaded.config,
    environment: planned.environment,
    plan: planned.plan,
    phases: done.results,
    final: done.final,
    ...(planned.original ? { originalMode: planned.original } : {}),
    ...(planned.originalImage ? { originalImage: planned.originalImage } : {}),
    rollback: {
      commands: rollbackCommands(
        firstBackup,
        target.display(target.composeFile),
        compose.flavor === 'v2' ? 'docker compose' : 'docker-compose',
      ),
      ...(firstBackup
        ? { original: { historyId: firstBackup, ...(await originalCopy(target, firstBackup)) } }
        : {}),
    },
  };
}

/** The last verification of the restored original: with the probe when the phases had it. */
async function verifyOriginal(ctx: PhaseContext, planned: MigrationPlan): Promise<VerifyReport | undefined> {
  try {
    return await verifyMode(ctx, planned.original);
  } catch {
    return undefined;
  }
}

/** After Ctrl-C: an apply stopped at a step boundary has rolled back; finish any journal it left. */
async function finishInterrupted(input: MigrateInput, ports: MigratePorts): Promise<void> {
  const { target } = input;
  if (!(await new JournalStore(target.stateDir).read())) return;
  try {
    const outcome = await rollback(
      { target, timeoutMs: DEFAULT_TIMEOUT_S * 1000, keep: DEFAULT_KEEP },
      {
        ...ports.rollback,
        engine: ports.engine,
        compose: ports.compose,
        now: ports.now,
        fault: envFaultHook(),
      },
    );
    ports.events({ kind: 'rollback', outcome });
  } catch (error) {
    ports.events({ kind: 'rollback-error', message: (error as Error).message });
  }
}
