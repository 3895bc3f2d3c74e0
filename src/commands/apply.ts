import { detectCompose } from '../adapters/docker/compose.js';
import { DockerodeEngine } from '../adapters/docker/engine.js';
import { envFaultHook } from '../adapters/transaction/fault.js';
import { resolveTarget, type TargetOptions, ttyConfirm } from '../adapters/transaction/target.js';
import type { Io } from '../cli/io.js';
import { colors } from '../cli/io.js';
import { VERSION } from '../cli/version.js';
import { unifiedDiff } from '../core/compose/diff.js';
import type { GuardFlag } from '../core/identity/guard.js';
import { isMode, MODES } from '../core/model/modes.js';
import { ExitCode, TailbridgeError } from '../errors.js';
import { renderApplyPreview } from '../render/apply-preview.js';
import { applyResultJson, renderApplyResult } from '../render/apply-result.js';
import { lineProgress } from '../render/progress.js';
import { applyMode } from '../workflows/apply/apply-mode.js';
import { DEFAULT_KEEP, DEFAULT_TIMEOUT_S } from '../workflows/apply/deps.js';
import { previewApply } from '../workflows/apply/preview.js';
import { approvalAccess } from '../workflows/apply/verify-gate.js';
import type { FileChange } from '../workflows/file-changes.js';
import type { ApplyDeps } from './shared/apply-deps.js';
import { txExitCode } from './shared/exit-codes.js';
import { positiveCount, positiveSeconds } from './shared/numbers.js';

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
  /** Identity changes the user allows (`--allow-rename`, `--allow-route-change`, `--allow-state-move`). */
  allow?: GuardFlag[];
  /** --overwrite-drift: deploy over a target whose compose differs from the local file. */
  overwriteDrift?: boolean;
  /** Approve the node's expected routes through the control server's API before verifying. */
  approveRoutes?: boolean;
  json?: boolean;
}

export type { ApplyDeps };

/** `tailbridge apply --mode X`: backup, validate, write, deploy, wait, verify; roll back on failure. */
export async function apply(options: ApplyOptions, io: Io, deps: Partial<ApplyDeps> = {}): Promise<number> {
  if (!options.mode)
    throw new TailbridgeError(`pass --mode (one of: ${MODES.join(', ')}; see \`tailbridge plan\`)`);
  if (!isMode(options.mode))
    throw new TailbridgeError(`unknown mode "${options.mode}" (expected one of: ${MODES.join(', ')})`);
  const mode = options.mode;
  // Finding the compose CLI runs a subprocess (~0.5 s for docker-compose v1): start it now, so it
  // overlaps with loading the config and computing the change.
  const compose = deps.compose ? Promise.resolve(deps.compose) : detectCompose();
  compose.catch(() => undefined);
  const timeoutMs = positiveSeconds(options.timeout, DEFAULT_TIMEOUT_S, '--timeout') * 1000;
  const keep = positiveCount(options.keep, DEFAULT_KEEP, '--keep');
  const target = await resolveTarget(options, io);
  const allow = options.allow ?? [];
  const c = colors(io);

  if (options.dryRun) {
    const preview = await previewApply(
      { target, mode, allow, timeoutMs },
      () => deps.engine ?? new DockerodeEngine(),
    );
    for (const out of renderApplyPreview(preview, { mode, json: Boolean(options.json), target }, c))
      io.stdout(out);
    return ExitCode.ok;
  }
  // Refused before anything changes when --approve-routes cannot reach the API.
  const approval = options.approveRoutes
    ? (deps.control ?? (await approvalAccess(target.loaded, `tailbridge/${VERSION}`)))
    : undefined;
  const outcome = await applyMode(
    {
      target,
      mode,
      timeoutMs,
      keep,
      allow,
      ...(options.probe ? { probe: true } : {}),
      ...(options.discardJournal ? { discardJournal: true } : {}),
      ...(approval ? { approval } : {}),
      ...(options.overwriteDrift ? { overwriteDrift: true } : {}),
    },
    {
      engine: deps.engine ?? new DockerodeEngine(),
      compose,
      now: deps.now ?? (() => new Date()),
      fault: deps.fault ?? envFaultHook(),
      progress: lineProgress(io, 7, { toStderr: Boolean(options.json) }),
      warn: io.stderr,
      ...(options.yes
        ? {}
        : { confirm: (changes: FileChange[]) => confirmChanges(io, deps, mode, target.service, changes) }),
      ...(deps.verify ? { verify: deps.verify } : {}),
      ...(deps.settleMs !== undefined ? { settleMs: deps.settleMs } : {}),
      ...(deps.pollMs !== undefined ? { pollMs: deps.pollMs } : {}),
    },
  );
  if (outcome.kind === 'unchanged') {
    const message = `${target.display(target.composeFile)} already has mode ${mode}: nothing to apply`;
    io.stdout(options.json ? JSON.stringify({ result: 'unchanged', mode }, null, 2) : message);
    return ExitCode.ok;
  }
  if (outcome.kind === 'declined') {
    io.stderr('not applied');
    return ExitCode.usage;
  }
  deps.onResult?.(outcome.tx);
  if (options.json) io.stdout(applyResultJson(mode, outcome.tx));
  else {
    const r = renderApplyResult(mode, outcome.tx, target, c);
    for (const line of r.out) io.stdout(line);
    for (const line of r.err) io.stderr(line);
  }
  return txExitCode(outcome.tx.outcome);
}

/** Shows the diff and asks on the terminal; refuses when there is no terminal to ask on. */
async function confirmChanges(
  io: Io,
  deps: Partial<ApplyDeps>,
  mode: string,
  service: string,
  changes: FileChange[],
): Promise<boolean> {
  if (!io.isTTY)
    throw new TailbridgeError(
      'apply changes your files and containers: pass --yes to confirm (not a terminal)',
    );
  io.stdout(
    changes.map((ch) => unifiedDiff(ch.display, ch.before?.toString('utf8') ?? '', ch.after)).join('\n'),
  );
  const confirm = deps.confirm ?? ttyConfirm;
  return confirm(`Apply mode ${mode} (${changes.length} file(s)) and redeploy ${service}?`);
}
