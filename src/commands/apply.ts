import { readFile, rename } from 'node:fs/promises';
import path from 'node:path';
import { openDeployTarget } from '../adapters/deploy/open.js';
import { detectCompose } from '../adapters/docker/compose.js';
import { DockerodeEngine } from '../adapters/docker/engine.js';
import { identityVerdict } from '../adapters/node-identity.js';
import { envFaultHook, type FaultHook } from '../adapters/transaction/fault.js';
import { HistoryStore } from '../adapters/transaction/history.js';
import { beginOperation, endOperation } from '../adapters/transaction/housekeeping.js';
import { JournalStore } from '../adapters/transaction/journal-store.js';
import { type HeldLock, takeStateLock } from '../adapters/transaction/lock.js';
import {
  type PlannedWrite,
  runTransaction,
  startComposeValidation,
  type TxResult,
} from '../adapters/transaction/run.js';
import {
  resolveTarget,
  type Target,
  type TargetOptions,
  ttyConfirm,
} from '../adapters/transaction/target.js';
import type { Io } from '../cli/io.js';
import { colors } from '../cli/io.js';
import { VERSION } from '../cli/version.js';
import { describeJournal } from '../core/apply/journal.js';
import type { Verifier } from '../core/apply/readiness.js';
import { unifiedDiff } from '../core/compose/diff.js';
import type { ControlAccess } from '../core/control/ports.js';
import { driftOverwriteNote, driftRefusal } from '../core/deploy/drift-report.js';
import type { DeployTarget } from '../core/deploy/target.js';
import { describeGuard, type GuardFlag, type GuardVerdict, refusalMessage } from '../core/identity/guard.js';
import { isMode, MODES, type Mode } from '../core/model/modes.js';
import type { ComposeRunner } from '../core/ports/compose.js';
import type { DockerEngine } from '../core/ports/docker.js';
import { ExitCode, TailbridgeError } from '../errors.js';
import { lineProgress } from '../render/progress.js';
import { computeFileChanges, type FileChange } from './file-changes.js';
import { approvalAccess, layeredVerifier, withRouteApproval } from './layered-verifier.js';

export interface ApplyOptions extends TargetOptions {
  mode?: string;
  /** Seconds to wait for the container (default 90). */
  timeout?: number;
  dryRun?: boolean;
  yes?: boolean;
  /** History entries to keep (default 10). */
  keep?: number;
  /** Start over an unfinished journal after the user checked the files by hand. */
  discardJournal?: boolean;
  /** Verify end to end (L4) through an ephemeral tailnet probe container. */
  probe?: boolean;
  /** Deploy over a target whose compose differs from the local file (TrueNAS: edited in the UI). */
  overwriteDrift?: boolean;
  /** Identity changes the user allows (`--allow-rename`, `--allow-route-change`, `--allow-state-move`). */
  allow?: GuardFlag[];
  /** Approve the node's expected routes through the control server's API before verifying. */
  approveRoutes?: boolean;
  json?: boolean;
}

/** What apply/rollback reach the world through; every field has a real default. */
export interface ApplyDeps {
  engine: DockerEngine;
  compose: ComposeRunner;
  /** Runs after the container is ready; the built-in one is a readiness check. */
  verify: Verifier;
  now: () => Date;
  confirm: (question: string) => Promise<boolean>;
  fault: FaultHook;
  settleMs?: number;
  pollMs?: number;
  /** Receives the transaction's outcome (migrate keeps it as evidence). */
  onResult?: (result: TxResult) => void;
  /** The control server's API for --approve-routes (default: from tailscale.control.api). */
  control?: ControlAccess;
}

export const DEFAULT_TIMEOUT_S = 90;
export const DEFAULT_KEEP = 10;

