/**
 * `tailbridge apply --mode X` on the test lab (real engine, docker-compose, the tailscale TEST DOUBLE,
 * the emulated LAN 198.18.0.0/24), through the real apply() and its default layered verifier with
 * --probe: every mode, starting from a host-mode compose file, ends applied with verify's verdict
 * pass; and kernel mode on a host without /dev/net/tun fails, rolls back, restores the original file
 * byte for byte and brings the old container back.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { stringify } from 'yaml';
import type { TxResult } from '../../src/adapters/transaction/run.js';
import { memoryIo } from '../../src/cli/io.js';
import { apply } from '../../src/commands/apply.js';
import type { Mode } from '../../src/core/model/modes.js';
import type { Check, VerifyReport } from '../../src/core/verify/index.js';
import { type ControlPlane, createControlPlane, LAB_AUTH_KEY } from '../lab/control.js';
import { describeDocker, dockerNames } from '../lab/docker.js';
import { hostModeCompose, labConfigYaml, labOverride } from '../lab/homelab.js';
import { ensureBusyboxImage, ensureTailscaleDoubleImage } from '../lab/images.js';
import {
  APPS,
  acquireLabLock,
  addShim,
  cleanupLab,
  LAN,
  removeShim,
  startApps,
  startLan,
} from '../lab/lan.js';

const CONTAINER = 'tblab-apl-ts';
const HOSTNAME = 'tblab-apl';

const ORIGINAL = hostModeCompose({ container: CONTAINER, hostname: HOSTNAME, tun: true });
/** Host networking without the tun device (TS_USERSPACE unset = userspace): it runs without /dev/net/tun. */
const ORIGINAL_NO_TUN = hostModeCompose({ container: CONTAINER, hostname: HOSTNAME, tun: false });

/**
 * Sidecar mode edits the APP services (network_mode: service:ts-<app>), so its compose file holds the
 * apps too: busybox httpd stand-ins (compose names them tblab-<project>_<app>_1) on the apps' networks.
 */
function withApps(original: string, busybox: string): string {
  const apps = APPS.map(
    (a) => `  ${a.name}:
    image: ${busybox}
    command: ["sh", "-c", "echo ${a.name} > /www/index.html; exec httpd -f -p ${a.port} -h /www"]
    labels: { tailbridge.lab: "1" }
    networks: [${a.network}]
`,
  ).join('');
  const nets = [...new Set(APPS.map((a) => a.network))]
    .map((n) => `  ${n}:\n    external: true\n    name: ${n}\n`)
    .join('');
  return `${original}${apps}networks:\n${nets}`;
}

interface Project {
  dir: string;
  configFile: string;
  composeFile: string;
  original: string;
  /** -f files after the compose file for the original deployment. */
  overrides: string[];
  /** -f files apply deploys with (sidecar: + the ts-<app> services' lab override). */
  applyOverrides: string[];
  projectName: string;
  control: ControlPlane;
}

const fastHealth = (services: string[]) =>
  stringify({
    services: Object.fromEntries(
      services.map((s) => [s, { healthcheck: { interval: '1s', start_period: '1s', retries: 3 } }]),
    ),
  });

