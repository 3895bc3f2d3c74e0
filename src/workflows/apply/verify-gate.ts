import type { LoadedConfig } from '../../adapters/config-file.js';
import { controlAccess } from '../../adapters/control/open.js';
import { DockerodeEngine } from '../../adapters/docker/engine.js';
import { readinessVerify, type Verifier } from '../../core/apply/readiness.js';
import { identityFromStatus } from '../../core/control/find-node.js';
import type { ControlAccess } from '../../core/control/ports.js';
import { isMode } from '../../core/model/modes.js';
import { parseStatusJson } from '../../core/verify/tailnet.js';
import type { Check, VerifyReport } from '../../core/verify/types.js';
import { TailbridgeError } from '../../errors.js';
import { approveRoutesStep } from '../control.js';
import { verifyDeployment } from '../verify/verify-deployment.js';

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
    const report = await verifyDeployment(
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

/**
 * `--approve-routes`: before the gate verifies a new container, approve its routes through the
 * control server's API (workflows/control.ts approveRoutesStep); the step's line goes to `log`.
 */
export function withRouteApproval(
  inner: Verifier,
  o: { loaded: LoadedConfig; access: ControlAccess; log: (line: string) => void },
): Verifier {
  return async (ctx) => {
    if (ctx.phase === 'apply') {
      const { config } = o.loaded;
      const identify = async () => {
        const r = await ctx.engine
          .exec(ctx.container.name, ['tailscale', 'status', '--json'], { timeoutMs: 15_000 })
          .catch(() => undefined);
        const st = r?.stdout.includes('{') ? parseStatusJson(r.stdout) : undefined;
        return identityFromStatus(st && !('error' in st) ? st : undefined, config.tailscale.hostname);
      };
      o.log((await approveRoutesStep(o.access, config, identify)).line);
    }
    return inner(ctx);
  };
}

/** The control server's API for --approve-routes, or a one-line error before anything changes. */
export async function approvalAccess(loaded: LoadedConfig, userAgent: string): Promise<ControlAccess> {
  const access = await controlAccess(loaded.config, { configDir: loaded.dir, userAgent });
  if (!('api' in access))
    throw new TailbridgeError(`--approve-routes needs the control server's API: ${access.unavailable}`);
  return access;
}
