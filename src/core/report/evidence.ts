import type { HomelabConfig } from '../model/config.js';
import type { Mode } from '../model/modes.js';
import type { Cell, MatrixRow, RowId } from '../plan/types.js';
import type { Check, VerifyReport } from '../verify/types.js';
import type { MigrationRun } from './types.js';

/**
 * Which verify checks decide which decision-matrix row. A pattern is a check id, or a prefix ending
 * in `*`; the `<container>/` prefix of sidecar checks is ignored; `{host}` stands for the L4 checks of
 * the services published on the host (they reach the host's LAN address through the tailnet). Rows
 * without patterns (simple setup, performance, security, host → tailnet) are not measurable by verify
 * and stay sourced.
 */
export interface RowCheckSpec {
  /** The checks that prove the row: "measured ✅" needs one of them to have run and passed. */
  proof: readonly string[];
  /** Checks that support the row without proving it (e.g. L2/L3 for a path through the tailnet). */
  partial?: readonly string[];
  /** What was not measured when only `partial` checks ran (the record says "partly measured"). */
  missing?: string;
  /** The same in a few words, for the matrix cell. */
  short?: string;
  /** Modes the checks say something about for this row (default: all). */
  modes?: readonly Mode[];
  /** What a pass proves, for the record's legend. */
  proves: string;
}

const L4_MISSING =
  'no end-to-end check through the tailnet (L4: `tailbridge verify --probe`, with the targets in `verify.lanTargets`) ran';
const L4_SHORT = 'no end-to-end (L4) check';

export const ROW_CHECKS: Readonly<Partial<Record<RowId, RowCheckSpec>>> = {
  noHostMode: {
    proof: ['L1.network-mode', 'L1.network:*'],
    // In host mode a passing network-mode check proves the opposite; the row stays sourced ❌ there.
    modes: ['userspace', 'serve', 'macvlan', 'sidecar'],
    proves: 'the container runs off host networking, on the networks the generated compose declares',
  },
  subnetRouting: {
    proof: ['L4.lan:*'],
    partial: ['L3.route:*', 'L2.lan:*'],
    missing: L4_MISSING,
    short: L4_SHORT,
    proves: 'LAN addresses answer from the tailnet through the node (L4)',
  },
  dockerNetworking: {
    proof: ['L2.dns', 'L2.dns:*', 'L2.tcp:*'],
    proves: 'service names resolve through Docker DNS and their ports accept from the container',
  },
  reachAtTailscaleIp: {
    proof: ['L4.serve:*', 'L4.sidecar:*'],
    partial: ['L3.serve:*'],
    missing: L4_MISSING,
    short: L4_SHORT,
    proves: 'a service answers at the node’s own tailnet name/IP (L4)',
  },
  hostAccess: {
    proof: ['{host}'],
    partial: ['L2.macvlan:*', 'L2.lan:host:*'],
    missing:
      'the host’s LAN address was not reached through the tailnet (L4 reaches it for services published on the host)',
    short: 'host not reached through the tailnet',
    proves: 'the Docker host’s LAN address answers from the tailnet (L4)',
  },
  exitNode: {
    proof: [],
    partial: ['L3.exit-node'],
    missing: 'traffic through the exit node is not measured by verify',
    short: 'exit traffic not measured',
    proves: 'the exit node is advertised and approved (exit traffic itself is not measured)',
  },
  statePersistence: {
    proof: ['L3.hostname'],
    proves: 'the node kept its machine name (no ephemeral name-1 node)',
  },
};

/** The patterns of `spec.proof` with `{host}` expanded to the L4 checks of host-published services. */
function proofPatterns(spec: RowCheckSpec, hostServices: readonly string[]): string[] {
  return spec.proof.flatMap((p) => (p === '{host}' ? hostServices.map((s) => `L4.lan:${s}`) : [p]));
}

/** Does check `id` match `pattern` (exact, or prefix with a trailing `*`), ignoring a `<container>/` prefix? */
export function matchCheck(id: string, pattern: string): boolean {
  const bare = id.includes('/') && /^[^/]+\/L\d\./.test(id) ? id.slice(id.indexOf('/') + 1) : id;
  const test = (s: string) => (pattern.endsWith('*') ? s.startsWith(pattern.slice(0, -1)) : s === pattern);
  return test(id) || test(bare);
}