/** A fresh project dir + its own control plane (route approved), so node names never drift between modes. */
function writeProject(name: string, original: string, sidecar = false): Project {
  const control = createControlPlane({ approvals: { routes: { [HOSTNAME]: [LAN.subnet] } } });
  const dir = mkdtempSync(path.join(tmpdir(), `tblab-project-${name}-`));
  mkdirSync(path.join(dir, 'state'));
  const envFile = path.join(dir, 'tailscale.env');
  writeFileSync(envFile, `TS_AUTHKEY=${LAB_AUTH_KEY}\n`, { mode: 0o600 });
  const config = labConfigYaml({
    stateDir: path.join(dir, 'state'),
    envFile,
    hostname: HOSTNAME,
    containerName: CONTAINER,
  });
  writeFileSync(
    path.join(dir, 'tailbridge.yaml'),
    `${config}verify:
  lanTargets:
    - { name: lanhost, address: ${LAN.lanHost}, port: ${LAN.lanHostPort} }
  probe:
    volumes: ["${control.dir}:/tailnet"]
    environment: { TAILNET_CONTROL_DIR: /tailnet }
    timeoutSeconds: 30
`,
  );
  writeFileSync(path.join(dir, 'compose.yaml'), original);
  writeFileSync(path.join(dir, 'lab.override.yaml'), labOverride(control.dir));
  // Test speed only: the generated healthcheck polls every 30 s.
  writeFileSync(path.join(dir, 'fast-health.yaml'), fastHealth(['tailscale']));
  const overrides = [path.join(dir, 'lab.override.yaml'), path.join(dir, 'fast-health.yaml')];
  const applyOverrides = [...overrides];
  if (sidecar) {
    // The ts-<app> services exist only after apply, and an override of a service the base file lacks
    // is invalid (no image): these files are passed to apply only, not to the original deployment.
    const sidecars = APPS.map((a) => `ts-${a.name}`);
    const lab = {
      services: Object.fromEntries(
        sidecars.map((s) => [
          s,
          {
            volumes: [`${control.dir}:/tailnet`],
            environment: { TAILNET_CONTROL_DIR: '/tailnet' },
            labels: { 'tailbridge.lab': '1' },
          },
        ]),
      ),
    };
    writeFileSync(path.join(dir, 'sidecar.override.yaml'), stringify(lab));
    writeFileSync(path.join(dir, 'sidecar-health.yaml'), fastHealth(sidecars));
    applyOverrides.push(path.join(dir, 'sidecar.override.yaml'), path.join(dir, 'sidecar-health.yaml'));
  }
  return {
    dir,
    configFile: path.join(dir, 'tailbridge.yaml'),
    composeFile: path.join(dir, 'compose.yaml'),
    original,
    overrides,
    applyOverrides,
    projectName: `tblab-${name}`,
    control,
  };
}

function compose(p: Project, files: string[], ...args: string[]): void {
  execFileSync(
    'docker-compose',
    ['-p', p.projectName, '-f', p.composeFile, ...files.flatMap((f) => ['-f', f]), ...args],
    { cwd: p.dir, stdio: 'ignore' },
  );
}

async function waitRunning(name: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  let last = '';
  while (Date.now() < deadline) {
    try {
      last = execFileSync('docker', ['inspect', '-f', '{{.State.Status}}', name], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      }).trim();
      if (last === 'running') return;
    } catch {
      last = 'missing';
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`${name} not running (${last})`);
}

const inspect = (name: string) =>
  JSON.parse(execFileSync('docker', ['inspect', name], { encoding: 'utf8' }))[0] as {
    Id: string;
    HostConfig: { NetworkMode: string };
    State: { Status: string };
  };

const check = (r: VerifyReport, id: string): Check => {
  const c = r.checks.find((x) => x.id === id);
  if (!c) throw new Error(`no check ${id} in ${r.checks.map((x) => x.id).join(', ')}`);
  return c;
};
const failed = (r: VerifyReport) =>
  r.checks.filter((c) => c.status === 'fail').map((c) => `${c.id}: ${c.evidence}`);
const expectPass = (r: VerifyReport, id: string) =>
  expect(check(r, id).status, `${id}: ${check(r, id).evidence}`).toBe('pass');

// ---------------------------------------------------------------------------------------------------
// Hiding the host's tun device (the tun module not loaded). Restored in finally, in afterAll, and at
// the start of the next run if a crashed run left it hidden.
const TUN = '/dev/net/tun';
const HIDDEN_TUN = '/dev/net/tun.tblab-hidden';
function restoreTun(): void {
  if (existsSync(HIDDEN_TUN) && !existsSync(TUN)) renameSync(HIDDEN_TUN, TUN);
}
function hideTun(): void {
  renameSync(TUN, HIDDEN_TUN);
}

