import type { HomelabConfig } from '../model/config.js';
import { MODE_INFO, MODES, type Mode } from '../model/modes.js';
import { findBlockers } from './blockers.js';
import { type EnvironmentFacts, resolveEnvironment } from './environment.js';
import { buildMatrix, CELL_SCORE } from './matrix.js';
import type { Blocker, Dropped, MatrixRow, Plan, RankEntry } from './types.js';

/** The seed note's staged strategy A → C → D, with B and S slotted in when a requirement calls for them. */
const TIE_ORDER: Mode[] = ['userspace', 'serve', 'sidecar', 'macvlan', 'host'];

const SUMMARY: Record<Mode, string> = {
  userspace: 'no NET_ADMIN, no TUN device, no host changes (the seed’s first stage)',
  serve: 'publishes each service on the node’s MagicDNS name via TS_SERVE_CONFIG',
  sidecar: 'apps answer directly at the tailscale IP from the shared namespace',
  macvlan: 'kernel forwarding from its own LAN address (the seed’s second stage)',
  host: 'today’s setup, kept as the last resort (the seed’s third stage)',
};

/** Weighted score 0–100: Σ weight × (yes 1, partial ½, no 0) / Σ weight. */
export function scoreMode(matrix: MatrixRow[], mode: Mode): number {
  let total = 0;
  let got = 0;
  for (const row of matrix) {
    total += row.weight;
    got += row.weight * CELL_SCORE[row.cells[mode].value];
  }
  return total === 0 ? 100 : Math.round((100 * got) / total);
}

/** Required rows this mode cannot meet at all. */
function missed(matrix: MatrixRow[], mode: Mode): MatrixRow[] {
  return matrix.filter((r) => r.required && r.cells[mode].value === 'no');
}

export function rankModes(matrix: MatrixRow[], blockers: Blocker[]): RankEntry[] {
  const entries = MODES.map((mode): RankEntry => {
    const unfitReasons = [
      ...missed(matrix, mode).map((r) => `${r.label}: ${r.cells[mode].reason}`),
      ...blockers
        .filter((b) => b.mode === mode && b.severity === 'blocks')
        .map((b) => `blocked: ${b.message}`),
    ];
    return { mode, score: scoreMode(matrix, mode), fit: unfitReasons.length === 0, unfitReasons };
  });
  return entries.sort((a, b) => b.score - a.score || TIE_ORDER.indexOf(a.mode) - TIE_ORDER.indexOf(b.mode));
}

const label = (mode: Mode) => `${mode} (${MODE_INFO[mode].letter})`;

/**
 * Plans which ways of running the tailscale container fit this homelab, in which order to try them,
 * and what in the environment blocks each one. Pure: `env` comes from `discover` or defaults to the config.
 */
export function planModes(config: HomelabConfig, env?: EnvironmentFacts): Plan {
  const facts = resolveEnvironment(config, env);
  const matrix = buildMatrix(config);
  const blockers = findBlockers(config, facts);
  const ranking = rankModes(matrix, blockers);
  const byMode = new Map(ranking.map((e) => [e.mode, e]));
  const entry = (m: Mode) => byMode.get(m)!;
  const blocked = (m: Mode) => blockers.some((b) => b.mode === m && b.severity === 'blocks');
  const warnings = (m: Mode) => blockers.filter((b) => b.mode === m && b.severity === 'warns').length;
  const req = config.requirements;
  const nonHttp = matrix.some((r) => r.id === 'nonHttp' && r.required);
  const wantsServeOrSidecar = req.reachAtTailscaleIp || nonHttp;
  const staged: Mode[] = wantsServeOrSidecar
    ? ['userspace', 'serve', 'sidecar', 'macvlan']
    : ['userspace', 'macvlan'];

  /** Required rows where this mode is the only one that is not "no". */
  const onlyOne = (mode: Mode) =>
    matrix.filter(
      (r) =>
        r.required &&
        r.cells[mode].value !== 'no' &&
        MODES.every((o) => o === mode || r.cells[o].value === 'no'),
    );

  const order: Mode[] = [];
  const orderReasons: string[] = [];
  const dropped: Dropped[] = [];
  const candidates = staged
    .filter((m) => entry(m).fit)
    .sort((a, b) => entry(b).score - entry(a).score || TIE_ORDER.indexOf(a) - TIE_ORDER.indexOf(b));

  const describe = (m: Mode, prefix: string): string => {
    const e = entry(m);
    const unique = onlyOne(m).map((r) => r.label);
    const w = warnings(m);
    const parts = [
      `${prefix}${label(m)} — ${
        e.fit
          ? 'fit'
          : `not fit (misses ${missed(matrix, m)
              .map((r) => r.label)
              .join(', ')})`
      }, score ${e.score}`,
    ];
    let why = unique.length > 0 ? `the only mode that provides ${unique.join(', ')}` : SUMMARY[m];
    if (m === 'macvlan' && req.priority === 'performance' && order.length === 0)
      why = `performance priority: kernel path without netstack re-termination; ${SUMMARY[m]}`;
    if (m === 'userspace' && req.priority === 'isolation' && order.length === 0)
      why = `isolation priority: ${SUMMARY[m]}`;
    return `${parts[0]}: ${why}${w > 0 ? ` (${w} warning${w === 1 ? '' : 's'})` : ''}`;
  };

  for (const m of candidates) {
    orderReasons.push(describe(m, ''));
    order.push(m);
  }
  if (!blocked('host')) {
    orderReasons.push(describe('host', order.length === 0 ? '' : 'fallback: '));
    order.push('host');
  }
  if (order.length === 0) {
    // Host blocked and nothing fits: offer the unblocked mode that misses the fewest requirements.
    const best = ranking
      .filter((e) => !blocked(e.mode))
      .sort((a, b) => missed(matrix, a.mode).length - missed(matrix, b.mode).length || b.score - a.score)[0];
    const m = best?.mode ?? ranking[0]!.mode;
    orderReasons.push(`${describe(m, '')}; no mode meets every requirement`);
    order.push(m);
  }

  for (const m of TIE_ORDER) {
    if (order.includes(m)) continue;
    const e = entry(m);
    const blocks = blockers.filter((b) => b.mode === m && b.severity === 'blocks').map((b) => b.message);
    let reason: string;
    if (blocks.length > 0) reason = `blocked: ${blocks.join('; ')}`;
    else if (!e.fit) reason = `not fit: ${e.unfitReasons.join('; ')}`;
    else
      reason = `not staged: fit (score ${e.score}) but nothing requires it (reachAtTailscaleIp and non-HTTP services are off)`;
    dropped.push({ mode: m, reason });
  }

  return {
    priority: req.priority,
    matrix,
    ranking,
    order,
    orderReasons,
    dropped,
    blockers,
    recommended: order[0]!,
  };
}
