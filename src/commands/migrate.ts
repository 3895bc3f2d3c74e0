import path from 'node:path';
import { detectCompose } from '../adapters/docker/compose.js';
import { DockerodeEngine } from '../adapters/docker/engine.js';
import { identityVerdict } from '../adapters/node-identity.js';
import { saveRun } from '../adapters/runs.js';
import { envFaultHook } from '../adapters/transaction/fault.js';
import { JournalStore } from '../adapters/transaction/journal-store.js';
import type { TxResult } from '../adapters/transaction/run.js';
import { resolveTarget, type Target, type TargetOptions } from '../adapters/transaction/target.js';
import type { Io } from '../cli/io.js';
import { colors } from '../cli/io.js';
import { VERSION } from '../cli/version.js';
import { ROLLBACK_STEPS } from '../core/apply/journal.js';
import type { Verifier } from '../core/apply/readiness.js';
import type { ControlAccess } from '../core/control/ports.js';
import { toEnvironmentFacts } from '../core/discover/index.js';
import { describeGuard, type GuardFlag, refusalMessage } from '../core/identity/guard.js';
import {
  describePhases,
  type PlannedPhase,
  plannedPhases,
  rollbackCommands,
} from '../core/migrate/phases.js';
import { isMode, MODES, type Mode } from '../core/model/modes.js';
import { type EnvironmentFacts, planModes, resolveEnvironment } from '../core/plan/index.js';
import type { ComposeRunner } from '../core/ports/compose.js';
import type { DockerEngine } from '../core/ports/docker.js';
import type { FinalState, MigrationRun, PhaseResult } from '../core/report/types.js';
import { detectMode } from '../core/verify/detect.js';
import type { VerifyReport } from '../core/verify/types.js';
import { ExitCode, TailbridgeError } from '../errors.js';
import { apply } from './apply.js';
import { runDiscovery } from './discover.js';
import { approvalAccess, layeredVerifier, withRouteApproval } from './layered-verifier.js';
import { writeRecordAndNotes } from './report.js';
import { rollback } from './rollback.js';
import { runVerify } from './verify.js';

export interface MigrateOptions extends TargetOptions {
  /** Modes to try, in order (default: the plan's attempt order). */
  modes?: string[];
  dryRun?: boolean;
  /** Seconds each phase waits for its container (default 90). */
  timeout?: number;
  /** Verify end to end (L4) through an ephemeral tailnet probe container. */
  probe?: boolean;
  /** Identity changes the user allows (as for apply). */
  allow?: GuardFlag[];
  /** As for apply: deploy over a target whose compose differs from the local file. */
  overwriteDrift?: boolean;
  /** Approve the node's expected routes through the control server's API after each deploy. */
  approveRoutes?: boolean;
  yes?: boolean;
  json?: boolean;
}

export interface MigrateDeps {
  engine: DockerEngine;
  compose: ComposeRunner;
  /** Observed environment for the planner (default: `discover` on this host). */
  environment: () => Promise<EnvironmentFacts>;
  /** Registers the Ctrl-C handler; returns its remover. */
  onInterrupt: (handler: () => void) => () => void;
  now: () => Date;
  /** The control server's API for --approve-routes (default: from tailscale.control.api). */
  control: ControlAccess;
}

class Interrupted extends Error {}

/**
 * `tailbridge migrate`: the staged strategy (userspace → macvlan → host unless the requirements say
 * otherwise). Each phase: preflight, backup, apply, verify; a failing phase is rolled back before the
 * next. Ends with a mode that passed verification, or the original configuration restored and
 * verified; writes the decision record and notes either way.
 */
