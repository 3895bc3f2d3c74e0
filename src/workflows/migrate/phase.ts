import { envFaultHook } from '../../adapters/transaction/fault.js';
import { ROLLBACK_STEPS } from '../../core/apply/journal.js';
import type { Verifier } from '../../core/apply/readiness.js';
import type { PlannedPhase } from '../../core/migrate/phases.js';
import type { Mode } from '../../core/model/modes.js';
import type { PhaseResult } from '../../core/report/types.js';
import type { VerifyReport } from '../../core/verify/types.js';
import { type ApplyOutcome, applyMode } from '../apply/apply-mode.js';
import { DEFAULT_KEEP } from '../apply/deps.js';
import { layeredVerifier, withRouteApproval } from '../apply/verify-gate.js';
import { verifyDeployment } from '../verify/verify-deployment.js';
import type { MigrateInput, MigratePorts } from './ports.js';
import { firstFailure, passSummary } from './summaries.js';

/** Thrown by the fault hook when Ctrl-C arrived: the apply stops at its next step boundary. */
export class Interrupted extends Error {}

export interface PhaseContext {
  input: MigrateInput;
  ports: MigratePorts;
  isInterrupted: () => boolean;
}

/** One phase: preflight, then keep-and-verify the original, or apply the mode through the strict gate. */
export async function runPhase(phase: PlannedPhase, ctx: PhaseContext): Promise<PhaseResult> {
  const started = ctx.ports.now();
  const base = {
    mode: phase.mode,
    startedAt: started.toISOString(),
    preflight: { blockers: phase.blockers },
  };
  const elapsed = () => ctx.ports.now().getTime() - started.getTime();
  for (const b of phase.blockers)
    ctx.ports.events({ kind: 'preflight', blocks: b.severity === 'blocks', message: b.message });
  if (phase.blocked) {
    const reason = phase.blockers
      .filter((b) => b.severity === 'blocks')
      .map((b) => b.message)
      .join('; ');
    return { ...base, durationMs: elapsed(), outcome: 'blocked', reason, rolledBack: false };
  }
  if (phase.kind === 'restore') {
    const verify = await verifyMode(ctx, phase.mode);
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
  const { outcome, report } = await applyPhase(phase.mode, ctx);
  const tx = 'tx' in outcome ? outcome.tx : undefined;
  const withBackup = tx ? { backupId: tx.historyId } : {};
  if (outcome.kind === 'applied' || outcome.kind === 'unchanged')
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
  const failure = tx?.failure;
  const reason =
    report && report.verdict === 'fail'
      ? firstFailure(report)
      : failure
        ? `${failure.step}: ${failure.message}`
        : `apply ended ${outcome.kind}`;
  return {
    ...base,
    kind: 'apply',
    durationMs: elapsed(),
    outcome: 'failed',
    reason,
    ...(report ? { verify: report } : {}),
    rolledBack: outcome.kind === 'rolled-back' || outcome.kind === 'not-applied',
    ...withBackup,
  };
}

/** applyMode with the strict gate (unapproved routes fail it) and, when asked, route approval in front. */
async function applyPhase(
  mode: Mode,
  ctx: PhaseContext,
): Promise<{ outcome: ApplyOutcome; report?: VerifyReport }> {
  const { input, ports } = ctx;
  let report: VerifyReport | undefined;
  const gate: Verifier = layeredVerifier(input.target.loaded, {
    probe: input.probe,
    strictRoutes: true,
    onReport: (r) => {
      report = r;
    },
  });
  const verify = input.approval
    ? withRouteApproval(gate, {
        loaded: input.target.loaded,
        access: input.approval,
        log: (line) => ports.events({ kind: 'approval', line }),
      })
    : gate;
  const envFault = envFaultHook();
  const outcome = await applyMode(
    {
      target: input.target,
      mode,
      timeoutMs: input.timeoutS * 1000,
      keep: DEFAULT_KEEP,
      allow: input.allow,
      ...(input.overwriteDrift ? { overwriteDrift: true } : {}),
    },
    {
      engine: ports.engine,
      compose: ports.compose(),
      now: ports.now,
      progress: ports.phaseProgress(),
      warn: ports.phaseWarn,
      verify,
      fault: (step) => {
        envFault(step);
        // Stop at the next apply step; never interrupt the rollback that undoes it.
        if (ctx.isInterrupted() && !isRollbackStep(step)) throw new Interrupted(`interrupted after ${step}`);
      },
    },
  );
  ports.events({ kind: 'apply', outcome });
  return { outcome, ...(report ? { report } : {}) };
}

function isRollbackStep(step: string): boolean {
  return (ROLLBACK_STEPS as readonly string[]).includes(step) || step.startsWith('restore-');
}

/** verify of one mode, with the probe when the phases have it. */
export function verifyMode(ctx: Pick<PhaseContext, 'input' | 'ports'>, mode: Mode | undefined) {
  const { target, probe } = ctx.input;
  return verifyDeployment(
    { engine: ctx.ports.engine },
    { config: target.loaded.config, configDir: target.loaded.dir, ...(mode ? { mode } : {}), probe },
  );
}
