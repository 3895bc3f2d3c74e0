import type { LoadedConfig } from '../adapters/config-file.js';
import { DockerodeEngine } from '../adapters/docker/engine.js';
import { readinessVerify, type Verifier } from '../core/apply/readiness.js';
import { isMode } from '../core/model/modes.js';
import type { Check, VerifyReport } from '../core/verify/types.js';
import { runVerify } from './verify.js';

/** Route approval is a manual step after the first deploy; it is reported, but does not undo an apply. */
const PENDING_APPROVAL = /^(.+\/)?L3\.route:/;

/**
 * What waits for an administrator rather than failing: with strict routes only what the control
 * server itself reports as "advertised, awaiting approval" (the deployment announces the route);
 * otherwise any route check, as the node's own view cannot tell.
 */
function waitsForApproval(c: Check, strict: boolean): boolean {
  return strict ? c.awaiting === 'approval' : PENDING_APPROVAL.test(c.id);
}

export interface LayeredVerifierOptions {
  probe?: boolean;
  /** Fail the gate on unapproved routes too (migrate uses the full verdict). */
  strictRoutes?: boolean;
  onReport?: (report: VerifyReport) => void;
}

/**
 * The apply gate: `tailbridge verify` (L1–L3, and L4 with --probe) on the new container. A rollback
 * only needs the old container back, so it keeps the readiness check.
 */
export function layeredVerifier(loaded: LoadedConfig, options: LayeredVerifierOptions = {}): Verifier {
  return async (ctx) => {
    if (ctx.phase === 'rollback' || !isMode(ctx.mode)) return readinessVerify(ctx);
    const report = await runVerify(
      { engine: ctx.engine ?? new DockerodeEngine() },
      { config: loaded.config, configDir: loaded.dir, mode: ctx.mode, probe: Boolean(options.probe) },
    );
    options.onReport?.(report);
    const failed = report.checks.filter((c) => c.status === 'fail');
    const blocking = failed.filter((c) => !waitsForApproval(c, Boolean(options.strictRoutes)));
    const pending = failed.filter((c) => !blocking.includes(c));
    return {
      ok: blocking.length === 0,
      summary: blocking.length > 0 ? describe(blocking) : passed(report, pending),
      report,
    };
  };
}

function describe(failed: Check[]): string {
  const [first] = failed;
  const more = failed.length > 1 ? ` (+${failed.length - 1} more failed checks)` : '';
  return `verify failed: ${first!.id} ${first!.title}: ${first!.evidence}${more}`;
}

function passed(report: VerifyReport, pending: Check[]): string {
  const { pass, skip } = report.summary;
  const base = `verify passed: ${pass} checks passed, ${skip} skipped`;
  return pending.length > 0 ? `${base}; waiting for approval: ${pending.map((c) => c.id).join(', ')}` : base;
}