export async function migrate(
  options: MigrateOptions,
  io: Io,
  deps: Partial<MigrateDeps> = {},
): Promise<number> {
  const requested = parseModes(options.modes);
  const target = await resolveTarget(options, io);
  const { config } = target.loaded;
  const c = colors(io);
  const log = (line: string) => (options.json ? io.stderr(line) : io.stdout(line));
  const timeoutS = options.timeout ?? 90;

  const engine = deps.engine ?? new DockerodeEngine();
  await engine.ping();
  const observed = await (deps.environment ?? (() => observedEnvironment(config, engine)))();
  // What the record states: the config's facts (the configured parent kind…) overlaid with observations.
  const environment = resolveEnvironment(config, observed);
  const plan = planModes(config, observed);
  const { mode: original, image: originalImage } = await currentMode(engine, config.tailscale.containerName);
  const phases = plannedPhases(plan, original, requested);

  // The identity guard before anything changes: every phase but sidecar replaces the node's container.
  const replaces = phases.some((p) => p.kind === 'apply' && !p.blocked && p.mode !== 'sidecar');
  const identity = replaces
    ? await identityVerdict(engine, target.project, config, options.allow ?? [])
    : undefined;
  const identityText = identity ? describeGuard(identity, config.tailscale.containerName) : [];

  if (options.dryRun) {
    const lines = [
      `tailbridge migrate — dry run (today: ${original ?? 'no tailscale container found'})`,
      ...identityText,
      ...(identity && identity.refused.length > 0
        ? ['migrate would be refused until the flag named above is passed']
        : []),
      ...describePhases(phases, { timeoutS, probe: Boolean(options.probe) }),
      ...(options.approveRoutes
        ? ["each deploy: the node's routes are approved through the control server's API before verifying"]
        : []),
    ];
    io.stdout(
      options.json ? JSON.stringify({ original, identity: identityText, phases }, null, 2) : lines.join('\n'),
    );
    return ExitCode.ok;
  }
  for (const line of identityText) log(line);
  if (identity && identity.refused.length > 0)
    throw new TailbridgeError(refusalMessage(identity, 'migrated'));
  if (!options.yes && !io.isTTY)
    throw new TailbridgeError(
      'migrate changes your files and containers: pass --yes to confirm (not a terminal)',
    );
  const approval = options.approveRoutes
    ? (deps.control ?? (await approvalAccess(target.loaded, `tailbridge/${VERSION}`)))
    : undefined;

  const compose = deps.compose ?? (await detectCompose());
  const now = deps.now ?? (() => new Date());
  const startedAt = now().toISOString();
  let interrupted = false;
  const removeHandler = (deps.onInterrupt ?? processInterrupt)(() => {
    if (!interrupted) log(c.yellow('interrupted: rolling back the current phase…'));
    interrupted = true;
  });

  const results: PhaseResult[] = [];
  let final: MigrationRun['final'] | undefined;
  let exitCode: number = ExitCode.rolledBack;
  try {
    for (const [i, phase] of phases.entries()) {
      if (interrupted) break;
      log(c.bold(`\nphase ${i + 1}/${phases.length}: ${phase.mode}`));
      const result = await runPhase(phase, {
        target,
        engine,
        compose,
        io,
        options,
        now,
        log,
        isInterrupted: () => interrupted,
        ...(approval ? { approval } : {}),
      });
      results.push(result);
      log(
        `${result.outcome === 'passed' ? c.green('✔ passed') : result.outcome === 'blocked' ? c.dim('– blocked') : c.red('✖ failed')}: ${result.reason}`,
      );
      if (result.outcome === 'failed' && !result.rolledBack && result.kind !== 'keep-original') {
        exitCode = ExitCode.rollbackFailed;
        final = { state: 'failed', ...(original ? { mode: original } : {}) };
        break;
      }
      if (result.outcome === 'passed') {
        const state: FinalState = phase.kind === 'restore' ? 'restored' : 'migrated';
        final = { state, mode: phase.mode, ...(result.verify ? { verify: result.verify } : {}) };
        exitCode = state === 'migrated' ? ExitCode.ok : ExitCode.rolledBack;
        break;
      }
    }
  } catch (error) {
    if (!(error instanceof Interrupted)) throw error;
  } finally {
    removeHandler();
  }
  if (interrupted) await finishInterrupted(target, options, io, log);
  for (const p of phases.slice(results.length)) results.push(skipped(p, interrupted, now()));

  if (!final) {
    log(c.bold('\nno mode passed: verifying the original configuration'));
    const verify = await verifyOriginal(engine, target, original, options.probe);
    final = { state: 'restored', ...(original ? { mode: original } : {}), verify };
    exitCode = ExitCode.rolledBack;
  }

  const firstBackup = results.find((r) => r.backupId)?.backupId;
  const composeRel =
    path.relative(target.loaded.dir, target.composeFile) || path.basename(target.composeFile);
  const run: MigrationRun = {
    kind: 'migrate',
    startedAt,
    finishedAt: now().toISOString(),
    toolVersion: VERSION,
    configFile: target.loaded.file,
    composeFile: composeRel,
    config,
    environment,
    plan,
    phases: results,
    final,
    ...(original ? { originalMode: original } : {}),
    ...(originalImage ? { originalImage } : {}),
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
  const written = await writeRecordAndNotes(run, target.loaded, io);
  run.record = { path: path.relative(target.loaded.dir, written.record), number: written.number };
  await saveRun(target.composeDir, run);

  if (options.json) io.stdout(JSON.stringify(run, null, 2));
  else {
    log(
      `\n${final.state === 'migrated' ? c.green('migrated') : c.yellow(final.state)} — ${final.mode ?? 'unknown mode'} is deployed`,
    );
    log(`decision record: ${target.display(written.record)}`);
    if (written.notes) log(`notes: ${target.display(written.notes)}`);
  }
  return exitCode;
}

interface PhaseContext {
  target: Target;
  engine: DockerEngine;
  compose: ComposeRunner;
  io: Io;
  options: MigrateOptions;
  now: () => Date;
  log: (line: string) => void;
  isInterrupted: () => boolean;
  /** --approve-routes: the control server's API. */
  approval?: ControlAccess;
}

async function runPhase(phase: PlannedPhase, ctx: PhaseContext): Promise<PhaseResult> {
  const started = ctx.now();
  const base = {
    mode: phase.mode,
    startedAt: started.toISOString(),
    preflight: { blockers: phase.blockers },
  };
  const elapsed = () => ctx.now().getTime() - started.getTime();
  for (const b of phase.blockers)
    ctx.log(`  preflight ${b.severity === 'blocks' ? 'blocks' : 'warns'}: ${b.message}`);
  if (phase.blocked) {
    const reason = phase.blockers
      .filter((b) => b.severity === 'blocks')
      .map((b) => b.message)
      .join('; ');
    return { ...base, durationMs: elapsed(), outcome: 'blocked', reason, rolledBack: false };
  }
  if (phase.kind === 'restore') {
    const verify = await runVerify(
      { engine: ctx.engine },
      verifyOptions(ctx.target, phase.mode, ctx.options.probe),
    );
    const ok = verify.verdict === 'pass';
    return {
      ...base,
      kind: 'keep-original',
      durationMs: elapsed(),
      outcome: ok ? 'passed' : 'failed',
      reason: ok
        ? `the original ${phase.mode}-mode configuration is in place and verified`
        : `the original ${phase.mode}-mode configuration was kept, but ${firstFailure(verify)}`,
      verify,
      rolledBack: false,
    };
  }

  let report: VerifyReport | undefined;
  let tx: TxResult | undefined;
  const envFault = envFaultHook();
  const gate: Verifier = layeredVerifier(ctx.target.loaded, {
    probe: Boolean(ctx.options.probe),
    strictRoutes: true,
    onReport: (r) => {
      report = r;
    },
  });
  const verifier = ctx.approval
    ? withRouteApproval(gate, {
        loaded: ctx.target.loaded,
        access: ctx.approval,
        log: (l) => ctx.log(indent(l)),
      })
    : gate;
  const quiet: Io = { ...ctx.io, stdout: (t) => ctx.log(indent(t)), stderr: (t) => ctx.log(indent(t)) };
  const code = await apply(
    {
      ...targetOptions(ctx.options),
      mode: phase.mode,
      yes: true,
      ...(ctx.options.allow ? { allow: ctx.options.allow } : {}),
      ...(ctx.options.overwriteDrift ? { overwriteDrift: true } : {}),
      ...(ctx.options.timeout !== undefined ? { timeout: ctx.options.timeout } : {}),
    },
    quiet,
    {
      engine: ctx.engine,
      compose: ctx.compose,
      verify: verifier,
      now: ctx.now,
      fault: (step) => {
        envFault(step);
        // Stop at the next apply step; never interrupt the rollback that undoes it.
        if (ctx.isInterrupted() && !isRollbackStep(step)) throw new Interrupted(`interrupted after ${step}`);
      },
      onResult: (r) => {
        tx = r;
      },
    },
  );
  const backupId = (tx as TxResult | undefined)?.historyId;
  const withBackup = backupId ? { backupId } : {};
  if (code === ExitCode.ok) {
    return {
      ...base,
      kind: 'apply',
      durationMs: elapsed(),
      outcome: 'passed',
      reason: report ? passSummary(report) : 'applied and verified',
      ...(report ? { verify: report } : {}),
      rolledBack: false,
      ...withBackup,
    };
  }
  const failure = (tx as TxResult | undefined)?.failure;
  const reason =
    report && report.verdict === 'fail'
      ? firstFailure(report)
      : failure
        ? `${failure.step}: ${failure.message}`
        : `apply exited with ${code}`;
  return {
    ...base,
    kind: 'apply',
    durationMs: elapsed(),
    outcome: 'failed',
    reason,
    ...(report ? { verify: report } : {}),
    rolledBack: code === ExitCode.rolledBack || code === ExitCode.usage,
    ...withBackup,
  };
}

function isRollbackStep(step: string): boolean {
  return (ROLLBACK_STEPS as readonly string[]).includes(step) || step.startsWith('restore-');
}

function verifyOptions(target: Target, mode: Mode | undefined, probe?: boolean) {
  return {
    config: target.loaded.config,
    configDir: target.loaded.dir,
    ...(mode ? { mode } : {}),
    probe: Boolean(probe),
  };
}

/** The last verification of the restored original: with the probe when the phases had it. */
async function verifyOriginal(
  engine: DockerEngine,
  target: Target,
  mode: Mode | undefined,
  probe?: boolean,
): Promise<VerifyReport | undefined> {
  try {
    return await runVerify({ engine }, verifyOptions(target, mode, probe));
  } catch {
    return undefined;
  }
}

/** After Ctrl-C: an apply stopped at a step boundary has rolled back; finish any journal it left. */
async function finishInterrupted(
  target: Target,
  options: MigrateOptions,
  io: Io,
  log: (l: string) => void,
): Promise<void> {
  if (!(await new JournalStore(target.stateDir).read())) return;
  try {
    await rollback({ ...targetOptions(options), yes: true }, io);
  } catch (error) {
    log(`rollback: ${(error as Error).message}`);
  }
}

function targetOptions(o: TargetOptions): TargetOptions {
  return {
    ...(o.config ? { config: o.config } : {}),
    ...(o.example ? { example: o.example } : {}),
    ...(o.compose ? { compose: o.compose } : {}),
    ...(o.projectName ? { projectName: o.projectName } : {}),
    ...(o.overrides ? { overrides: o.overrides } : {}),
  };
}

function skipped(p: PlannedPhase, interrupted: boolean, at: Date): PhaseResult {
  return {
    mode: p.mode,
    startedAt: at.toISOString(),
    durationMs: 0,
    preflight: { blockers: p.blockers },
    outcome: 'skipped',
    reason: interrupted ? 'not run: migrate was interrupted' : 'not run: an earlier phase passed',
    rolledBack: false,
  };
}

function firstFailure(report: VerifyReport): string {
  const failed = report.checks.filter((c) => c.status === 'fail');
  if (failed.length === 0) return 'verification passed';
  const [f] = failed;
  return `${f!.id} failed: ${f!.evidence}${failed.length > 1 ? ` (+${failed.length - 1} more)` : ''}`;
}

function passSummary(report: VerifyReport): string {
  return `${report.summary.pass} checks passed, ${report.summary.skip} skipped`;
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => (l ? `  ${l}` : l))
    .join('\n');
}

