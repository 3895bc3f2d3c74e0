import { detectCompose } from '../adapters/docker/compose.js';
import { DockerodeEngine } from '../adapters/docker/engine.js';
import { resolveTarget, type TargetOptions } from '../adapters/transaction/target.js';
import type { Colors, Io } from '../cli/io.js';
import { colors } from '../cli/io.js';
import { VERSION } from '../cli/version.js';
import type { ControlAccess } from '../core/control/ports.js';
import { type GuardFlag, refusalMessage } from '../core/identity/guard.js';
import { describePhases } from '../core/migrate/phases.js';
import { isMode, MODES, type Mode } from '../core/model/modes.js';
import type { EnvironmentFacts } from '../core/plan/index.js';
import type { ComposeRunner } from '../core/ports/compose.js';
import type { DockerEngine } from '../core/ports/docker.js';
import { ExitCode, TailbridgeError } from '../errors.js';
import { renderApplyResult } from '../render/apply-result.js';
import { lineProgress } from '../render/progress.js';
import { renderRollbackOutcome } from '../render/rollback-result.js';
import { DEFAULT_TIMEOUT_S } from '../workflows/apply/deps.js';
import { approvalAccess } from '../workflows/apply/verify-gate.js';
import { type MigrateOutcome, migrate as migrateWorkflow } from '../workflows/migrate/migrate.js';
import { planMigration } from '../workflows/migrate/plan.js';
import type { MigrateEvent } from '../workflows/migrate/ports.js';
import { positiveSeconds } from './shared/numbers.js';

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

/**
 * `tailbridge migrate`: plans the phases, checks the identity guard, then runs the migrate workflow
 * and prints where the decision record went. Exit 0 migrated, 4 restored, 5 a rollback failed.
 */
export async function migrate(
  options: MigrateOptions,
  io: Io,
  deps: Partial<MigrateDeps> = {},
): Promise<number> {
  const modes = parseModes(options.modes);
  const target = await resolveTarget(options, io);
  const c = colors(io);
  const log = (line: string) => (options.json ? io.stderr(line) : io.stdout(line));
  const timeoutS = positiveSeconds(options.timeout, DEFAULT_TIMEOUT_S, '--timeout');
  const allow = options.allow ?? [];
  const engine = deps.engine ?? new DockerodeEngine();
  const planned = await planMigration(
    { target, allow, ...(modes ? { modes } : {}) },
    { engine, ...(deps.environment ? { environment: deps.environment } : {}) },
  );
  const { identity, identityText, original, phases } = planned;

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
  const compose = once(() => (deps.compose ? Promise.resolve(deps.compose) : detectCompose()));
  await compose();
  const nested = (t: string) => log(indent(t));
  const outcome = await migrateWorkflow(
    planned,
    {
      target,
      timeoutS,
      probe: Boolean(options.probe),
      allow,
      toolVersion: VERSION,
      ...(options.overwriteDrift ? { overwriteDrift: true } : {}),
      ...(modes ? { modes } : {}),
      ...(approval ? { approval } : {}),
    },
    {
      engine,
      compose,
      now: deps.now ?? (() => new Date()),
      onInterrupt: deps.onInterrupt ?? processInterrupt,
      events: (e) => renderEvent(e, { io, log, nested, c, target }),
      phaseProgress: () => lineProgress({ ...io, stdout: nested, stderr: nested }, 7),
      phaseWarn: nested,
      rollback: {
        progress: (total) => lineProgress(io, total),
        events: (e) =>
          io.stdout(e.kind === 'housekeeping' ? c.dim(e.note) : `rolling back: ${e.description}`),
        warn: io.stderr,
      },
    },
  );
  printOutcome(outcome, options, { log, io, c, target });
  return outcome.state === 'migrated'
    ? ExitCode.ok
    : outcome.state === 'failed'
      ? ExitCode.rollbackFailed
      : ExitCode.rolledBack;
}

interface Out {
  io: Io;
  log: (line: string) => void;
  c: Colors;
  target: { display: (abs: string) => string; composeFile: string; stateDir: string };
}

function renderEvent(e: MigrateEvent, out: Out & { nested: (t: string) => void }): void {
  const { c, io } = out;
  if (e.kind === 'apply') {
    for (const line of applyLines(e.outcome, out.target, c)) out.nested(line);
  } else if (e.kind === 'rollback') {
    const rendered = renderRollbackOutcome(e.outcome, c);
    for (const line of rendered.out) io.stdout(line);
    for (const line of rendered.err) io.stderr(line);
  } else out.log(eventLine(e, c));
}

function eventLine(e: Exclude<MigrateEvent, { kind: 'apply' | 'rollback' }>, c: Colors): string {
  switch (e.kind) {
    case 'interrupted':
      return c.yellow('interrupted: rolling back the current phase…');
    case 'phase':
      return c.bold(`\nphase ${e.index + 1}/${e.total}: ${e.mode}`);
    case 'preflight':
      return `  preflight ${e.blocks ? 'blocks' : 'warns'}: ${e.message}`;
    case 'approval':
      return indent(e.line);
    case 'phase-result': {
      const r = e.result;
      return `${r.outcome === 'passed' ? c.green('✔ passed') : r.outcome === 'blocked' ? c.dim('– blocked') : c.red('✖ failed')}: ${r.reason}`;
    }
    case 'verify-original':
      return c.bold('\nno mode passed: verifying the original configuration');
    case 'rollback-error':
      return `rollback: ${e.message}`;
  }
}

/** A phase's apply, said as `tailbridge apply` says it (indented under the phase by the caller). */
function applyLines(
  outcome: Extract<MigrateEvent, { kind: 'apply' }>['outcome'],
  target: Out['target'],
  c: Colors,
): string[] {
  if (outcome.kind === 'unchanged')
    return [`${target.display(target.composeFile)} already has mode ${outcome.mode}: nothing to apply`];
  if (outcome.kind === 'declined') return ['not applied'];
  const rendered = renderApplyResult(outcome.mode, outcome.tx, target, c);
  return [...rendered.out, ...rendered.err];
}

function printOutcome(outcome: MigrateOutcome, options: MigrateOptions, out: Out): void {
  const { run, written } = outcome;
  if (options.json) {
    out.io.stdout(JSON.stringify(run, null, 2));
    return;
  }
  const { final } = run;
  out.log(
    `\n${final.state === 'migrated' ? out.c.green('migrated') : out.c.yellow(final.state)} — ${final.mode ?? 'unknown mode'} is deployed`,
  );
  out.log(`decision record: ${out.target.display(written.record)}`);
  if (written.notes) out.log(`notes: ${out.target.display(written.notes)}`);
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

function once<T>(make: () => Promise<T>): () => Promise<T> {
  let made: Promise<T> | undefined;
  return () => {
    made ??= make();
    return made;
  };
}

function processInterrupt(handler: () => void): () => void {
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
}