/** The checks of the report(s) that match any of `patterns`. */
export function checksMatching(
  reports: VerifyReport | readonly VerifyReport[] | undefined,
  patterns: readonly string[],
): Check[] {
  const list = reports === undefined ? [] : Array.isArray(reports) ? reports : [reports as VerifyReport];
  return list.flatMap((r: VerifyReport) => r.checks.filter((c) => patterns.some((p) => matchCheck(c.id, p))));
}

/** The last verification of each mode in the run: phases in order, then the final verification. */
export function reportsByMode(run: MigrationRun): Map<Mode, VerifyReport> {
  const out = new Map<Mode, VerifyReport>();
  for (const p of run.phases) if (p.verify) out.set(p.verify.mode, p.verify);
  if (run.final.verify) out.set(run.final.verify.mode, run.final.verify);
  return out;
}

/**
 * Every verification of each mode in the run (the phases', then the final one): a cell or a path is
 * measured from all of them, so a later run without the end-to-end probe cannot hide an earlier failure.
 */
export function allReportsByMode(run: MigrationRun): Map<Mode, VerifyReport[]> {
  const out = new Map<Mode, VerifyReport[]>();
  const add = (r: VerifyReport) => out.set(r.mode, [...(out.get(r.mode) ?? []), r]);
  for (const p of run.phases) if (p.verify) add(p.verify);
  if (run.final.verify) add(run.final.verify);
  return out;
}

export type CellView =
  | { kind: 'measured'; value: 'yes' | 'no'; mode: Mode; checks: Check[]; cell: Cell }
  | { kind: 'partly'; mode: Mode; checks: Check[]; missing: string; short: string; cell: Cell }
  | { kind: 'sourced'; mode: Mode; cell: Cell };

/** What decides cells beyond the reports: the services published on the host (for `{host}`). */
export interface CellContext {
  hostServices?: readonly string[];
}

/** One check per id (the first), in order. */
function unique(checks: Check[]): Check[] {
  const seen = new Set<string>();
  return checks.filter((c) => !seen.has(c.id) && seen.add(c.id));
}

/**
 * One matrix cell for this environment, stating only what was measured: any failing check of the row
 * → ❌ measured (with the failed checks); a passing *proof* check (and no failure) → ✅ measured
 * (with the proof checks); only supporting checks passed → partly measured, saying what is missing;
 * nothing ran → the plan's sourced verdict. All verifications of the mode count.
 */
export function decideCell(
  row: MatrixRow,
  mode: Mode,
  reports: VerifyReport | readonly VerifyReport[] | undefined,
  context: CellContext = {},
): CellView {
  const cell = row.cells[mode];
  const spec = ROW_CHECKS[row.id];
  const list = (
    reports === undefined ? [] : Array.isArray(reports) ? reports : [reports as VerifyReport]
  ).filter((r) => r.mode === mode);
  if (!spec || (spec.modes && !spec.modes.includes(mode)) || list.length === 0)
    return { kind: 'sourced', mode, cell };
  const proof = proofPatterns(spec, context.hostServices ?? []);
  const ran = checksMatching(list, [...proof, ...(spec.partial ?? [])]).filter((c) => c.status !== 'skip');
  const failed = unique(ran.filter((c) => c.status === 'fail'));
  if (failed.length > 0) return { kind: 'measured', value: 'no', mode, checks: failed, cell };
  const proved = unique(ran.filter((c) => c.status === 'pass' && proof.some((p) => matchCheck(c.id, p))));
  if (proved.length > 0) return { kind: 'measured', value: 'yes', mode, checks: proved, cell };
  const supported = unique(ran.filter((c) => c.status === 'pass'));
  if (supported.length > 0)
    return {
      kind: 'partly',
      mode,
      checks: supported,
      missing: spec.missing ?? 'the proving check did not run',
      short: spec.short ?? 'not proved',
      cell,
    };
  return { kind: 'sourced', mode, cell };
}

/** The services whose L4 check reaches the host's LAN address through the tailnet. */
export function hostServices(config: HomelabConfig): string[] {
  return config.services.filter((s) => s.publishedOnHost).map((s) => s.name);
}
