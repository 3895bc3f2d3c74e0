import { describe, expect, it } from 'vitest';
import { MODES } from '../../../src/core/model/modes.js';
import {
  decideCell,
  matchCheck,
  nextRecordPath,
  redact,
  renderDecisionRecord,
  reportsByMode,
} from '../../../src/core/report/index.js';
import { macvlanRun, report, restoredRun, SECRET } from './fixtures.js';

/** The matrix table rows of a record: [label, ...one cell per mode]. */
function matrixRows(md: string): string[][] {
  const section = md.split('## Decision matrix')[1]!.split('\n## ')[0]!;
  return section
    .split('\n')
    .filter((l) => l.startsWith('| ') && !l.startsWith('| Requirement') && !l.startsWith('| ---'))
    .map((l) =>
      l
        .slice(2, -2)
        .split(/(?<!\\)\|/)
        .map((c) => c.trim()),
    );
}

describe('renderDecisionRecord', () => {
  const md = renderDecisionRecord(macvlanRun(), { number: 3 });

  it('titles the record with its number and the chosen mode', () => {
    expect(md.startsWith('# 0003. Tailscale network mode: macvlan (C)\n')).toBe(true);
    expect(md).toContain('- **Status:** Accepted');
    expect(md).toContain('- **Date:** 2026-03-14');
  });

  it('fills every matrix cell: measured with a check, or sourced with a link — never ❓', () => {
    const rows = matrixRows(md);
    expect(rows.length).toBe(macvlanRun().plan.matrix.length);
    for (const row of rows) {
      expect(row).toHaveLength(1 + MODES.length);
      for (const cell of row.slice(1)) {
        expect(cell).toMatch(/^(✅|❌|⚠️) /);
        expect(cell).toMatch(/measured: `L\d\.[^`]+`|sourced: \[[a-z0-9-]+\]\(https:\/\//);
      }
    }
    expect(md).not.toContain('❓');
    const table = md.split('## Decision matrix')[1]!.split('\n## ')[0]!.split('\n\n[^')[0]!;
    expect(table).not.toContain('❓');
  });

  it('shows measured cells with the checks that decided them', () => {
    const rows = new Map(matrixRows(md).map((r) => [r[0]!, r]));
    const subnet = rows.get('Subnet routing **(required)**')!;
    expect(subnet[1]).toBe('❌ measured: `L2.lan:device:printer`, `L4.lan:printer` failed[^subnetRouting-A]');
    // Measured ✅ only from the check that proves the row: the end-to-end (L4) one.
    expect(subnet[3]).toMatch(
      /^✅ measured: `L4\.lan:jellyfin`, `L4\.lan:sonarr` \+2 passed\[\^subnetRouting-C\]$/,
    );
    expect(subnet[4]).toMatch(/^✅ yes · sourced: \[ts-kb-1177\]/); // host was not measured in this run
    expect(rows.get('State persistence † **(required)**')![3]).toContain('✅ measured: `L3.hostname` passed');
    // The footnote carries the evidence and the fix.
    expect(md).toContain(
      '[^subnetRouting-A]: **measured no** in phase 1: `L2.lan:device:printer` fail: nc -w 2 192.168.20.30 631: timed out',
    );
    expect(md).toContain('The seed note said unknown (it left this cell open).');
  });

  it('describes each phase and why it passed or failed', () => {
    expect(md).toContain('### Phase 1 — userspace (A): ❌ failed');
    expect(md).toContain(
      '- **Result:** verification failed: 2 checks (L2.lan:device:printer, L4.lan:printer); rolled back',
    );
    expect(md).toContain('- **Backup:** history entry `20260314T100100Z-0123456789ab`');
    expect(md).toContain('| `L4.lan:printer` | printer at 192.168.20.30:631 via the subnet route |');
    expect(md).toContain('### Phase 2 — macvlan (C): ✅ passed');
    expect(md).toContain('Final state: **migrated**');
  });

  it('lists the trade-offs of the chosen mode from its no/partial cells', () => {
    const decision = md.split('## Decision\n')[1]!.split('### Topology')[0]!;
    expect(decision).toContain('❌ **Simple setup**');
    expect(decision).toContain('⚠️ **Security / isolation**');
    expect(decision).not.toContain('**Subnet routing**');
  });

  it('gives exact rollback commands, tailbridge and by hand', () => {
    const rb = md.split('## Rollback')[1]!.split('\n## ')[0]!;
    expect(rb).toContain('tailbridge rollback --config tailbridge.yaml --to 20260314T100100Z-0123456789ab');
    expect(rb).toContain('tailbridge history --config tailbridge.yaml');
    expect(rb).toContain(
      'cp "truenas/stacks/tailscale/.tailbridge/history/20260314T100100Z-0123456789ab/files/$(jq -r',
    );
    expect(rb).toContain('docker compose -f truenas/stacks/tailscale/compose.yaml up -d');
    expect(rb).toContain('tailbridge shim remove');
  });

  it('uses docker-compose for compose v1 and the history copy when the run names it', () => {
    const run = macvlanRun();
    run.environment.composeFlavor = 'v1';
    run.rollback.original = { historyId: 'H1', copy: '.tailbridge/history/H1/files/abc' };
    const rb = renderDecisionRecord(run).split('## Rollback')[1]!;
    expect(rb).toContain(
      'cp truenas/stacks/tailscale/.tailbridge/history/H1/files/abc truenas/stacks/tailscale/compose.yaml\ndocker-compose -f truenas/stacks/tailscale/compose.yaml up -d',
    );
  });

  it('lists the remaining manual steps of the chosen mode', () => {
    const steps = md.split('## Remaining manual steps')[1]!.split('\n## ')[0]!;
    // The fixture's final verification measured the route approved (see 'remaining manual steps').
    expect(steps).not.toContain('Approve the routes');
    expect(steps).toContain('Disable key expiry for truenas');
    expect(steps).toContain('Reserve 192.168.20.200/30');
    expect(steps).toContain('TS_AUTHKEY=&lt;your auth key&gt;');
  });

  it('embeds a Mermaid diagram for the chosen mode and each mode tried', () => {
    expect(md.match(/```mermaid\n/g)).toHaveLength(2);
    expect(md).toContain('### Topology: macvlan (C)');
    expect(md).toContain('### Topology tried: userspace (A)');
    expect(md).toContain('-.->|"✖ LAN → :631"|');
  });

  it('lists its sources', () => {
    expect(md).toContain('- [ts-kb-1177](https://tailscale.com/kb/1177/kernel-vs-userspace-routers)');
  });

  it('never shows a secret, wherever it hides', () => {
    const run = macvlanRun();
    run.phases[1]!.verify!.checks[0]!.evidence = `env ${SECRET}`;
    run.phases[1]!.reason = `passed with TS_AUTHKEY=${SECRET}`;
    run.rollback.commands.push(`echo ${SECRET}`);
    const out = renderDecisionRecord(run);
    expect(out).not.toContain('SECRET123');
    expect(out).not.toMatch(/tskey-auth/);
    expect(out).toContain('tskey-[REDACTED]');
  });

  it('records a restore: host kept, nothing to roll back, both tries diagrammed', () => {
    const r = renderDecisionRecord(restoredRun(), { number: 1 });
    expect(r.startsWith('# 0001. Tailscale network mode: host (D) — original configuration kept')).toBe(true);
    expect(r).toContain('### Phase 2 — macvlan (C): ❌ failed');
    expect(r).toContain('Nothing to roll back');
    expect(r).toContain('Final state: **restored**');
    expect(r.match(/```mermaid\n/g)).toHaveLength(3);
    const rows = new Map(matrixRows(r).map((x) => [x[0]!, x]));
    expect(rows.get('Host ↔ container (tailnet → host LAN IP) † **(required)**')![3]).toContain(
      '❌ measured: `L2.macvlan:container-to-host` failed',
    );
    expect(rows.get('State persistence † **(required)**')![4]).toContain('✅ measured: `L3.hostname` passed');
  });
});

describe('measured cells', () => {
  it('ignores skipped checks and falls back to the source', () => {
    const rep = report('userspace');
    rep.checks = rep.checks.map((c) =>
      c.id.startsWith('L4.') || c.id.startsWith('L3.route') || c.id.startsWith('L2.lan')
        ? { ...c, status: 'skip' }
        : c,
    );
    const run = macvlanRun();
    const row = run.plan.matrix.find((r) => r.id === 'subnetRouting')!;
    expect(decideCell(row, 'userspace', rep).kind).toBe('sourced');
    expect(decideCell(row, 'macvlan', reportsByMode(run).get('macvlan')).kind).toBe('measured');
  });

  it('matches check patterns with and without the sidecar container prefix', () => {
    expect(matchCheck('L4.lan:jellyfin', 'L4.lan:*')).toBe(true);
    expect(matchCheck('ts-jellyfin/L3.hostname', 'L3.hostname')).toBe(true);
    expect(matchCheck('L3.hostname', 'L3.host')).toBe(false);
    expect(matchCheck('L2.dns', 'L2.dns:*')).toBe(false);
  });
});

describe('nextRecordPath', () => {
  it('numbers after the highest existing NNNN-*.md record', () => {
    expect(nextRecordPath(['0001-use-docker.md', '0002-backups.md', 'README.md', '0010-notes.txt'])).toEqual({
      path: 'docs/decisions/0003-tailscale-network-mode.md',
      number: 3,
    });
    expect(nextRecordPath(['0009-x.md', '0004-y.md'], 'adr').path).toBe('adr/0010-tailscale-network-mode.md');
  });
  it('starts at 0001', () => {
    expect(nextRecordPath([]).path).toBe('docs/decisions/0001-tailscale-network-mode.md');
  });
});

describe('redact', () => {
  it('removes Tailscale keys and auth variable values, keeps placeholders', () => {
    expect(redact(`key ${SECRET}.`)).toBe('key tskey-[REDACTED].');
    expect(redact('TS_CLIENT_SECRET=abc123 next')).toBe('TS_CLIENT_SECRET=[REDACTED] next');
    expect(redact('TS_AUTHKEY=<your auth key>')).toBe('TS_AUTHKEY=<your auth key>');
  });
});

describe('remaining manual steps', () => {
  const section = (md: string) => md.split('## Remaining manual steps')[1]!.split('\n## ')[0]!;

  it('drops "approve the routes" once the final verification measured them approved', () => {
    const run = macvlanRun();
    const routeChecks = run.final.verify!.checks.filter((c) => c.id.includes('L3.route:'));
    expect(routeChecks.length).toBeGreaterThan(0);
    expect(routeChecks.every((c) => c.status === 'pass')).toBe(true);
    expect(section(renderDecisionRecord(run))).not.toMatch(/Approve the routes/);
  });

  it('keeps it while a route is not approved', () => {
    const run = macvlanRun();
    for (const c of run.final.verify!.checks) if (c.id.includes('L3.route:')) c.status = 'fail';
    expect(section(renderDecisionRecord(run))).toMatch(/Approve the routes .* Edit route settings/);
  });
});