/** `tailbridge apply --mode X`: backup, validate, write, deploy, wait, verify; roll back on failure. */
export async function apply(options: ApplyOptions, io: Io, deps: Partial<ApplyDeps> = {}): Promise<number> {
  if (!options.mode)
    throw new TailbridgeError(`pass --mode (one of: ${MODES.join(', ')}; see \`tailbridge plan\`)`);
  if (!isMode(options.mode))
    throw new TailbridgeError(`unknown mode "${options.mode}" (expected one of: ${MODES.join(', ')})`);
  const mode = options.mode;
  // Finding the compose CLI runs a subprocess (~0.5 s for docker-compose v1): start it now, so it
  // overlaps with loading the config and computing the change.
  const composeFound = deps.compose ? Promise.resolve(deps.compose) : detectCompose();
  composeFound.catch(() => undefined);
  const timeoutMs = seconds(options.timeout, DEFAULT_TIMEOUT_S, '--timeout') * 1000;
  const keep = count(options.keep, DEFAULT_KEEP, '--keep');
  const target = await resolveTarget(options, io);
  const c = colors(io);

  if (options.dryRun) {
    const changes = await computeChanges(target, mode);
    const identity = await dryRunIdentity(deps, target, mode, options.allow ?? []);
    printDryRun(io, options, target, mode, changes, timeoutMs, identity);
    return ExitCode.ok;
  }
  // Refused before anything changes when --approve-routes cannot reach the API.
  const approval = options.approveRoutes
    ? (deps.control ?? (await approvalAccess(target.loaded, `tailbridge/${VERSION}`)))
    : undefined;
  const progress = lineProgress(io, 7, { toStderr: Boolean(options.json) });
  progress.start('lock');
  const lock = await takeLock(target, 'apply', io, deps);
  const journals = new JournalStore(target.stateDir);
  try {
    const history = new HistoryStore(target.stateDir, target.composeDir);
    const open = await journals.read();
    for (const note of await beginOperation(target.stateDir, target.composeDir, open?.historyId, now(deps)))
      progress.note(note);
    if (open) {
      if (open.step === 'verified') {
        // The previous apply succeeded and was interrupted while cleaning up: finish it.
        await history.setOutcome(
          open.historyId,
          'applied',
          'verified; journal closed by the next apply',
          now(deps),
        );
        await journals.remove();
        progress.note(`closed the journal of a finished apply (history ${open.historyId})`);
      } else if (options.discardJournal) {
        await history.setOutcome(
          open.historyId,
          'discarded',
          `journal discarded by the user at ${open.step}`,
          now(deps),
        );
        await rename(
          journals.file,
          path.join(history.entryDir(open.historyId), 'journal.discarded.json'),
        ).catch(() => journals.remove());
        progress.note(`discarded the unfinished journal (${describeJournal(open)})`);
      } else {
        progress.fail('an unfinished apply');
        throw new TailbridgeError(
          `an earlier operation did not finish (${describeJournal(open)}): run \`tailbridge rollback\` to restore the files and containers, or \`tailbridge apply --discard-journal\` after checking them by hand`,
        );
      }
    }
    // Computed under the lock, from the files as they are now.
    const changes = await computeChanges(target, mode);
    if (changes.length === 0) {
      const message = `${target.display(target.composeFile)} already has mode ${mode}: nothing to apply`;
      io.stdout(options.json ? JSON.stringify({ result: 'unchanged', mode }, null, 2) : message);
      progress.done('nothing to apply');
      return ExitCode.ok;
    }
    const writes: PlannedWrite[] = changes.map((ch) => ({
      path: ch.path,
      content: Buffer.from(ch.after, 'utf8'),
      ...(ch.mode !== undefined ? { mode: ch.mode } : {}),
    }));
    const engine = deps.engine ?? new DockerodeEngine();
    const deployTarget = composeFound.then((compose) => deployTargetOf(target, engine, compose, deps));
    // `compose config` (~0.5 s for v1) runs while the node is compared and the user confirms.
    const validation = deployTarget.then((to) =>
      startComposeValidation(
        { writes, composeFile: target.composeFile, operation: 'apply', mode, service: target.service },
        to,
      ),
    );
    validation.catch(() => undefined);
    // Before anything changes: is the deployed compose still the local file (TrueNAS: edited in the UI)?
    await refuseDrift(await deployTarget, target, progress, Boolean(options.overwriteDrift));
    await engine.ping();
    // Before anything changes: the new desired state against the running node.
    const identity = await guardFor(engine, target, mode, options.allow ?? []);
    for (const line of identityLines(identity, target)) progress.note(line);
    if (identity && identity.refused.length > 0) {
      progress.fail('the change would alter the running node');
      throw new TailbridgeError(refusalMessage(identity, 'applied'));
    }
    if (!options.yes) {
      if (!io.isTTY)
        throw new TailbridgeError(
          'apply changes your files and containers: pass --yes to confirm (not a terminal)',
        );
      io.stdout(
        changes.map((ch) => unifiedDiff(ch.display, ch.before?.toString('utf8') ?? '', ch.after)).join('\n'),
      );
      const confirm = deps.confirm ?? ttyConfirm;
      if (
        !(await confirm(`Apply mode ${mode} (${changes.length} file(s)) and redeploy ${target.service}?`))
      ) {
        io.stderr('not applied');
        return ExitCode.usage;
      }
    }

    const to = await deployTarget;
    progress.done(`${path.relative(io.cwd, lock.file) || lock.file}`);

    const result = await runTransaction(
      {
        operation: 'apply',
        mode,
        composeFile: target.composeFile,
        stateDir: target.stateDir,
        project: target.project,
        service: target.service,
        writes,
        timeoutMs,
        validation,
      },
      {
        engine,
        target: to,
        verify: gate(
          deps.verify ?? layeredVerifier(target.loaded, { probe: Boolean(options.probe) }),
          target,
          approval,
          (line) => progress.note(line),
        ),
        now: deps.now ?? (() => new Date()),
        fault: deps.fault ?? envFaultHook(),
      },
      progress,
    );
    deps.onResult?.(result);
    reportResult(io, options, target, mode, result, c);
    return result.exitCode;
  } finally {
    await endOperation(target.stateDir, target.composeDir, keep, journals, io.stderr).finally(() =>
      lock.release(),
    );
  }
}