function parseModes(modes: string[] | undefined): Mode[] | undefined {
  if (!modes) return undefined;
  const list = modes
    .flatMap((m) => m.split(','))
    .map((m) => m.trim())
    .filter(Boolean);
  for (const m of list)
    if (!isMode(m))
      throw new TailbridgeError(`unknown mode "${m}" in --modes (expected: ${MODES.join(', ')})`);
  return list as Mode[];
}

/** The mode and image the tailscale container runs before the migration. */
async function currentMode(
  engine: DockerEngine,
  container: string,
): Promise<{ mode?: Mode; image?: string }> {
  const info = await engine.inspectContainer(container);
  if (!info) return {};
  const mode = detectMode(info, await engine.listNetworks()).mode;
  return { ...(mode ? { mode } : {}), image: info.image };
}

async function observedEnvironment(
  config: MigrationRun['config'],
  engine: DockerEngine,
): Promise<EnvironmentFacts> {
  try {
    const known = { ...(config.lan.dhcpRange ? { dhcpRange: config.lan.dhcpRange } : {}) };
    return toEnvironmentFacts(await runDiscovery(known, { engine }), config);
  } catch {
    return resolveEnvironment(config);
  }
}

async function originalCopy(target: Target, historyId: string): Promise<{ copy?: string }> {
  try {
    const { readFile } = await import('node:fs/promises');
    const manifest = JSON.parse(
      await readFile(path.join(target.stateDir, 'history', historyId, 'manifest.json'), 'utf8'),
    ) as {
      files: { path: string; sha256?: string }[];
    };
    const rel = path.relative(target.composeDir, target.composeFile);
    const entry = manifest.files.find((f) => f.path === rel || f.path === target.composeFile);
    return entry?.sha256
      ? { copy: path.join('.tailbridge', 'history', historyId, 'files', entry.sha256) }
      : {};
  } catch {
    return {};
  }
}

function processInterrupt(handler: () => void): () => void {
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
}
