/**
 * `tailbridge verify` against the real engine on the test lab: generated compose (+ the lab override)
 * deployed with docker-compose v1, the tailscale TEST DOUBLE, the emulated LAN 198.18.0.0/24.
 */

import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { DockerodeEngine } from '../../src/adapters/docker/engine.js';
import { generate } from '../../src/core/generate/index.js';
import type { HomelabConfig } from '../../src/core/model/config.js';
import { parseConfig } from '../../src/core/model/load.js';
import type { Mode } from '../../src/core/model/modes.js';
import type { Check, VerifyReport } from '../../src/core/verify/index.js';
import { renderVerifyText } from '../../src/render/verify.js';
import { verifyDeployment as runVerify } from '../../src/workflows/verify/verify-deployment.js';
import { type ControlPlane, createControlPlane, LAB_AUTH_KEY } from '../lab/control.js';
import { describeDocker } from '../lab/docker.js';
import { labConfigYaml, labOverride } from '../lab/homelab.js';
import { ensureBusyboxImage, ensureTailscaleDoubleImage } from '../lab/images.js';
import { acquireLabLock, addShim, cleanupLab, LAN, removeShim, startApps, startLan } from '../lab/lan.js';

const pexec = promisify(execFile);
const CONTAINER = 'tblab-verify-ts';
const HOSTNAME = 'tblab-verify';

async function sh(cmd: string, args: string[], cwd?: string) {
  try {
    const r = await pexec(cmd, args, { cwd, timeout: 180_000, maxBuffer: 16 << 20 });
    return { code: 0, out: r.stdout + r.stderr };
  } catch (e) {
    const x = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof x.code === 'number' ? x.code : 1, out: `${x.stdout ?? ''}${x.stderr ?? ''}` };
  }
}

interface Project {
  dir: string;
  config: HomelabConfig;
  args: string[];
}

/** tailbridge.yaml (lab + a verify: section), generated compose, lab override, fast healthcheck override. */
function writeProject(mode: Mode, control: ControlPlane): Project {
  const dir = mkdtempSync(path.join(tmpdir(), 'tblab-project-verify-'));
  const stateDir = path.join(dir, 'state');
  mkdirSync(stateDir);
  const envFile = path.join(dir, 'tailscale.env');
  writeFileSync(envFile, `TS_AUTHKEY=${LAB_AUTH_KEY}\n`, { mode: 0o600 });
  const yaml = `${labConfigYaml({ stateDir, envFile, hostname: HOSTNAME, containerName: CONTAINER })}verify:
  lanTargets:
    - { name: lanhost, address: ${LAN.lanHost}, port: ${LAN.lanHostPort} }
  probe:
    volumes: ["${control.dir}:/tailnet"]
    environment: { TAILNET_CONTROL_DIR: /tailnet }
    timeoutSeconds: 30
`;
  const configFile = path.join(dir, 'tailbridge.yaml');
  writeFileSync(configFile, yaml);
  const config = parseConfig(configFile, yaml);
  const gen = generate(config, mode);
  writeFileSync(path.join(dir, 'compose.yaml'), gen.compose);
  for (const f of gen.files) {
    mkdirSync(path.dirname(path.join(dir, f.path)), { recursive: true });
    writeFileSync(path.join(dir, f.path), f.content, { mode: f.executable ? 0o755 : 0o644 });
  }
  writeFileSync(path.join(dir, 'lab.override.yaml'), labOverride(control.dir));
  // Test speed only: the generated healthcheck polls every 30 s.
  writeFileSync(
    path.join(dir, 'fast-health.yaml'),
    stringify({
      services: { tailscale: { healthcheck: { interval: '1s', start_period: '1s', retries: 3 } } },
    }),
  );
  const project = `tblab-verify-${mode}`;
  const args = ['-p', project, '-f', 'compose.yaml', '-f', 'lab.override.yaml', '-f', 'fast-health.yaml'];
  return { dir, config, args };
}

