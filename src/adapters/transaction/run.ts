import { mkdir, readFile, rm, rmdir, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { DockerSnapshot } from '../../core/apply/cleanup.js';
import {
  advance,
  filesMayHaveChanged,
  type Journal,
  type JournalFile,
  needsRedeploy,
  startJournal,
} from '../../core/apply/journal.js';
import type { Progress } from '../../core/apply/progress.js';
import { readinessVerify, type Verifier, type VerifyOutcome } from '../../core/apply/readiness.js';
import type { DeployTarget, DesiredState, TargetSnapshot } from '../../core/deploy/target.js';
import type { ComposeProject } from '../../core/ports/compose.js';
import type { DockerEngine } from '../../core/ports/docker.js';
import { durableWrite, syncDir } from '../durable.js';
import { sha256 } from '../fs.js';
import type { FaultHook } from './fault.js';
import { HistoryStore } from './history.js';
import { JournalStore } from './journal-store.js';
import { historyBlobs, pendingBlobs, snapshotOfJournal } from './target-snapshot.js';

export interface TxDeps {
  engine: DockerEngine;
  /** Where the stack is deployed (compose files + `compose up`, or a TrueNAS app). */
  target: DeployTarget;
  verify: Verifier;
  now: () => Date;
  fault: FaultHook;
}

/** One file the operation writes (`content`) or deletes (`content: null`). */
export interface PlannedWrite {
  path: string;
  content: Uint8Array | null;
  /** Permission bits to give it; undefined = keep the existing file's, or the default for a new one. */
  mode?: number;
}

export interface TxPlan {
  operation: 'apply' | 'restore';
  mode: string;
  composeFile: string;
  stateDir: string;
  project: ComposeProject;
  service: string;
  /** Written in this order (side files first, the compose file last). */
  writes: PlannedWrite[];
  timeoutMs: number;
  /**
   * An undo (`rollback` of an apply): after it succeeds, remove the project's networks and
   * containers that did not exist before that apply.
   */
  undoDocker?: DockerSnapshot;
  /** `compose config` of the new compose file, when the caller started it already (see startComposeValidation). */
  validation?: Promise<{ ok: boolean; message: string } | undefined>;
}

/**
 * `compose config` of the plan's new compose file on a staged copy (undefined when the compose file
 * is not written). Callers may start it as soon as the writes are known, so it overlaps with
 * their own checks; it touches no user file.
 */
export function startComposeValidation(
  plan: Pick<TxPlan, 'writes' | 'composeFile' | 'operation' | 'mode' | 'service'>,
  target: DeployTarget,
): Promise<{ ok: boolean; message: string } | undefined> {
  const desired = desiredState(plan);
  return desired ? target.validate(desired) : Promise.resolve(undefined);
}

/** What the target is asked to run: the new compose text, or undefined when only side files change. */
function desiredState(
  plan: Pick<TxPlan, 'writes' | 'composeFile' | 'operation' | 'mode' | 'service'>,
): DesiredState | undefined {
  const content = plan.writes.find((w) => w.path === plan.composeFile)?.content;
  if (!content) return undefined;
  return { ...desiredBase(plan), compose: Buffer.from(content).toString('utf8'), composeChanged: true };
}

function desiredBase(plan: Pick<TxPlan, 'operation' | 'mode' | 'service'>) {
  return { operation: plan.operation, mode: plan.mode, service: plan.service };
}

export interface Failure {
  step: string;
  message: string;
  logs?: string;
}

export interface RollbackReport {
  ok: boolean;
  /** What was restored / redeployed, one line each. */
  lines: string[];
  /** When !ok: what went wrong and the exact manual steps. */
  problem?: string;
  manualSteps?: string[];
  containerName?: string;
  sameConfig?: boolean;
}

/** How the transaction ended: applied and verified; refused before any write; failed and rolled back (or not). */
export type TxOutcome = 'applied' | 'not-applied' | 'rolled-back' | 'rollback-failed';

export interface TxResult {
  outcome: TxOutcome;
  historyId: string;
  failure?: Failure;
  verify?: VerifyOutcome;
  rollback?: RollbackReport;
}

export function stateDirFor(composeFile: string): string {
  return path.join(path.dirname(composeFile), '.tailbridge');
}

/**
 * Backup → journal → validate → write → deploy → wait → verify, with automatic rollback after any
 * failure once the journal exists. The caller holds the lock and has checked there is no journal.
 */
export async function runTransaction(plan: TxPlan, deps: TxDeps, progress: Progress): Promise<TxResult> {
  const composeDir = path.dirname(plan.composeFile);
  const history = new HistoryStore(plan.stateDir, composeDir);
  const journals = new JournalStore(plan.stateDir);

  // `compose config` on a staged copy starts first and runs while the backup and the journal are
  // written; its verdict is read at the validate step. It touches no user file, so starting it
  // early changes nothing the journal protects.
  const validation = plan.validation ?? startComposeValidation(plan, deps.target);

  // Backup: a complete, fsynced history entry exists before the journal mentions it.
  progress.start('backup');
  const saved = pendingBlobs();
  const snapshot = await deps.target.snapshot(saved);
  const previous = snapshot.container;
  const manifest = await history.create(
    {
      operation: plan.operation,
      mode: plan.mode,
      composeFile: plan.composeFile,
      files: plan.writes.map((w) => w.path),
      ...(previous ? { previousContainer: previous } : {}),
      ...(snapshot.dockerBefore ? { dockerBefore: snapshot.dockerBefore } : {}),
      ...(saved.bytes.length > 0 ? { targetBlobs: saved.bytes } : {}),
    },
    deps.now(),
  );
  progress.done(
    `${manifest.files.length} file(s) → ${path.relative(composeDir, history.entryDir(manifest.id))}`,
  );
  deps.fault('backup');

  const files: JournalFile[] = plan.writes.map((w, i) => {
    const m = manifest.files[i]!;
    return {
      path: w.path,
      rel: m.path,
      existed: m.existed,
      ...(m.sha256 ? { sha256: m.sha256 } : {}),
      ...(m.mode !== undefined ? { mode: m.mode } : {}),
      newSha256: w.content === null ? null : sha256(w.content),
    };
  });
  let journal = startJournal(
    {
      operation: plan.operation,
      mode: plan.mode,
      pid: process.pid,
      composeFile: plan.composeFile,
      composeDir,
      project: plan.project,
      service: plan.service,
      historyId: manifest.id,
      files,
      dirsCreated: await missingDirs(plan.writes.filter((w) => w.content !== null).map((w) => w.path)),
      scratch: [],
      previous,
      ...(snapshot.dockerBefore ? { dockerBefore: snapshot.dockerBefore } : {}),
      composeProject: snapshot.project,
      ...(snapshot.kind !== 'compose' ? { targetKind: snapshot.kind } : {}),
      ...(snapshot.saved.length > 0 ? { targetSaved: snapshot.saved } : {}),
    },
    deps.now(),
  );
  await journals.write(journal);
  deps.fault('prepared');

  const step = async (next: Journal['step']) => {
    journal = advance(journal, next, deps.now());
    await journals.write(journal);
    deps.fault(next);
  };
  let current = 'validate';
  const ctxRollback = (failure: Failure) =>
    rollbackJournal(journal, failure, deps, progress.sub(3, 'rollback'), {
      stateDir: plan.stateDir,
      timeoutMs: plan.timeoutMs,
    });

  try {
    progress.start('validate');
    const result = await validation;
    if (result) {
      if (!result.ok) {
        const message = `compose config rejected the new file: ${result.message}`;
        progress.fail(message);
        await history.setOutcome(manifest.id, 'not-applied', message, deps.now());
        await journals.remove();
        return { outcome: 'not-applied', historyId: manifest.id, failure: { step: 'validate', message } };
      }
    }
    progress.done(`${deps.target.label} config accepts it`);
    await step('validated');

    current = 'write';
    progress.start('write');
    await step('writing');
    for (const dir of journal.dirsCreated) await mkdir(dir).catch(ignore('EEXIST'));
    for (const [i, w] of plan.writes.entries()) {
      if (w.content === null) await removeFile(w.path);
      else await durableWrite(w.path, w.content, w.mode ?? files[i]!.mode);
      deps.fault(`write-${i + 1}`);
    }
    await step('written');
    progress.done(files.map((f) => f.rel).join(', '));

    current = 'deploy';
    progress.start('deploy');
    const desired = desiredState(plan) ?? {
      ...desiredBase(plan),
      compose: await readFile(plan.composeFile, 'utf8'),
      composeChanged: false,
    };
    const deployed = await deps.target.deploy(desired, snapshot, (e) => progress.note(eventLine(e)));
    if (!deployed.ok) throw new StepError('deploy', deployed.message);
    await step('deployed');
    progress.done(deployed.detail);

    current = 'wait';
    progress.start(`wait for ${plan.service} (up to ${Math.round(plan.timeoutMs / 1000)} s)`);
    const ready = await deps.target.waitReady({
      service: plan.service,
      timeoutMs: plan.timeoutMs,
      ...(deployed.replacedId ? { replacedId: deployed.replacedId } : {}),
    });
    if (!ready.ok) throw new StepError('wait', ready.reason, ready.logs);
    progress.done(
      `${ready.container.name} ready after ${(ready.waitedMs / 1000).toFixed(1)} s${ready.evidence ? ` (${ready.evidence})` : ''}`,
    );

    current = 'verify';
    progress.start('verify');
    const verdict = await deps.verify({
      phase: 'apply',
      mode: plan.mode,
      container: ready.container,
      engine: deps.engine,
      composeFile: plan.composeFile,
      service: plan.service,
      ...(ready.evidence ? { readiness: ready.evidence } : {}),
    });
    if (!verdict.ok) throw new StepError('verify', verdict.summary, undefined, verdict);
    progress.done(verdict.summary);
    await step('verified');
    if (plan.undoDocker) {
      const undo: TargetSnapshot = { ...snapshot, dockerBefore: plan.undoDocker };
      for (const line of await deps.target.cleanup(undo)) progress.note(line);
    }

    await history.setOutcome(manifest.id, 'applied', verdict.summary, deps.now());
    await journals.remove();
    return { outcome: 'applied', historyId: manifest.id, verify: verdict };
  } catch (e) {
    const failure: Failure =
      e instanceof StepError
        ? { step: e.step, message: e.message, ...(e.logs ? { logs: e.logs } : {}) }
        : { step: current, message: (e as Error).message.split('\n')[0] ?? String(e) };
    progress.fail(failure.message);
    const rollback = await ctxRollback(failure);
    return {
      outcome: rollback.ok ? 'rolled-back' : 'rollback-failed',
      historyId: manifest.id,
      failure,
      rollback,
      ...(e instanceof StepError && e.verdict ? { verify: e.verdict } : {}),
    };
  }
}

class StepError extends Error {
  constructor(
    readonly step: string,
    message: string,
    readonly logs?: string,
    readonly verdict?: VerifyOutcome,
  ) {
    super(message);
  }
}

/**
 * Restores the files of a journal byte for byte from its history entry, redeploys the old
 * configuration when the new one may have reached the containers, waits for the old container and
 * checks it. Idempotent: safe to run again after it was itself interrupted. On success the journal
 * is removed; on failure it stays (for another `tailbridge rollback`) and the report has manual steps.
 */
export async function rollbackJournal(
  start: Journal,
  failure: Failure | undefined,
  deps: TxDeps,
  progress: Progress,
  options: { stateDir: string; timeoutMs: number },
): Promise<RollbackReport> {
  const history = new HistoryStore(options.stateDir, start.composeDir);
  const journals = new JournalStore(options.stateDir);
  const snapshot = snapshotOfJournal(start);
  const lines: string[] = [];
  let journal = start;
  let problem: string | undefined;
  let containerName: string | undefined;
  let sameConfig: boolean | undefined;
  const mark = async (step: Journal['step']) => {
    journal = advance(journal, step, deps.now());
    await journals.write(journal);
    deps.fault(step);
  };
  try {
    journal = advance(journal, 'rolling-back', deps.now(), failure ?? journal.failure);
    await journals.write(journal);
    deps.fault('rolling-back');

    progress.start('restore files');
    for (const s of journal.scratch) await rm(s, { recursive: true, force: true });
    if (filesMayHaveChanged(journal)) {
      let restored = 0;
      for (const [i, f] of [...journal.files].reverse().entries()) {
        if (await restoreFile(history, journal.historyId, f)) restored++;
        deps.fault(`restore-${i + 1}`);
      }
      for (const dir of [...journal.dirsCreated].reverse()) await rmdir(dir).catch(() => undefined);
      lines.push(`restored ${restored} of ${journal.files.length} file(s) from history ${journal.historyId}`);
      progress.done(
        `${journal.files.map((f) => f.rel).join(', ')} byte-identical to history ${journal.historyId}`,
      );
    } else {
      lines.push('no file had been written yet');
      progress.done('no file had been written yet');
    }
    await verifyFiles(history, journal);
    await mark('restored');

    if (needsRedeploy(journal)) {
      progress.start('redeploy the previous configuration');
      const restored = await deps.target.restore(snapshot, historyBlobs(history, journal.historyId), (e) =>
        progress.note(eventLine(e)),
      );
      if (!restored.ok) throw new Error(restored.message);
      progress.done(restored.detail);

      if (journal.previous?.running) {
        progress.start(`wait for the previous ${journal.service} container`);
        const ready = await deps.target.waitReady({
          service: journal.service,
          timeoutMs: options.timeoutMs,
          ...(restored.replacedId ? { replacedId: restored.replacedId } : {}),
        });
        if (!ready.ok) throw new Error(`the previous configuration did not come back: ${ready.reason}`);
        const verdict = await readinessVerify({
          phase: 'rollback',
          mode: journal.mode,
          container: ready.container,
          engine: deps.engine,
          composeFile: journal.composeFile,
          service: journal.service,
        });
        if (!verdict.ok) throw new Error(`the previous configuration is not healthy: ${verdict.summary}`);
        containerName = ready.container.name;
        const hash = ready.container.labels['com.docker.compose.config-hash'];
        sameConfig = journal.previous.configHash ? hash === journal.previous.configHash : undefined;
        const same =
          sameConfig === true
            ? ', same configuration as before (compose config-hash matches)'
            : sameConfig === false
              ? ', but its compose config-hash differs from before'
              : '';
        lines.push(`${ready.container.name} running again (${ready.container.image})${same}`);
        progress.done(`${verdict.summary}${same}`);
      } else {
        const note = journal.previous
          ? `${journal.service} was ${journal.previous.state} before the apply; not waited for`
          : `${journal.service} had no container before the apply; not waited for`;
        lines.push(note);
        progress.note(note);
      }
      // A crash-looping container with a bind mount can make Docker recreate a removed directory.
      for (const dir of [...journal.dirsCreated].reverse()) await rmdir(dir).catch(() => undefined);
      if (journal.dockerBefore) {
        const removed = await deps.target.cleanup(snapshot);
        if (removed.length > 0) {
          lines.push(`${removed.join(', ')} (created by the attempt)`);
          progress.note(removed.join(', '));
        }
      }
      await mark('redeployed');
    }

    const nothingWritten = !filesMayHaveChanged(journal);
    await history.setOutcome(
      journal.historyId,
      nothingWritten ? 'not-applied' : 'rolled-back',
      failure
        ? `${failure.step}: ${failure.message}`
        : journal.failure
          ? `${journal.failure.step}: ${journal.failure.message}`
          : 'rolled back by `tailbridge rollback`',
      deps.now(),
    );
    await journals.remove();
    return {
      ok: true,
      lines,
      ...(containerName ? { containerName } : {}),
      ...(sameConfig !== undefined ? { sameConfig } : {}),
    };
  } catch (e) {
    problem = (e as Error).message.split('\n')[0] ?? String(e);
    progress.fail(problem);
    await history
      .setOutcome(journal.historyId, 'rollback-failed', problem, deps.now())
      .catch(() => undefined);
    return { ok: false, lines, problem, manualSteps: manualSteps(journal, history, journals, deps.target) };
  }
}

/** Writes one file back as it was (or deletes it); false when it already was. */
async function restoreFile(history: HistoryStore, id: string, f: JournalFile): Promise<boolean> {
  if (!f.existed) return removeFile(f.path);
  const bytes = await history.readBlob(id, f.sha256!);
  const current = await readFile(f.path).catch(() => undefined);
  const mode = await stat(f.path).then(
    (s) => s.mode & 0o7777,
    () => undefined,
  );
  if (current && sha256(current) === f.sha256 && mode === f.mode) return false;
  await durableWrite(f.path, bytes, f.mode);
  return true;
}

async function verifyFiles(history: HistoryStore, journal: Journal): Promise<void> {
  for (const f of journal.files) {
    const current = await readFile(f.path).catch(() => undefined);
    if (!f.existed) {
      if (current !== undefined) throw new Error(`${f.rel} should not exist after the restore`);
    } else if (!current || sha256(current) !== f.sha256) {
      throw new Error(`${f.rel} does not match its backup ${history.blobPath(journal.historyId, f.sha256!)}`);
    }
  }
}

async function removeFile(file: string): Promise<boolean> {
  try {
    await unlink(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw e;
  }
  await syncDir(path.dirname(file));
  return true;
}

async function missingDirs(files: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const f of files) {
    const chain: string[] = [];
    for (let d = path.dirname(f); d !== path.dirname(d); d = path.dirname(d)) {
      const exists = await stat(d).then(
        () => true,
        () => false,
      );
      if (exists) break;
      chain.unshift(d);
    }
    for (const d of chain) if (!out.includes(d)) out.push(d);
  }
  return out;
}

function ignore(code: string) {
  return (e: NodeJS.ErrnoException) => {
    if (e.code !== code) throw e;
  };
}

function eventLine(e: { percent?: number; message: string }): string {
  return e.percent === undefined ? e.message : `${e.percent}% ${e.message}`;
}

function q(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** Exact shell steps to finish a rollback by hand. */
export function manualSteps(
  journal: Journal,
  history: HistoryStore,
  journals: JournalStore,
  target: DeployTarget,
): string[] {
  const steps: string[] = [];
  for (const f of journal.files) {
    if (f.existed) {
      steps.push(`cp ${q(history.blobPath(journal.historyId, f.sha256!))} ${q(f.path)}`);
      if (f.mode !== undefined) steps.push(`chmod ${f.mode.toString(8)} ${q(f.path)}`);
    } else steps.push(`rm -f ${q(f.path)}`);
  }
  steps.push(...target.manualRestoreSteps(snapshotOfJournal(journal), journal.service));
  steps.push(`rm ${q(journals.file)}   # only once the above worked (or run \`tailbridge rollback\` again)`);
  return steps;
}
