import type { Mode } from '../model/modes.js';
import type { Cell, MatrixRow, RowId } from '../plan/types.js';
import type { Check, VerifyReport } from '../verify/types.js';
import type { MigrationRun } from './types.js';

/**
 * Which verify checks decide which decision-matrix row. A pattern is a check id, or a prefix ending
 * in `*`; the `<container>/` prefix of sidecar checks is ignored. Rows without patterns (simple
 * setup, performance, security, host → tailnet) are not measurable by verify and stay sourced.
 */
export interface RowCheckSpec {
  patterns: readonly string[];
  /** Modes the checks say something about for this row (default: all). */
  modes?: readonly Mode[];
  /** What a pass proves, for the record's legend. */
  proves: string;
}

export const ROW_CHECKS: Readonly<Partial<Record<RowId, RowCheckSpec>>> = {
  noHostMode: {
    patterns: ['L1.network-mode', 'L1.network:*'],
    // In host mode a passing network-mode check proves the opposite; the row stays sourced ❌ there.
    modes: ['userspace', 'serve', 'macvlan', 'sidecar'],
    proves: 'the container runs off host networking, on the networks the generated compose declares',
  },
  subnetRouting: {
    patterns: ['L4.lan:*', 'L3.route:*', 'L2.lan:*'],
    proves:
      'the route is approved and LAN addresses answer from the container and from the tailnet through it',
  },
  dockerNetworking: {
    patterns: ['L2.dns', 'L2.dns:*', 'L2.tcp:*'],
    proves: 'service names resolve through Docker DNS and their ports accept from the container',
  },
  reachAtTailscaleIp: {
    patterns: ['L4.serve:*', 'L4.sidecar:*', 'L3.serve:*'],
    proves: 'a service answers at the node’s own tailnet name/IP',
  },
  hostAccess: {
    patterns: ['L2.macvlan:*', 'L2.lan:host:*'],
    proves: 'the container reaches the Docker host’s LAN address (macvlan: through the shim)',
  },
  exitNode: {
    patterns: ['L3.exit-node'],
    proves: 'the exit node is advertised and approved',
  },
  statePersistence: {
    patterns: ['L3.hostname'],
    proves: 'the node kept its machine name (no ephemeral name-1 node)',
  },
};

/** Does check `id` match `pattern` (exact, or prefix with a trailing `*`), ignoring a `<container>/` prefix? */
export function matchCheck(id: string, pattern: string): boolean {
  const bare = id.includes('/') && /^[^/]+\/L\d\./.test(id) ? id.slice(id.indexOf('/') + 1) : id;
  const test = (s: string) => (pattern.endsWith('*') ? s.startsWith(pattern.slice(0, -1)) : s === pattern);
  return test(id) || test(bare);
}

/** The checks of `report` that match any of `patterns`. */
export function checksMatching(report: VerifyReport | undefined, patterns: readonly string[]): Check[] {
  if (!report) return [];
  return report.checks.filter((c) => patterns.some((p) => matchCheck(c.id, p)));
}

/** The last verification of each mode in the run: phases in order, then the final verification. */
export function reportsByMode(run: MigrationRun): Map<Mode, VerifyReport> {
  const out = new Map<Mode, VerifyReport>();
  for (const p of run.phases) if (p.verify) out.set(p.verify.mode, p.verify);
  if (run.final.verify) out.set(run.final.verify.mode, run.final.verify);
  return out;
}

export type CellView =
  | { kind: 'measured'; value: 'yes' | 'no'; mode: Mode; checks: Check[]; cell: Cell }
  | { kind: 'sourced'; mode: Mode; cell: Cell };

/**
 * One matrix cell for this environment: measured when the mode's verification ran checks that
 * decide the row (any fail → ❌ with the failed checks; else any pass → ✅ with the passed checks),
 * otherwise the plan's sourced verdict.
 */
export function decideCell(row: MatrixRow, mode: Mode, report: VerifyReport | undefined): CellView {
  const cell = row.cells[mode];
  const spec = ROW_CHECKS[row.id];
  if (!spec || (spec.modes && !spec.modes.includes(mode)) || report?.mode !== mode)
    return { kind: 'sourced', mode, cell };
  const ran = checksMatching(report, spec.patterns).filter((c) => c.status !== 'skip');
  const failed = ran.filter((c) => c.status === 'fail');
  if (failed.length > 0) return { kind: 'measured', value: 'no', mode, checks: failed, cell };
  const passed = ran.filter((c) => c.status === 'pass');
  if (passed.length > 0) return { kind: 'measured', value: 'yes', mode, checks: passed, cell };
  return { kind: 'sourced', mode, cell };
}
