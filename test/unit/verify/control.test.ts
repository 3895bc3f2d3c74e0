/**
 * verify L3 with the control server's view, on outputs recorded from the real lab (tailscale
 * v1.102.3 + Headscale v0.29.2): the node's own status and Headscale's node objects.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fromHeadscaleNode, type HeadscaleApiNode } from '../../../src/adapters/control/headscale.js';
import type { ControlNode } from '../../../src/core/control/ports.js';
import { parseConfig } from '../../../src/core/model/load.js';
import type { ControlEvidence } from '../../../src/core/verify/control.js';
import { classifyTailscalePing, evaluateEndToEnd } from '../../../src/core/verify/end-to-end.js';
import { expectations } from '../../../src/core/verify/expectations.js';
import { evaluateTailnet } from '../../../src/core/verify/tailnet.js';
import { labConfigYaml } from '../../lab/real/stack.js';
import { ok } from './samples.js';

const ts = (name: string) =>
  readFileSync(new URL(`../../fixtures/real/tailscale-v1.102.3/${name}`, import.meta.url), 'utf8');
const hs = (name: string) =>
  fromHeadscaleNode(
    JSON.parse(
      readFileSync(new URL(`../../fixtures/real/headscale-v0.29.2/${name}.json`, import.meta.url), 'utf8'),
    ) as HeadscaleApiNode,
  );
const LAN = '198.18.20.0/24';
const config = parseConfig('/lab/tailbridge.yaml', labConfigYaml('/lab'));
const host = expectations(config, 'host').containers[0]!;
const prefs = JSON.parse(ts('prefs-host-kernel.json'));
const read = (node: ControlNode, others: ControlNode[] = []): ControlEvidence => ({
  read: true,
  kind: 'headscale',
  url: 'https://198.19.0.10',
  node,
  routes: node.routes!,
  by: 'node key',
  others,
});
const l3 = (status: string, control?: ControlEvidence) =>
  evaluateTailnet(host, { status: ok(status), prefs, ...(control ? { control } : {}) });
const byId = (checks: ReturnType<typeof l3>, id: string) => checks.find((c) => c.id === id)!;

describe('L3 routes from the control server (Headscale)', () => {
  it('advertised, awaiting approval: says so and how to approve it (API, CLI, autoApprovers for the user)', () => {
    const c = byId(
      l3(ts('status-host-kernel-unapproved.json'), read(hs('node-route-pending'))),
      `L3.route:${LAN}`,
    );
    expect(c.status).toBe('fail');
    expect(c.evidence).toBe('Headscale (node tbr-nas, id 3): advertised, awaiting approval');
    expect(c.hint).toContain(
      'tailbridge routes approve; or headscale nodes approve-routes --identifier 3 --routes 198.18.20.0/24',
    );
    expect(c.hint).toContain('"autoApprovers": {"routes": {"198.18.20.0/24": ["lab@"]}}');
    expect(c.source).toBe('headscale-api');
  });

  it('approved through the API while the router still shows its old view: approved and serving (README handoff 2)', () => {
    const checks = l3(ts('status-host-kernel-unapproved.json'), read(hs('node-approved-by-api')));
    const c = byId(checks, `L3.route:${LAN}`);
    expect(c.status).toBe('pass');
    expect(c.evidence).toBe(
      'Headscale (node tbr-nas, id 3): approved and serving; the node has not received the approval yet (its own Self.AllowedIPs lacks it; peers already have it)',
    );
    expect(byId(checks, 'L3.control')).toMatchObject({ status: 'pass' });
    expect(checks.filter((x) => x.status !== 'pass')).toEqual([]);
  });

  it('not advertised, and approved but another router is primary', () => {
    const none = hs('node-route-pending');
    none.routes = { advertised: [], approved: [], primary: [] };
    const c = byId(l3(ts('status-host-kernel-unapproved.json'), read(none)), `L3.route:${LAN}`);
    expect(c).toMatchObject({
      status: 'fail',
      evidence:
        'Headscale (node tbr-nas, id 3): not advertised (the node advertises []; prefs AdvertiseRoutes [198.18.20.0/24])',
    });
    expect(c.hint).toMatch(/TS_ROUTES/);
    const standby = hs('node-approved-by-api');
    standby.routes = { advertised: [LAN], approved: [LAN], primary: [] };
    const old: ControlNode = { ...hs('node-approved-by-api'), id: '1', name: 'tbr-nas-old', online: true };
    const s = byId(l3(ts('status-host-kernel-approved.json'), read(standby, [old])), `L3.route:${LAN}`);
    expect(s.status).toBe('fail');
    expect(s.evidence).toBe(
      'Headscale (node tbr-nas, id 3): approved, not primary (another router serves it): tbr-nas-old (id 1, online) is the primary router',
    );
  });

  it('without credentials: a skip that says what it could not tell; the route falls back to the node’s view', () => {
    const checks = l3(ts('status-host-kernel-unapproved.json'), {
      read: false,
      kind: 'headscale',
      reason: 'no API credentials in tailbridge.yaml (tailscale.control.api.apiKey)',
      failed: false,
    });
    expect(byId(checks, 'L3.control')).toMatchObject({ status: 'skip' });
    expect(byId(checks, 'L3.control').evidence).toContain(
      'cannot tell "advertised, awaiting approval" from "approved, but the node has not received it yet"',
    );
    expect(byId(checks, `L3.route:${LAN}`).evidence).toContain(
      'as far as the node knows (no API credentials',
    );
  });

  it('a configured API that fails is a failed check', () => {
    const checks = l3(ts('status-host-kernel-approved.json'), {
      read: false,
      kind: 'headscale',
      reason: 'GET /api/v1/node → 401: Unauthorized (the credential was refused: expired or revoked?)',
      failed: true,
    });
    expect(byId(checks, 'L3.control')).toMatchObject({ status: 'fail' });
  });

  it('name-1 drift read from the server names the old node and the commands', () => {
    const me: ControlNode = { ...hs('node-approved-by-api'), name: 'tbr-nas-1' };
    const old: ControlNode = { ...hs('node-approved-by-api'), id: '1', name: 'tbr-nas', online: false };
    const c = byId(l3(ts('status-host-kernel-approved.json'), read(me, [old])), 'L3.hostname');
    expect(c.status).toBe('fail');
    expect(c.evidence).toContain(
      'the tailnet already had a tbr-nas (tbr-nas (id 1, offline)), so this node became tbr-nas-1',
    );
    expect(c.hint).toContain('headscale nodes delete --identifier 1');
    expect(c.hint).toContain('headscale nodes rename --identifier 3 tbr-nas');
  });
});

describe('L4 on Headscale and with real tailscale', () => {
  it('serve targets are skipped on Headscale with the reason; the Tailscale IP is proven by tailscale ping', () => {
    const serve = expectations(config, 'serve').tailnetTargets;
    const checks = evaluateEndToEnd(serve, {}, 'probe');
    const s = checks.find((c) => c.id.startsWith('L4.serve:'))!;
    expect(s.status).toBe('skip');
    expect(s.evidence).toMatch(
      /only on Tailscale's own control plane: Headscale .* has no Serve, Funnel and HTTPS certificates/,
    );
    const ip = serve.find((t) => t.id === 'L4.tailscale-ip')!;
    expect(ip).toMatchObject({ check: 'ping', require: 'reachable' });
  });

  it('classifies tailscale ping output', () => {
    const pong = classifyTailscalePing(ok('pong from tbr-nas (100.64.0.3) via TSMP in 3ms\n'));
    expect(pong).toEqual({ ok: true, detail: 'pong from tbr-nas (100.64.0.3) via TSMP in 3ms' });
    expect(classifyTailscalePing({ exitCode: 1, stdout: '', stderr: 'no reply\n' })).toEqual({
      ok: false,
      detail: 'no reply',
    });
    const targets = expectations(config, 'userspace').tailnetTargets.filter(
      (t) => t.id === 'L4.tailscale-ip',
    );
    const checks = evaluateEndToEnd(
      targets,
      { 'L4.tailscale-ip': { host: '100.64.0.3', ping: pong } },
      'from-tailnet',
    );
    expect(checks[0]).toMatchObject({
      status: 'pass',
      evidence:
        'tailscale ping --tsmp 100.64.0.3 from this tailnet device: pong from tbr-nas (100.64.0.3) via TSMP in 3ms',
      source: 'tailscale-ping-tsmp',
    });
  });
});
