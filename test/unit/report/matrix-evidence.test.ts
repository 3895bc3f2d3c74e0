/**
 * The decision record states only what was measured: every matrix cell is read back from the rendered
 * Markdown and compared with the verify checks of that mode — a cited check must exist with the
 * status the cell claims, "✅ measured" needs a proving check (L4 for reachability through the tailnet),
 * "partly measured" must not hide a proving check, and "sourced" must not hide a check that ran.
 */
import { describe, expect, it } from 'vitest';
import { MODES, type Mode } from '../../../src/core/model/modes.js';
import {
  allReportsByMode,
  checksMatching,
  type MigrationRun,
  matchCheck,
  ROW_CHECKS,
  renderDecisionRecord,
  renderMermaid,
  topology,
} from '../../../src/core/report/index.js';
import { issueRun, macvlanRun, noProbeRun, restoredRun } from './fixtures.js';

/** The matrix rows of a record: row id (from the footnote) and one cell per mode. */
function matrixCells(md: string): { row: string; mode: Mode; cell: string }[] {
  const section = md.split('## Decision matrix')[1]!.split('\n## ')[0]!;
  const out: { row: string; mode: Mode; cell: string }[] = [];
  for (const line of section.split('\n')) {
    if (!line.startsWith('| ') || line.startsWith('| Requirement') || line.startsWith('| ---')) continue;
    const cells = line
      .slice(2, -2)
      .split(/(?<!\\)\|/)
      .map((c) => c.trim())
      .slice(1);
    cells.forEach((cell, i) => {
      const row = /\[\^([A-Za-z]+)-[A-Z]\]$/.exec(cell)?.[1];
      if (!row) throw new Error(`cell without footnote: ${cell}`);
      out.push({ row, mode: MODES[i]!, cell });
    });
  }
  return out;
}

const REACH_ROWS = new Set(['subnetRouting', 'reachAtTailscaleIp', 'hostAccess']);
const cited = (cell: string) => [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);

function expectHonest(run: MigrationRun): void {
  const md = renderDecisionRecord(run);
  const reports = allReportsByMode(run);
  const cells = matrixCells(md);
  expect(cells.length).toBe(run.plan.matrix.length * MODES.length);
  for (const { row, mode, cell } of cells) {
    const spec = ROW_CHECKS[row as keyof typeof ROW_CHECKS];
    const mine = reports.get(mode) ?? [];
    const patterns = spec ? [...spec.proof, ...(spec.partial ?? [])].filter((p) => p !== '{host}') : [];
    const ran = [...checksMatching(mine, patterns), ...checksMatching(mine, ['L4.lan:*'])].filter(
      (c) => c.status !== 'skip',
    );
    const where = `${row}/${mode}: ${cell}`;
    const has = (id: string, status: string) =>
      mine.some((r) => r.checks.some((c) => c.id === id && c.status === status));
    if (/^✅ measured: /.test(cell)) {
      for (const id of cited(cell)) expect(has(id, 'pass'), where).toBe(true);
      expect(cited(cell).length, where).toBeGreaterThan(0);
      if (REACH_ROWS.has(row)) for (const id of cited(cell)) expect(id, where).toMatch(/^L4\./);
      const failedHere = checksMatching(mine, patterns).filter((c) => c.status === 'fail');
      expect(failedHere, where).toEqual([]);
    } else if (/^❌ measured: /.test(cell)) {
      for (const id of cited(cell)) expect(has(id, 'fail'), where).toBe(true);
    } else if (/ · partly measured: /.test(cell)) {
      for (const id of cited(cell)) expect(has(id, 'pass'), where).toBe(true);
      const proof = (spec?.proof ?? []).filter((p) => p !== '{host}');
      const proved = checksMatching(mine, proof).filter((c) => c.status === 'pass');
      expect(proved, where).toEqual([]);
      expect(cell, where).toMatch(
        /no end-to-end \(L4\) check|host not reached through the tailnet|exit traffic not measured/,
      );
    } else {
      expect(cell, where).toMatch(/ · sourced: /);
      if (spec && (!spec.modes || spec.modes.includes(mode)))
        expect(
          ran.filter((c) => patterns.some((p) => matchCheck(c.id, p))),
          where,
        ).toEqual([]);
    }
  }
}

describe('the decision record states only what was measured', () => {
  it.each([
    ['macvlan passes', macvlanRun],
    ['everything fails, host restored', restoredRun],
    ['the issue’s run: host kept, failing L4, re-verified without the probe', issueRun],
    ['verified without the probe', noProbeRun],
  ])('every matrix cell matches the checks it cites (%s)', (_name, make) => {
    expectHonest(make());
  });

  it('host failed the same L4 probes as userspace: not "✅ measured" because a later re-verify skipped them', () => {
    const md = renderDecisionRecord(issueRun());
    const host = matrixCells(md).find((c) => c.row === 'subnetRouting' && c.mode === 'host')!;
    expect(host.cell).toMatch(/^❌ measured: `L4\.lan:(printer|jellyfin)`/);
  });

  it('without the probe, reachability through the tailnet is "partly measured" and says L4 is missing', () => {
    const md = renderDecisionRecord(noProbeRun());
    const cell = matrixCells(md).find((c) => c.row === 'subnetRouting' && c.mode === 'macvlan')!.cell;
    expect(cell).toMatch(
      /^✅ yes · partly measured: `L[23]\.[^`]+`.* passed, no end-to-end \(L4\) check\[\^subnetRouting-C\]$/,
    );
    expect(md).toMatch(
      /\[\^subnetRouting-C\]: \*\*partly measured\*\* in phase 1: .*Not measured: no end-to-end check through the tailnet/,
    );
  });

  it('names the image and mode that ran before, the configured parent kind, and a kept original honestly', () => {
    const md = renderDecisionRecord(issueRun());
    expect(md).toContain('image `tailscale/tailscale:latest`) ran in host (D)');
    expect(md).toContain('The new configuration pins `tailscale/tailscale:v');
    expect(md).toContain('| Parent interface kind | ethernet |');
    const host = md.split('### Phase 3 — host (D)')[1]!.split('###')[0]!;
    expect(host).toContain(
      '- **Applied:** nothing — `truenas/stacks/tailscale/compose.yaml` already runs host (D); the original file was kept as it is and verified',
    );
    expect(host).not.toContain('Rolled back');
    expect(host).not.toContain('the host compose changes');
    expect(md).toMatch(
      /- \*\*Status:\*\* Fallback to host — the original configuration runs again, but its verification/,
    );
  });

  it('the topology marks exactly the hops that failed: an L4-only failure fails the end-to-end path, not a hop', () => {
    const run = issueRun();
    const t = topology(run.config, 'host', allReportsByMode(run).get('host'));
    const failed = t.edges.filter((e) => e.status === 'failed');
    expect(failed.map((e) => e.kind)).toEqual(failed.map(() => 'end-to-end'));
    expect(failed.map((e) => e.label)).toContain('end to end: LAN via the subnet route');
    // A hop with checks of its own is decided by them, never by an end-to-end check.
    for (const e of t.edges.filter((x) => x.kind === 'hop' && x.patterns.some((p) => !p.startsWith('L4.'))))
      expect(
        e.checks.every((id) => !id.startsWith('L4.')),
        e.label,
      ).toBe(true);
    expect(renderMermaid(t)).toContain('✖ end to end: LAN via the subnet route');
  });
});