async function up(p: Project) {
  const r = await sh('docker-compose', [...p.args, 'up', '-d'], p.dir);
  expect(r.code, r.out).toBe(0);
  const deadline = Date.now() + 60_000;
  for (;;) {
    const h = await sh('docker', ['inspect', '-f', '{{.State.Health.Status}}', CONTAINER]);
    if (h.out.trim() === 'healthy') return;
    if (Date.now() > deadline)
      throw new Error(`${CONTAINER} not healthy: ${h.out}\n${(await sh('docker', ['logs', CONTAINER])).out}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

async function down(p: Project) {
  await sh('docker-compose', [...p.args, 'down', '-v', '--remove-orphans'], p.dir);
  rmSync(p.dir, { recursive: true, force: true });
}

const engine = new DockerodeEngine();
const check = (r: VerifyReport, id: string): Check => {
  const c = r.checks.find((x) => x.id === id);
  if (!c) throw new Error(`no check ${id} in ${r.checks.map((x) => x.id).join(', ')}`);
  return c;
};
const failed = (r: VerifyReport) =>
  r.checks.filter((c) => c.status === 'fail').map((c) => `${c.id}: ${c.evidence}`);
const layer = (r: VerifyReport, l: string) => r.checks.filter((c) => c.layer === l);
const probes = async () =>
  (await sh('docker', ['ps', '-aq', '--filter', 'label=tailbridge.probe=1'])).out.trim();

describeDocker('tailbridge verify on the lab', () => {
  let release = () => {};
  beforeAll(async () => {
    release = await acquireLabLock();
    cleanupLab();
    ensureBusyboxImage();
    ensureTailscaleDoubleImage();
    startLan();
    startApps();
  }, 300_000);
  afterAll(() => {
    removeShim();
    cleanupLab();
    release();
  });

  describe('userspace', () => {
    let control: ControlPlane;
    let p: Project;
    beforeAll(async () => {
      control = createControlPlane();
      p = writeProject('userspace', control);
      await up(p);
    }, 180_000);
    afterAll(async () => {
      await down(p);
      control.remove();
    });

    it('unapproved route: L1/L2 pass, L3 fails the route with where to approve it', async () => {
      const r = await runVerify({ engine }, { config: p.config, configDir: p.dir, restartWatchMs: 1000 });
      expect(r.mode).toBe('userspace');
      expect(r.modeSource).toBe('detected');
      expect(
        layer(r, 'L1').every((c) => c.status === 'pass'),
        failed(r).join('\n'),
      ).toBe(true);
      expect(
        layer(r, 'L2').every((c) => c.status === 'pass'),
        failed(r).join('\n'),
      ).toBe(true);
      expect(check(r, 'L2.dns:jellyfin').evidence).toMatch(
        /^nslookup tblab-jellyfin: resolves to \d+\.\d+\.\d+\.\d+/,
      );
      expect(check(r, 'L2.lan:device:lanhost')).toMatchObject({ status: 'pass' });
      const route = check(r, `L3.route:${LAN.subnet}`);
      expect(route.status).toBe('fail');
      expect(route.hint).toContain(`admin console → Machines → ${HOSTNAME} → Edit route settings`);
      expect(route.hint).toContain(`"autoApprovers": {"routes": {"${LAN.subnet}": ["tag:<your-tag>"]}}`);
      expect(check(r, 'L3.backend').status).toBe('pass');
      expect(check(r, 'L3.hostname').status).toBe('pass');
      expect(layer(r, 'L4').every((c) => c.status === 'skip' && /--probe/.test(c.evidence))).toBe(true);
      expect(r.verdict).toBe('fail');
      expect(JSON.stringify(r)).not.toContain(LAB_AUTH_KEY);
    }, 60_000);

    it('after approving in the control plane: L1–L3 pass, and --probe reaches the LAN host via the route; the probe is gone', async () => {
      control.approveRoutes(HOSTNAME, [LAN.subnet]);
      const r = await runVerify(
        { engine },
        { config: p.config, configDir: p.dir, mode: 'userspace', probe: true, restartWatchMs: 1000 },
      );
      if (process.env.TB_SHOW_VERIFY) console.log(renderVerifyText(r));
      expect(failed(r)).toEqual([]);
      expect(check(r, `L3.route:${LAN.subnet}`).evidence).toBe('in Self.AllowedIPs and Self.PrimaryRoutes');
      expect(check(r, 'L4.probe').status).toBe('pass');
      const lan = check(r, 'L4.lan:lanhost');
      expect(lan.status).toBe('pass');
      expect(lan.evidence).toContain(`${LAN.subnet} via ${HOSTNAME}`);
      expect(r.verdict).toBe('pass');
      expect(JSON.stringify(r)).not.toContain(LAB_AUTH_KEY);
      expect(await probes()).toBe('');
    }, 120_000);

    it('a service on a network the container did not join: its DNS check fails with the nslookup evidence', async () => {
      const d = await sh('docker', ['network', 'disconnect', 'tblab_arr_network', CONTAINER]);
      expect(d.code, d.out).toBe(0);
      const r = await runVerify(
        { engine },
        { config: p.config, configDir: p.dir, mode: 'userspace', restartWatchMs: 500 },
      );
      const dns = check(r, 'L2.dns:sonarr');
      expect(dns.status).toBe('fail');
      expect(dns.evidence).toMatch(/^nslookup tblab-sonarr: .*(can't find|NXDOMAIN|can't resolve)/);
      expect(dns.hint).toContain('tblab_arr_network');
      expect(check(r, 'L2.tcp:sonarr').status).toBe('skip');
      expect(check(r, 'L1.network:tblab_arr_network').status).toBe('fail');
      expect(check(r, 'L2.dns:jellyfin').status).toBe('pass');
      expect(r.verdict).toBe('fail');
    }, 60_000);
  });

  describe('macvlan', () => {
    let control: ControlPlane;
    let p: Project;
    beforeAll(async () => {
      removeShim();
      control = createControlPlane({ approvals: { routes: { '*': [LAN.subnet] } } });
      p = writeProject('macvlan', control);
      await up(p);
    }, 180_000);
    afterAll(async () => {
      removeShim();
      await down(p);
      control.remove();
    });

    it('without the shim: host ↔ container fails and says so; with the shim: passes', async () => {
      const without = await runVerify(
        { engine },
        { config: p.config, configDir: p.dir, restartWatchMs: 500 },
      );
      expect(without.mode).toBe('macvlan');
      const h2c = check(without, 'L2.macvlan:host-to-container');
      const c2h = check(without, 'L2.macvlan:container-to-host');
      expect(h2c.status).toBe('fail');
      expect(c2h.status).toBe('fail');
      expect(c2h.evidence).toContain(`via ${LAN.bridge} (the parent: no shim)`);
      expect(h2c.hint).toContain('tailbridge shim apply');
      expect(check(without, 'L2.tun').status).toBe('pass');
      expect(check(without, 'L2.sysctl:net.ipv4.ip_forward').status).toBe('pass');
      expect(check(without, `L1.network:lan`).evidence).toContain(LAN.macvlanAddress);
      expect(check(without, `L3.route:${LAN.subnet}`).status).toBe('pass');

      addShim();
      const withShim = await runVerify(
        { engine },
        { config: p.config, configDir: p.dir, restartWatchMs: 500 },
      );
      expect(check(withShim, 'L2.macvlan:host-to-container').status).toBe('pass');
      expect(check(withShim, 'L2.macvlan:container-to-host').status).toBe('pass');
      expect(check(withShim, 'L2.macvlan:host-to-container').evidence).toContain(
        `via ${LAN.shim} (a shim, not named ts-shim)`,
      );
      expect(withShim.verdict, failed(withShim).join('\n')).toBe('pass');
    }, 90_000);
  });
});
