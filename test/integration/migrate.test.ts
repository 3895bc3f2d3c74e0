/**
 * `tailbridge migrate` on the test lab (real engine, docker-compose, the tailscale TEST DOUBLE, the
 * emulated LAN 198.18.0.0/24): the staged strategy ends with a verified mode, or with the original
 * host-mode configuration restored and verified — and writes the decision record either way.
 */
import { execFileSync, spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { loadLastRun } from '../../src/adapters/runs.js';
import { memoryIo } from '../../src/cli/io.js';
import { migrate } from '../../src/commands/migrate.js';
import { type ControlPlane, createControlPlane, LAB_AUTH_KEY } from '../lab/control.js';
import { describeDocker } from '../lab/docker.js';
import { hostModeCompose, labConfigYaml, labOverride } from '../lab/homelab.js';
import { ensureBusyboxImage, ensureTailscaleDoubleImage } from '../lab/images.js';
import { acquireLabLock, addShim, cleanupLab, LAN, removeShim, startApps, startLan } from '../lab/lan.js';

const CONTAINER = 'tblab-mig-ts';
const HOSTNAME = 'tblab-mig';
const ROOT = path.resolve(new URL('../..', import.meta.url).pathname);
const SEED_NOTE = readFileSync(new URL('../unit/report/fixtures/seed-note.md', import.meta.url), 'utf8');

const ORIGINAL = hostModeCompose({ container: CONTAINER, hostname: HOSTNAME, tun: true });

interface Project {
  dir: string;
  configFile: string;
  composeFile: string;
  overrides: string[];
  projectName: string;
}

function writeProject(name: string, control: ControlPlane): Project {
  const dir = mkdtempSync(path.join(tmpdir(), `tblab-project-${name}-`));
  mkdirSync(path.join(dir, 'state'));
  mkdirSync(path.join(dir, 'docs'));
  const envFile = path.join(dir, 'tailscale.env');
  writeFileSync(envFile, `TS_AUTHKEY=${LAB_AUTH_KEY}\n`, { mode: 0o600 });
  const base = labConfigYaml({
    stateDir: path.join(dir, 'state'),
    envFile,
    hostname: HOSTNAME,
    containerName: CONTAINER,
  });
  const config = base.replace(
    /paths:\n {2}compose: compose\.yaml\n/,
    'paths:\n  compose: compose.yaml\n  notes: ai/SESSION_NOTES.md\n  researchNote: docs/tailscale-without-host-mode.md\n  decisions: docs/decisions\n',
  );
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
  writeFileSync(path.join(dir, 'compose.yaml'), ORIGINAL);
  writeFileSync(path.join(dir, 'docs/tailscale-without-host-mode.md'), SEED_NOTE);
  writeFileSync(path.join(dir, 'lab.override.yaml'), labOverride(control.dir));
  // Test speed only: the generated healthcheck polls every 30 s.
  writeFileSync(
    path.join(dir, 'fast-health.yaml'),
    stringify({
      services: { tailscale: { healthcheck: { interval: '1s', start_period: '1s', retries: 3 } } },
    }),
  );
  return {
    dir,
    configFile: path.join(dir, 'tailbridge.yaml'),
    composeFile: path.join(dir, 'compose.yaml'),
    overrides: [path.join(dir, 'lab.override.yaml'), path.join(dir, 'fast-health.yaml')],
    projectName: `tblab-${name}`,
  };
}

function compose(p: Project, ...args: string[]): void {
  execFileSync(
    'docker-compose',
    ['-p', p.projectName, '-f', p.composeFile, ...p.overrides.flatMap((f) => ['-f', f]), ...args],
    {
      cwd: p.dir,
      stdio: 'ignore',
    },
  );
}

async function waitRunning(name: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const out = execFileSync('docker', ['inspect', '-f', '{{.State.Status}}', name], {
      encoding: 'utf8',
    }).trim();
    if (out === 'running') return;
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`${name} not running`);
}

const inspect = (name: string) =>
  JSON.parse(execFileSync('docker', ['inspect', name], { encoding: 'utf8' }))[0] as {
    HostConfig: { NetworkMode: string };
    State: { Status: string };
    NetworkSettings: { Networks: Record<string, unknown> };
  };

/** Bridge traffic to the LAN is dropped (macvlan traffic does not cross the host's FORWARD chain). */
const DROP = ['DOCKER-USER', '-o', LAN.bridge, '-m', 'comment', '--comment', 'tblab-migrate', '-j', 'DROP'];
const blockBridgeToLan = () => execFileSync('iptables', ['-I', ...DROP]);
const unblockBridgeToLan = () => {
  try {
    execFileSync('iptables', ['-D', ...DROP], { stdio: 'ignore' });
  } catch {}
};

const opts = (p: Project) => ({
  config: p.configFile,
  overrides: p.overrides,
  projectName: p.projectName,
  yes: true,
  probe: true,
  timeout: 60,
});

