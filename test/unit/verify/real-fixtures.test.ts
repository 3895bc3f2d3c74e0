/**
 * The L3 evaluator on outputs recorded from the real lab (tailscale v1.102.3 + Headscale v0.29.2,
 * test/fixtures/real; re-record with TAILBRIDGE_RECORD_FIXTURES=1 npx vitest run
 * test/integration/reallab.test.ts).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/core/model/load.js';
import { expectations } from '../../../src/core/verify/expectations.js';
import { evaluateTailnet } from '../../../src/core/verify/tailnet.js';
import { labConfigYaml } from '../../lab/real/stack.js';
import { ok } from './samples.js';

const fixture = (name: string) =>
  readFileSync(new URL(`../../fixtures/real/tailscale-v1.102.3/${name}`, import.meta.url), 'utf8');
const config = parseConfig('/lab/tailbridge.yaml', labConfigYaml('/lab'));
const host = expectations(config, 'host').containers[0]!;
const l3 = (status: string) =>
  evaluateTailnet(host, { status: ok(status), prefs: JSON.parse(fixture('prefs-host-kernel.json')) });
const byId = (checks: ReturnType<typeof l3>, id: string) => checks.find((c) => c.id === id);

describe('L3 on real tailscale status JSON', () => {
  it('host mode, route approved: every L3 check passes', () => {
    const checks = l3(fixture('status-host-kernel-approved.json'));
    // Without API credentials the control server is not read: said as a skip, never a silent pass.
    expect(checks.filter((c) => c.status !== 'pass').map((c) => c.id)).toEqual(['L3.control']);
    expect(byId(checks, 'L3.backend')?.evidence).toBe('BackendState Running (TUN true)');
    expect(byId(checks, 'L3.hostname')?.evidence).toBe(
      'Self.HostName tbr-nas, Self.DNSName tbr-nas.tbr.test',
    );
  });

  it('host mode, route advertised but not approved: the route check fails, the rest passes', () => {
    const checks = l3(fixture('status-host-kernel-unapproved.json'));
    expect(checks.filter((c) => c.status !== 'pass').map((c) => c.id)).toEqual([
      'L3.control',
      'L3.route:198.18.20.0/24',
    ]);
  });

  it("treats tailscaled's own accept-routes notice as benign", () => {
    const st = JSON.parse(fixture('status-userspace-bridge.json'));
    expect(st.Health).toEqual(['Some peers are advertising routes but --accept-routes is false']);
    expect(byId(l3(JSON.stringify(st)), 'L3.health')?.status).toBe('pass');
  });
});
