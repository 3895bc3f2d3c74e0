import type { PlannedPhase } from '../../core/migrate/phases.js';
import type { PhaseResult } from '../../core/report/types.js';
import type { VerifyReport } from '../../core/verify/types.js';

export function skipped(p: PlannedPhase, interrupted: boolean, at: Date): PhaseResult {
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

export function firstFailure(report: VerifyReport): string {
  const failed = report.checks.filter((c) => c.status === 'fail');
  if (failed.length === 0) return 'verification passed';
  const [f] = failed;
  return `${f!.id} failed: ${f!.evidence}${failed.length > 1 ? ` (+${failed.length - 1} more)` : ''}`;
}

export function passSummary(report: VerifyReport): string {
  return `${report.summary.pass} checks passed, ${report.summary.skip} skipped`;
}
