/**
 * `tailbridge verify` on the REAL lab (real tailscale v1.102.3 + Headscale v0.29.2, test/lab/real):
 * tailbridge's generated compose file for a mode, deployed with the compose tool, then verify L1–L4.
 * The starting point of migrate (host mode) and the route approval end to end are in reallab,
 * control-lab and migrate; this file checks the generated modes themselves: userspace (DNS to every
 * app, the LAN, a network the container left) and macvlan (fails without the host shim, passes with it).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { generate } from '../../src/core/generate/index.js';
import { parseConfig } from '../../src/core/model/load.js';
import type { Mode } from '../../src/core/model/modes.js';
import type { Check, VerifyReport } from '../../src/core/verify/index.js';
import { describeDocker } from '../lab/docker.js';
import { REAL_APPS } from '../lab/real/apps.js';
import { LAB_UP_TIMEOUT, labDown, labUp, type RealLab } from '../lab/real/lab.js';
import { tryRun } from '../lab/real/sh.js';
import { addShim, LAB_SHIM, removeShim } from '../lab/real/shim.js';
import {
  composeDown,
  composeUp,
  NAS_CONTAINER,
  NAS_HOSTNAME,
  STACK_FILES,
  waitRunning,
  writeControlApi,
  writeFastHealth,
  writeStack,
} from '../lab/real/stack.js';
import { NET } from '../lab/real/topology.js';

const LAN = NET.lanSubnet;

const check = (r: VerifyReport, id: string): Check => {
  const c = r.checks.find((x) => x.id === id);
  if (!c) throw new Error(`no check ${id} in ${r.checks.map((x) => x.id).join(', ')}`);
  return c;
};
const failed = (r: VerifyReport) =>
  r.checks.filter((c) => c.status === 'fail').map((c) => `${c.id}: ${c.evidence}`);
const layer = (r: VerifyReport, l: string) => r.checks.filter((c) => c.layer === l);

/** The generated compose file for `mode` replaces the lab's host-mode one (+ a fast healthcheck). */
async function deployGenerated(lab: RealLab, mode: Mode, authKey: string): Promise<void> {
  writeStack(lab.dir, authKey);
  const configFile = path.join(lab.dir, STACK_FILES.config);
  const gen = generate(parseConfig(configFile, readFileSync(configFile, 'utf8')), mode);
  writeFileSync(path.join(lab.dir, STACK_FILES.compose), gen.compose);
  for (const f of gen.files) {
    mkdirSync(path.dirname(path.join(lab.dir, f.path)), { recursive: true });
    writeFileSync(path.join(lab.dir, f.path), f.content, { mode: f.executable ? 0o755 : 0o644 });
  }
  writeFastHealth(lab.dir);
  await composeUp(lab.dir);
  await waitRunning(NAS_CONTAINER);
}

async function verify(lab: RealLab, ...args: string[]): Promise<VerifyReport> {
  const io = memoryIo({ cwd: lab.dir });
  await main(['-c', path.join(lab.dir, STACK_FILES.config), '--json', 'verify', ...args], io);
  const out = io.out.join('\n');
  try {
    return JSON.parse(out) as VerifyReport;
  } catch {
    throw new Error(`verify printed no report:\n${out}\n${io.err.join('\n')}`);
  }
}