async function refuseDrift(
  to: DeployTarget,
  target: Target,
  progress: { note(line: string): void; fail(line: string): void },
  overwrite: boolean,
): Promise<void> {
  const local = await readFile(target.composeFile, 'utf8');
  const drift = await to.drift(local);
  if (!drift.drifted) return;
  if (overwrite) {
    progress.note(driftOverwriteNote(drift, to.label));
    return;
  }
  progress.fail('drift');
  throw new TailbridgeError(driftRefusal(drift, target.display(target.composeFile), to.label));
}

/** The deploy target of this config (target: in tailbridge.yaml; default compose). */
export function deployTargetOf(
  target: Target,
  engine: DockerEngine,
  compose: ComposeRunner,
  deps: Partial<Pick<ApplyDeps, 'settleMs' | 'pollMs'>>,
  project = target.project,
): DeployTarget {
  return openDeployTarget(
    target.loaded.config.target,
    {
      engine,
      compose,
      project,
      composeFile: target.composeFile,
      service: target.service,
      ...(deps.settleMs !== undefined ? { settleMs: deps.settleMs } : {}),
      ...(deps.pollMs !== undefined ? { pollMs: deps.pollMs } : {}),
    },
    { configDir: target.loaded.dir },
  );
}

/** Sidecar mode leaves the main tailscale service as it is; every other mode replaces it. */
export async function guardFor(
  engine: DockerEngine,
  target: Target,
  mode: Mode,
  allow: readonly GuardFlag[],
): Promise<GuardVerdict | undefined> {
  if (mode === 'sidecar') return undefined;
  return identityVerdict(engine, target.project, target.loaded.config, allow);
}

export function identityLines(v: GuardVerdict | undefined, target: Target): string[] {
  return v
    ? describeGuard(v, target.loaded.config.tailscale.containerName)
    : [`identity: sidecar mode leaves ${target.service} as it is`];
}

function now(deps: Partial<ApplyDeps>): Date {
  return deps.now ? deps.now() : new Date();
}

export function takeLock(
  target: Target,
  command: string,
  io: Io,
  deps: Partial<ApplyDeps>,
): Promise<HeldLock> {
  return takeStateLock(target.stateDir, command, now(deps), io.stderr);
}

/** New contents of the compose file (edits merged, like `generate --write`) and the side files. */
export function computeChanges(target: Target, mode: Mode): Promise<FileChange[]> {
  return computeFileChanges(target.loaded.config, mode, target.composeFile, target.display);
}

/** The numbered steps apply takes, for --dry-run. */
export function applySteps(target: Target, mode: string, changes: FileChange[], timeoutMs: number): string[] {
  const history = path.join(target.display(target.stateDir), 'history');
  return [
    `lock ${path.join(target.display(target.stateDir), 'apply.lock')} (refuse if another apply runs or an earlier one did not finish); compare with the running node and refuse a rename, a dropped or changed route or a moved state directory unless --allow-rename / --allow-route-change / --allow-state-move names it`,
    `back up ${changes.map((c) => c.display).join(', ')} to ${history}/<time>-<hash>/, then start the journal`,
    `validate: compose schema (done: ok) and \`compose config -q\` on a staged copy`,
    `write ${changes.length} file(s) atomically (side files first, the compose file last)`,
    `compose up -d (${target.project.files.map(target.display).join(' + ')})`,
    `wait up to ${Math.round(timeoutMs / 1000)} s for ${target.service}: running, not restarting, healthy when it has a healthcheck`,
    `verify mode ${mode}; on any failure restore the files byte-identical, bring the old configuration back (up -d --force-recreate) and check it`,
  ];
}

