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
import {
  readinessVerify,
  type Verifier,
  type VerifyOutcome,
  waitForContainer,
} from '../../core/apply/readiness.js';
import type { ComposeProject, ComposeRunner } from '../../core/ports/compose.js';
import type { DockerEngine } from '../../core/ports/docker.js';
import { ExitCode } from '../../errors.js';
import { composeAccepts } from '../docker/staged-validate.js';
import { durableWrite, syncDir } from '../durable.js';
import { sha256 } from '../fs.js';
import {
  composeProjectName,
  removeCreated,
  removeRecreateLeftovers,
  snapshotDocker,
} from './docker-cleanup.js';
import type { FaultHook } from './fault.js';
import { HistoryStore } from './history.js';
import { JournalStore } from './journal-store.js';
import { containerState, locateServiceContainer } from './locate.js';
import { waitForStrayCompose } from './stray-compose.js';

export interface TxDeps {
  engine: DockerEngine;
  compose: ComposeRunner;
  verify: Verifier;
  now: () => Date;
  fault: FaultHook;
  /** Readiness without a healthcheck: how long the container must stay up (default 3 s). */
  settleMs?: number;
  pollMs?: number;
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
  plan: Pick<TxPlan, 'writes' | 'composeFile' | 'project'>,
  compose: ComposeRunner,
): Promise<{ ok: boolean; message: string } | undefined> {
  const content = plan.writes.find((w) => w.path === plan.composeFile)?.content;
  return content
    ? composeAccepts(compose, plan.project, plan.composeFile, content)
    : Promise.resolve(undefined);
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

export interface TxResult {
  exitCode: number;
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
  const validation = plan.validation ?? startComposeValidation(plan, deps.compose);

  // Backup: a complete, fsynced history entry exists before the journal mentions it.
  progress.start('backup');
  const before = await locateServiceContainer(deps.engine, plan.project, plan.service);
  const previous = containerState(before);
  const dockerBefore = await snapshotDocker(deps.engine);
  const manifest = await history.create(
    {
      operation: plan.operation,
      mode: plan.mode,
      composeFile: plan.composeFile,
      files: plan.writes.map((w) => w.path),
      ...(previous ? { previousContainer: previous } : {}),
      dockerBefore,
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
      dockerBefore,
      composeProject: composeProjectName(plan.project, before),
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
        return { exitCode: ExitCode.usage, historyId: manifest.id, failure: { step: 'validate', message } };
      }
    }
    progress.done(`${deps.compose.flavor === 'v2' ? 'docker compose' : 'docker-compose'} config accepts it`);
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
    const up = await deps.compose.up(
      plan.project,
      plan.operation === 'restore' ? { removeOrphans: true } : {},
    );
    if (up.exitCode !== 0)
      throw new StepError('deploy', `compose up failed: ${firstLines(up.stderr || up.stdout)}`);
    const after = await locateServiceContainer(deps.engine, plan.project, plan.service);
    const composeChanged = plan.writes.some((w) => w.path === plan.composeFile);
    let replaced = !before || after?.id !== before.id;
    if (!replaced && !composeChanged) {
      // Only side files changed: compose kept the container; recreate it so it reads them.
      const again = await deps.compose.up(plan.project, { services: [plan.service], forceRecreate: true });
      if (again.exitCode !== 0)
        throw new StepError('deploy', `compose up failed: ${firstLines(again.stderr || again.stdout)}`);
      replaced = true;
    }
    // When the compose change left this service alone (sidecar mode edits the apps), its running
    // container is the one to wait for; otherwise wait for the new one.
    await step('deployed');
    progress.done(`${deps.compose.flavor === 'v2' ? 'docker compose' : 'docker-compose'} up -d`);

    current = 'wait';
    progress.start(`wait for ${plan.service} (up to ${Math.round(plan.timeoutMs / 1000)} s)`);
    const ready = await waitForContainer({
      engine: deps.engine,
      locate: () => locateServiceContainer(deps.engine, plan.project, plan.service),
      timeoutMs: plan.timeoutMs,
      ...(before && replaced ? { notId: before.id } : {}),
      ...(deps.settleMs !== undefined ? { settleMs: deps.settleMs } : {}),
      ...(deps.pollMs !== undefined ? { pollMs: deps.pollMs } : {}),
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
      const project = composeProjectName(plan.project, ready.container, before);
      for (const line of await removeCreated(deps.engine, plan.undoDocker, project)) progress.note(line);
    }

    await history.setOutcome(manifest.id, 'applied', verdict.summary, deps.now());
    await journals.remove();
    return { exitCode: ExitCode.ok, historyId: manifest.id, verify: verdict };
  } catch (e) {
    const failure: Failure =
      e instanceof StepError
        ? { step: e.step, message: e.message, ...(e.logs ? { logs: e.logs } : {}) }
        : { step: current, message: (e as Error).message.split('\n')[0] ?? String(e) };
    progress.fail(failure.message);
    const rollback = await ctxRollback(failure);
    return {
      exitCode: rollback.ok ? ExitCode.rolledBack : ExitCode.rollbackFailed,
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
      // After a crash, the killed run's compose may still be bringing the new configuration up.
      const stray = await waitForStrayCompose(journal.project.files);
      if (stray.length > 0)
        progress.note(`waited for the interrupted run's compose (pid ${stray.join(', ')})`);
      const beforeUp = await locateServiceContainer(deps.engine, journal.project, journal.service);
      const up = await redeploy(deps, journal, progress);
      if (up.exitCode !== 0) throw new Error(`compose up failed: ${firstLines(up.stderr || up.stdout)}`);
      progress.done('up -d --force-recreate --remove-orphans');

      if (journal.previous?.running) {
        progress.start(`wait for the previous ${journal.service} container`);
        const ready = await waitForContainer({
          engine: deps.engine,
          locate: () => locateServiceContainer(deps.engine, journal.project, journal.service),
          timeoutMs: options.timeoutMs,
          ...(beforeUp ? { notId: beforeUp.id } : {}),
          ...(deps.settleMs !== undefined ? { settleMs: deps.settleMs } : {}),
          ...(deps.pollMs !== undefined ? { pollMs: deps.pollMs } : {}),
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
        const project =
          journal.composeProject ??
          composeProjectName(
            journal.project,
            await locateServiceContainer(deps.engine, journal.project, journal.service),
          );
        const removed = await removeCreated(deps.engine, journal.dockerBefore, project);
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
    return { ok: false, lines, problem, manualSteps: manualSteps(journal, history, journals, deps.compose) };
  }
}

/**
 * `compose up -d --force-recreate --remove-orphans` of the restored files. After a crash the killed
 * run's compose may still be running, or may have left a recreate half done: on failure, wait, remove
 * the service's half-recreated leftovers and try again (three attempts).
 */
async function redeploy(deps: TxDeps, journal: Journal, progress: Progress) {
  let up = await deps.compose.up(journal.project, { forceRecreate: true, removeOrphans: true });
  for (let attempt = 1; up.exitCode !== 0 && attempt < 3; attempt++) {
    await new Promise((r) => setTimeout(r, 2_000 * attempt));
    const removed = await removeRecreateLeftovers(deps.engine, journal.project, journal.service);
    progress.note(
      `compose up failed (${firstLines(up.stderr || up.stdout)}); retrying${removed.length ? ` after removing the half-recreated ${removed.join(', ')}` : ''}`,
    );
    up = await deps.compose.up(journal.project, { forceRecreate: true, removeOrphans: true });
  }
  return up;
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

function firstLines(text: string): string {
  return text.trim().split('\n').slice(-3).join(' ').trim();
}

function q(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** Exact shell steps to finish a rollback by hand. */
export function manualSteps(
  journal: Journal,
  history: HistoryStore,
  journals: JournalStore,
  compose: Pick<ComposeRunner, 'flavor'>,
): string[] {
  const steps: string[] = [];
  for (const f of journal.files) {
    if (f.existed) {
      steps.push(`cp ${q(history.blobPath(journal.historyId, f.sha256!))} ${q(f.path)}`);
      if (f.mode !== undefined) steps.push(`chmod ${f.mode.toString(8)} ${q(f.path)}`);
    } else steps.push(`rm -f ${q(f.path)}`);
  }
  const cmd = compose.flavor === 'v2' ? 'docker compose' : 'docker-compose';
  const fileArgs = journal.project.files.map((f) => `-f ${q(f)}`).join(' ');
  const project = journal.project.projectName ? ` -p ${q(journal.project.projectName)}` : '';
  steps.push(
    `cd ${q(journal.project.cwd)} && ${cmd} ${fileArgs}${project} up -d --force-recreate --remove-orphans`,
  );
  steps.push(
    `docker ps -a --filter label=com.docker.compose.service=${journal.service}   # check it is running (and healthy)`,
  );
  steps.push(`rm ${q(journals.file)}   # only once the above worked (or run \`tailbridge rollback\` again)`);
  return steps;
}