describeDocker('tailbridge verify on the real lab: generated modes', () => {
  let lab: RealLab;
  const secrets: string[] = [];
  beforeAll(async () => {
    lab = await labUp({ routePolicy: 'manual', withoutStack: true });
    secrets.push(lab.state.apiKey);
  }, LAB_UP_TIMEOUT);
  afterAll(async () => {
    removeShim();
    await labDown();
  }, 300_000);

  describe('userspace', () => {
    beforeAll(async () => {
      const key = lab.headscale.preAuthKey(lab.state.userId);
      secrets.push(key);
      await deployGenerated(lab, 'userspace', key);
    }, 180_000);

    it('route not approved yet: L1/L2 pass (DNS to every app, the LAN client), L3 fails the route with how to approve it on Headscale', async () => {
      const r = await verify(lab);
      expect(r.mode).toBe('userspace');
      expect(r.modeSource).toBe('detected');
      expect(layer(r, 'L1').every((c) => c.status === 'pass')).toBe(true);
      expect(
        layer(r, 'L2').every((c) => c.status === 'pass'),
        failed(r).join('\n'),
      ).toBe(true);
      for (const a of REAL_APPS)
        expect(check(r, `L2.dns:${a.name}`).evidence).toMatch(
          new RegExp(`^nslookup ${a.container}: resolves to \\d+\\.\\d+\\.\\d+\\.\\d+`),
        );
      expect(check(r, 'L2.lan:device:lanclient').status).toBe('pass');
      const route = check(r, `L3.route:${LAN}`);
      expect(route.status).toBe('fail');
      expect(route.hint).toContain('headscale nodes approve-routes --identifier');
      expect(check(r, 'L3.backend').status).toBe('pass');
      expect(check(r, 'L3.hostname').status).toBe('pass');
      expect(layer(r, 'L4').every((c) => c.status === 'skip' && /--probe/.test(c.evidence))).toBe(true);
      expect(r.verdict).toBe('fail');
      for (const s of secrets) expect(JSON.stringify(r)).not.toContain(s);
    }, 60_000);

    it('approved on Headscale: L1–L3 pass, and --probe reaches the LAN client through the route; the probe is gone', async () => {
      writeControlApi(lab.dir, lab.state.apiKey, { caFile: lab.build.ca.caCert });
      const node = (await lab.headscale.node(lab.state.apiKey, NAS_HOSTNAME))!;
      await lab.headscale.approveRoutes(lab.state.apiKey, node.id, [LAN]);
      const r = await verify(lab, '--probe');
      expect(failed(r)).toEqual([]);
      expect(check(r, `L3.route:${LAN}`).evidence).toMatch(/approved and serving/);
      expect(check(r, 'L4.probe').status).toBe('pass');
      expect(check(r, 'L4.lan:lanclient').status).toBe('pass');
      expect(r.verdict).toBe('pass');
      for (const s of secrets) expect(JSON.stringify(r)).not.toContain(s);
      const probes = tryRun('docker', ['ps', '-aq', '--filter', 'label=tailbridge.probe=1']).stdout.trim();
      expect(probes).toBe('');
    }, 180_000);

    it('a service on a network the container left: its DNS check fails with the nslookup evidence', async () => {
      const arr = REAL_APPS.find((a) => a.name === 'sonarr')!;
      const d = tryRun('docker', ['network', 'disconnect', arr.network, NAS_CONTAINER]);
      expect(d.code, d.stderr).toBe(0);
      const r = await verify(lab, '--mode', 'userspace');
      const dns = check(r, 'L2.dns:sonarr');
      expect(dns.status).toBe('fail');
      expect(dns.evidence).toMatch(/^nslookup tbr-sonarr: .*(can't find|NXDOMAIN|can't resolve)/);
      expect(dns.hint).toContain(arr.network);
      expect(check(r, 'L2.tcp:sonarr').status).toBe('skip');
      expect(check(r, `L1.network:${arr.network}`).status).toBe('fail');
      expect(check(r, 'L2.dns:jellyfin').status).toBe('pass');
      expect(r.verdict).toBe('fail');
      await composeDown(lab.dir);
    }, 120_000);
  });

  describe('macvlan (C)', () => {
    beforeAll(async () => {
      removeShim();
      await lab.headscale.setPolicy(lab.state.apiKey, 'auto');
      const old = await lab.headscale.node(lab.state.apiKey, NAS_HOSTNAME);
      if (old) await lab.headscale.deleteNode(lab.state.apiKey, old.id);
      tryRun('rm', ['-rf', path.join(lab.dir, STACK_FILES.state)]);
      const key = lab.headscale.preAuthKey(lab.state.userId);
      secrets.push(key);
      await deployGenerated(lab, 'macvlan', key);
      writeControlApi(lab.dir, lab.state.apiKey, { caFile: lab.build.ca.caCert });
    }, 180_000);

    it('without the shim host ↔ container fails and says so; with the shim it passes', async () => {
      const without = await verify(lab);
      expect(without.mode).toBe('macvlan');
      const h2c = check(without, 'L2.macvlan:host-to-container');
      const c2h = check(without, 'L2.macvlan:container-to-host');
      expect(h2c.status).toBe('fail');
      expect(c2h.status).toBe('fail');
      expect(c2h.evidence).toContain(`via ${NET.lanBridge} (the parent: no shim)`);
      expect(h2c.hint).toContain('tailbridge shim apply');
      expect(check(without, 'L2.tun').status).toBe('pass');
      expect(check(without, 'L2.sysctl:net.ipv4.ip_forward').status).toBe('pass');
      expect(check(without, 'L1.network:lan').evidence).toContain(NET.macvlanAddress);
      expect(check(without, `L3.route:${LAN}`).status).toBe('pass');
      expect(without.verdict).toBe('fail');

      addShim();
      const withShim = await verify(lab, '--probe');
      expect(check(withShim, 'L2.macvlan:host-to-container').evidence).toContain(
        `via ${LAB_SHIM} (a shim, not named ts-shim)`,
      );
      expect(failed(withShim)).toEqual([]);
      expect(check(withShim, 'L4.lan:lanclient').status).toBe('pass');
      expect(withShim.verdict).toBe('pass');
    }, 240_000);
  });
});