describeDocker('tailbridge migrate on the lab', () => {
  let release = () => {};
  // One fake tailnet per test: a node left registered by an earlier test would make the next one name-1.
  const controls: ControlPlane[] = [];
  const projects: Project[] = [];
  beforeAll(async () => {
    release = await acquireLabLock();
    cleanupLab();
    ensureBusyboxImage();
    ensureTailscaleDoubleImage();
    startLan();
    startApps();
  }, 300_000);
  afterAll(() => {
    unblockBridgeToLan();
    for (const p of projects) {
      try {
        compose(p, 'down', '--remove-orphans');
      } catch {}
      rmSync(p.dir, { recursive: true, force: true });
    }
    removeShim();
    for (const c of controls) c.remove();
    cleanupLab();
    release();
  });

  async function start(name: string): Promise<Project> {
    const control = createControlPlane({ approvals: { routes: { [HOSTNAME]: [LAN.subnet] } } });
    controls.push(control);
    const p = writeProject(name, control);
    projects.push(p);
    compose(p, 'up', '-d');
    await waitRunning(CONTAINER);
    return p;
  }

  it('userspace fails (the LAN is unreachable from bridge networks), macvlan passes and stays deployed', async () => {
    const p = await start('mig1');
    addShim();
    blockBridgeToLan();
    try {
      const io = memoryIo({ cwd: p.dir });
      const code = await migrate(opts(p), io);
      const out = [...io.out, ...io.err].join('\n');
      expect(code, out).toBe(0);
      const run = (await loadLastRun(p.dir))!.run;
      expect(
        run.phases.map((ph) => [ph.mode, ph.outcome]),
        JSON.stringify(run.phases.map((ph) => ph.reason)),
      ).toEqual([
        ['userspace', 'failed'],
        ['macvlan', 'passed'],
        ['host', 'skipped'],
      ]);
      const userspace = run.phases[0]!;
      expect(userspace.rolledBack).toBe(true);
      expect(userspace.reason).toMatch(/L2\.lan|L4\./);
      expect(run.final).toMatchObject({ state: 'migrated', mode: 'macvlan' });
      const c = inspect(CONTAINER);
      expect(c.State.Status).toBe('running');
      expect(Object.keys(c.NetworkSettings.Networks)).toContain(`${p.projectName}_lan`);
      const composeText = readFileSync(p.composeFile, 'utf8');
      // The user's list-form environment stays a list.
      expect(composeText).toContain('      - TS_USERSPACE=false\n');
      expect(composeText).toContain(
        '# Subnet router. Host networking so the LAN route works without extra setup.',
      );

      const record = readFileSync(path.join(p.dir, 'docs/decisions/0001-tailscale-network-mode.md'), 'utf8');
      expect(record).not.toContain('❓');
      expect(record).toMatch(/measured/);
      expect(record).toContain('macvlan');
      expect(record).toContain(`tailbridge rollback --to ${userspace.backupId}`);
      expect(record).toContain('```mermaid');
      expect(record).not.toContain(LAB_AUTH_KEY);
      expect(readFileSync(path.join(p.dir, 'ai/SESSION_NOTES.md'), 'utf8')).toMatch(/macvlan/);
      const note = readFileSync(path.join(p.dir, 'docs/tailscale-without-host-mode.md'), 'utf8');
      expect(note.startsWith(SEED_NOTE.split('## Results')[0]!.slice(0, 500))).toBe(true);
      expect(note).toContain('## Results');
    } finally {
      unblockBridgeToLan();
      removeShim();
      compose(p, 'down', '--remove-orphans');
    }
  }, 600_000);

  it('userspace and macvlan both fail: the original host-mode file is restored byte for byte and verified', async () => {
    const p = await start('mig2');
    removeShim(); // macvlan verification needs the host ↔ container shim: without it the phase fails
    blockBridgeToLan();
    try {
      const io = memoryIo({ cwd: p.dir });
      const code = await migrate(opts(p), io);
      const out = [...io.out, ...io.err].join('\n');
      expect(code, out).toBe(3);
      const run = (await loadLastRun(p.dir))!.run;
      expect(
        run.phases.map((ph) => [ph.mode, ph.outcome]),
        JSON.stringify(run.phases.map((ph) => ph.reason)),
      ).toEqual([
        ['userspace', 'failed'],
        ['macvlan', 'failed'],
        ['host', 'passed'],
      ]);
      expect(run.phases[1]!.reason).toMatch(/L2\.macvlan/);
      expect(run.final).toMatchObject({ state: 'restored', mode: 'host' });
      expect(run.final.verify?.verdict).toBe('pass');
      expect(readFileSync(p.composeFile, 'utf8')).toBe(ORIGINAL);
      expect(existsSync(path.join(p.dir, 'tailscale-shim.sh'))).toBe(false);
      expect(inspect(CONTAINER).HostConfig.NetworkMode).toBe('host');
      const record = readFileSync(path.join(p.dir, 'docs/decisions/0001-tailscale-network-mode.md'), 'utf8');
      expect(record).not.toContain('❓');
      expect(record).toMatch(/restored/i);
    } finally {
      unblockBridgeToLan();
      compose(p, 'down', '--remove-orphans');
    }
  }, 600_000);

  it('Ctrl-C during a phase rolls back: the original file and container are back', async () => {
    const p = await start('mig3');
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        path.join(ROOT, 'src/cli/bin.ts'),
        '--config',
        p.configFile,
        'migrate',
        '--yes',
        '--timeout',
        '60',
        '-p',
        p.projectName,
        '--override',
        ...p.overrides,
      ],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } },
    );
    let output = '';
    const sawDeploy = new Promise<void>((resolve) => {
      const onData = (b: Buffer) => {
        output += b.toString();
        if (/deploy/.test(output)) resolve();
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    const first = await Promise.race([
      sawDeploy.then(() => 'deploy' as const),
      exited.then(() => 'exit' as const),
    ]);
    expect(first, output).toBe('deploy');
    child.kill('SIGINT');
    const code = await exited;
    expect(code, output).toBe(3);
    expect(readFileSync(p.composeFile, 'utf8')).toBe(ORIGINAL);
    expect(existsSync(path.join(p.dir, '.tailbridge/journal.json'))).toBe(false);
    await waitRunning(CONTAINER);
    expect(inspect(CONTAINER).HostConfig.NetworkMode).toBe('host');
    expect(readdirSync(path.join(p.dir, '.tailbridge/runs')).length).toBeGreaterThan(0);
    compose(p, 'down', '--remove-orphans');
  }, 600_000);
});