/** The identity lines of a dry run; a dry run also works where no Docker engine answers. */
async function dryRunIdentity(
  deps: Partial<ApplyDeps>,
  target: Target,
  mode: Mode,
  allow: readonly GuardFlag[],
): Promise<{ lines: string[]; refused: number }> {
  try {
    const engine = deps.engine ?? new DockerodeEngine();
    await engine.ping();
    const v = await guardFor(engine, target, mode, allow);
    return { lines: identityLines(v, target), refused: v?.refused.length ?? 0 };
  } catch (e) {
    return { lines: [`identity: not compared (${(e as Error).message.split('\n')[0]})`], refused: 0 };
  }
}

function printDryRun(
  io: Io,
  options: ApplyOptions,
  target: Target,
  mode: string,
  changes: FileChange[],
  timeoutMs: number,
  identity: { lines: string[]; refused: number },
): void {
  const diff = changes
    .map((ch) => unifiedDiff(ch.display, ch.before?.toString('utf8') ?? '', ch.after))
    .filter(Boolean)
    .join('\n');
  const steps = applySteps(target, mode, changes, timeoutMs);
  if (options.json) {
    io.stdout(
      JSON.stringify(
        {
          dryRun: true,
          mode,
          files: changes.map((c) => ({ path: c.display, exists: c.before !== undefined })),
          diff,
          identity: identity.lines,
          refused: identity.refused > 0,
          steps,
        },
        null,
        2,
      ),
    );
    return;
  }
  const c = colors(io);
  io.stdout(diff || `${target.display(target.composeFile)} already has mode ${mode}: nothing to apply`);
  io.stdout('');
  for (const line of identity.lines) io.stdout(line);
  if (identity.refused > 0)
    io.stdout(c.red(`apply --mode ${mode} would be refused until the flag named above is passed`));
  io.stdout(c.bold(`\nDry run — nothing written. apply --mode ${mode} would:`));
  for (const [i, s] of steps.entries()) io.stdout(`  ${i + 1}. ${s}`);
}

function reportResult(
  io: Io,
  options: ApplyOptions,
  target: Target,
  mode: string,
  result: TxResult,
  c: ReturnType<typeof colors>,
): void {
  const historyDir = path.join(target.display(target.stateDir), 'history', result.historyId);
  if (options.json) {
    io.stdout(
      JSON.stringify(
        {
          result:
            result.exitCode === 0
              ? 'applied'
              : result.exitCode === ExitCode.rolledBack
                ? 'rolled-back'
                : result.exitCode === ExitCode.usage
                  ? 'not-applied'
                  : 'rollback-failed',
          mode,
          history: result.historyId,
          ...(result.failure ? { failure: result.failure } : {}),
          ...(result.verify ? { verify: result.verify } : {}),
          ...(result.rollback ? { rollback: result.rollback } : {}),
        },
        null,
        2,
      ),
    );
    return;
  }
  if (result.exitCode === ExitCode.ok) {
    io.stdout(`${c.green('applied')} mode ${mode}: ${result.verify?.summary ?? ''}`);
    io.stdout(`${c.dim('backup')} ${historyDir} (\`tailbridge rollback\` restores it)`);
    return;
  }
  const f = result.failure!;
  if (result.exitCode === ExitCode.usage) {
    io.stderr(`${c.red('not applied')}: ${f.message} — nothing was written (backup ${historyDir})`);
    return;
  }
  io.stderr(`${c.red('apply failed')} at ${f.step}: ${f.message}`);
  if (f.logs) {
    io.stderr(c.dim('last log lines of the container (secrets redacted):'));
    io.stderr(
      f.logs
        .split('\n')
        .map((l) => `  | ${l}`)
        .join('\n'),
    );
  }
  const rb = result.rollback!;
  if (rb.ok) {
    io.stderr(`${c.yellow('rolled back')}: ${rb.lines.join('; ')}`);
  } else {
    io.stderr(`${c.red('ROLLBACK FAILED')}: ${rb.problem}`);
    io.stderr('Finish it by hand (or fix the cause and run `tailbridge rollback` again):');
    for (const s of rb.manualSteps ?? []) io.stderr(`  ${s}`);
  }
}

function seconds(value: number | undefined, def: number, flag: string): number {
  if (value === undefined) return def;
  if (!Number.isFinite(value) || value <= 0)
    throw new TailbridgeError(`${flag} must be a positive number of seconds`);
  return value;
}

function count(value: number | undefined, def: number, flag: string): number {
  if (value === undefined) return def;
  if (!Number.isInteger(value) || value < 1) throw new TailbridgeError(`${flag} must be a whole number ≥ 1`);
  return value;
}

/** The verify gate, with the --approve-routes step in front of it when asked for. */
function gate(
  verify: Verifier,
  target: Target,
  approval: ControlAccess | undefined,
  log: (line: string) => void,
): Verifier {
  return approval ? withRouteApproval(verify, { loaded: target.loaded, access: approval, log }) : verify;
}