describeDocker('tailbridge apply on the lab: every mode, and kernel mode without tun', () => {
  let release = () => {};
  let busybox = '';
  const projects: Project[] = [];
  beforeAll(async () => {
    release = await acquireLabLock();
    restoreTun();
    cleanupLab();
    busybox = ensureBusyboxImage();
    ensureTailscaleDoubleImage();
    startLan();
    startApps();
  }, 300_000);
  afterAll(() => {
    restoreTun();
    for (const p of projects) {
      try {
        compose(p, p.applyOverrides, 'down', '--remove-orphans');
      } catch {
        try {
          compose(p, p.overrides, 'down', '--remove-orphans');
        } catch {}
      }
      p.control.remove();
      rmSync(p.dir, { recursive: true, force: true });
    }
    removeShim();
    cleanupLab();
    release();
  });

  async function start(name: string, original: string, sidecar = false): Promise<Project> {
    const p = writeProject(name, original, sidecar);
    projects.push(p);
    compose(p, p.overrides, 'up', '-d');
    await waitRunning(CONTAINER);
    return p;
  }

  async function applyMode(p: Project, mode: Mode) {
    const io = memoryIo({ cwd: p.dir });
    let result: TxResult | undefined;
    const started = Date.now();
    const code = await apply(
      {
        config: p.configFile,
        mode,
        yes: true,
        probe: true,
        timeout: 60,
        overrides: p.applyOverrides,
        projectName: p.projectName,
      },
      io,
      {
        onResult: (r) => {
          result = r;
        },
      },
    );
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    const out = [...io.out, ...io.err].join('\n');
    // TB_SHOW_APPLY=1 prints each apply's exit code, duration and output.
    if (process.env.TB_SHOW_APPLY) console.log(`apply --mode ${mode}: exit ${code} in ${seconds} s\n${out}`);
    return {
      code,
      out,
      result,
      report: result?.verify?.report as VerifyReport,
    };
  }

  async function applyAndPass(p: Project, mode: Mode): Promise<VerifyReport> {
    const { code, out, report } = await applyMode(p, mode);
    expect(code, out).toBe(0);
    expect(report, out).toBeDefined();
    expect(report.mode).toBe(mode);
    expect(report.verdict, failed(report).join('\n')).toBe('pass');
    expect(failed(report)).toEqual([]);
    expectPass(report, 'L4.probe');
    expect(existsSync(path.join(p.dir, '.tailbridge/journal.json'))).toBe(false);
    expect(JSON.stringify(report)).not.toContain(LAB_AUTH_KEY);
    return report;
  }

  it('userspace: applied, DNS to every app and the LAN host via the route pass', async () => {
    const p = await start('apl-us', ORIGINAL);
    try {
      const r = await applyAndPass(p, 'userspace');
      for (const a of APPS) expectPass(r, `L2.dns:${a.name}`);
      expectPass(r, 'L2.lan:device:lanhost');
      expectPass(r, 'L4.lan:lanhost');
      expectPass(r, `L3.route:${LAN.subnet}`);
      expect(check(r, 'L1.network:default').status).toBe('pass');
      expect(inspect(CONTAINER).HostConfig.NetworkMode).not.toBe('host');
    } finally {
      compose(p, p.applyOverrides, 'down', '--remove-orphans');
    }
  }, 240_000);

  it('serve: applied, every serve port configured (L3) and reachable through the tailnet (L4)', async () => {
    const p = await start('apl-serve', ORIGINAL);
    try {
      const r = await applyAndPass(p, 'serve');
      const serve = r.checks.filter((c) => /^L3\.serve:/.test(c.id));
      expect(serve.length, r.checks.map((c) => c.id).join(', ')).toBe(APPS.length);
      for (const c of serve) expect(c.status, `${c.id}: ${c.evidence}`).toBe('pass');
      const l4 = r.checks.filter((c) => /^L4\.serve:/.test(c.id));
      expect(l4.length).toBe(APPS.length);
      for (const c of l4) expect(c.status, `${c.id}: ${c.evidence}`).toBe('pass');
      expect(existsSync(path.join(p.dir, 'tailscale-serve/serve.json'))).toBe(true);
    } finally {
      compose(p, p.applyOverrides, 'down', '--remove-orphans');
    }
  }, 240_000);

  it('macvlan (with the host shim): applied, host ↔ container and the tun device pass', async () => {
    const p = await start('apl-mv', ORIGINAL);
    addShim();
    try {
      const r = await applyAndPass(p, 'macvlan');
      expectPass(r, 'L2.macvlan:host-to-container');
      expectPass(r, 'L2.macvlan:container-to-host');
      expectPass(r, 'L2.tun');
      expectPass(r, 'L2.sysctl:net.ipv4.ip_forward');
      expectPass(r, 'L4.lan:lanhost');
      expect(check(r, 'L1.network:lan').evidence).toContain(LAN.macvlanAddress);
      expect(existsSync(path.join(p.dir, 'tailscale-shim.sh'))).toBe(true);
    } finally {
      removeShim();
      compose(p, p.applyOverrides, 'down', '--remove-orphans');
    }
  }, 240_000);

  it('host: applied, still on host networking with the tun device', async () => {
    const p = await start('apl-host', ORIGINAL);
    try {
      const r = await applyAndPass(p, 'host');
      expectPass(r, 'L1.network-mode');
      expectPass(r, 'L2.tun');
      expectPass(r, 'L4.lan:lanhost');
      expect(inspect(CONTAINER).HostConfig.NetworkMode).toBe('host');
      expect(readFileSync(p.composeFile, 'utf8')).toContain(
        '# Subnet router. Host networking so the LAN route works without extra setup.',
      );
    } finally {
      compose(p, p.applyOverrides, 'down', '--remove-orphans');
    }
  }, 240_000);

  it('sidecar: applied, each app reached in its ts-<app> namespace and over the tailnet', async () => {
    const p = await start('apl-side', withApps(ORIGINAL, busybox), true);
    try {
      const r = await applyAndPass(p, 'sidecar');
      for (const a of APPS) {
        expectPass(r, `ts-${a.name}/L1.running`);
        expectPass(r, `ts-${a.name}/L2.tcp:${a.name}`);
        expectPass(r, `ts-${a.name}/L3.hostname`);
        expectPass(r, `L4.sidecar:${a.name}`);
        expect(inspect(`${p.projectName}_${a.name}_1`).HostConfig.NetworkMode).toBe(
          `container:${inspect(`ts-${a.name}`).Id}`,
        );
      }
    } finally {
      compose(p, p.applyOverrides, 'down', '--remove-orphans');
    }
  }, 240_000);

  it('kernel mode on a host without /dev/net/tun: apply fails, rolls back, the original is back byte for byte', async () => {
    const p = await start('apl-notun', ORIGINAL_NO_TUN);
    const mine = (n: string) => n.startsWith(p.projectName) || n === CONTAINER;
    const objects = dockerNames(mine);
    const before = inspect(CONTAINER);
    expect(before.HostConfig.NetworkMode).toBe('host');
    addShim();
    hideTun();
    let outcome: Awaited<ReturnType<typeof applyMode>>;
    try {
      expect(existsSync(TUN)).toBe(false);
      outcome = await applyMode(p, 'macvlan');
    } finally {
      restoreTun();
      removeShim();
    }
    try {
      const { code, out, result } = outcome;
      expect(code, out).toBe(3);
      expect(result?.rollback?.ok, out).toBe(true);
      expect(readFileSync(p.composeFile, 'utf8')).toBe(ORIGINAL_NO_TUN);
      expect(existsSync(path.join(p.dir, 'tailscale-shim.sh'))).toBe(false);
      expect(existsSync(path.join(p.dir, '.tailbridge/journal.json'))).toBe(false);
      await waitRunning(CONTAINER);
      const now = inspect(CONTAINER);
      expect(now.HostConfig.NetworkMode).toBe('host');
      expect(now.State.Status).toBe('running');
      // Docker 20.10 creates the container, then cannot start it: the deploy step fails.
      expect(result!.failure!.step, out).toBe('deploy');
      expect(out).toContain('apply failed at deploy: compose up failed');
      expect(out).toContain('error gathering device information while adding custom device "/dev/net/tun"');
      expect(out).toMatch(/rolled back: restored 2 of 2 file\(s\)/);
      expect(out).toContain('same configuration as before');
      expect(out).not.toContain(LAB_AUTH_KEY);
      // The macvlan network the failed attempt created is gone again; nothing else changed.
      expect(out).toContain(`removed network ${p.projectName}_lan`);
      expect(dockerNames(mine)).toEqual(objects);
    } finally {
      compose(p, p.overrides, 'down', '--remove-orphans');
    }
  }, 240_000);
});
