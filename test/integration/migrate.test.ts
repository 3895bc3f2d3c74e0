/**
 * `tailbridge migrate` on the REAL lab (real tailscale v1.102.3 + Headscale v0.29.2, test/lab/real):
 * from the NAS's host-mode stack the staged strategy ends in a verified mode, or with the original
 * host-mode file restored byte for byte and verified — and writes the decision record either way.
 * Bridge containers reach the LAN through the host's NAT here, as on a real NAS, so userspace (A)
 * passes; the rollback path is forced by dropping bridge → LAN traffic in DOCKER-USER.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { loadLastRun } from '../../src/adapters/runs.js';
import { memoryIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { describeDocker } from '../lab/docker.js';
import {
  ALL_REACHED,
  LAB_UP_TIMEOUT,
  labDown,
  labUp,
  type RealLab,
  remoteChecksSettled,
  waitRemoteHasRoute,
} from '../lab/real/lab.js';
import { tryRun } from '../lab/real/sh.js';
import { removeShim } from '../lab/real/shim.js';
import {
  composeDown,
  composeUp,
  hostModeCompose,
  NAS_CONTAINER,
  NAS_HOSTNAME,
  STACK_FILES,
  waitRunning,
  writeFastHealth,
} from '../lab/real/stack.js';
import { NET } from '../lab/real/topology.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const SEED_NOTE = readFileSync(path.join(ROOT, 'test/unit/report/fixtures/seed-note.md'), 'utf8');
const ORIGINAL = hostModeCompose();
const RECORD = 'docs/decisions/0001-tailscale-network-mode.md';

/**
 * Bridge → LAN traffic dropped (macvlan and host-namespace traffic do not come from a br-* link). Only
 * traffic TO the LAN: the control server is reached through the LAN's router, and without it the real
 * containerboot cannot log in and crash-loops (measured) instead of failing verify.
 */
const DROP = [
  'DOCKER-USER',
  '-i',
  'br-+',
  '-o',
  NET.lanBridge,
  '-d',
  NET.lanSubnet,
  '-m',
  'comment',
  '--comment',
  'tbr-migrate',
  '-j',
  'DROP',
];
const blockBridgeToLan = () => tryRun('iptables', ['-I', ...DROP]);
const unblockBridgeToLan = () => {
  while (tryRun('iptables', ['-D', ...DROP]).code === 0) {}
};

const inspect = (name: string) =>
  JSON.parse(tryRun('docker', ['inspect', name]).stdout)[0] as {
    HostConfig: { NetworkMode: string };
    State: { Status: string };
    NetworkSettings: { Networks: Record<string, unknown> };
  };

describeDocker('tailbridge migrate on the real lab', () => {
  let lab: RealLab;
  let config: string;
  const secrets: string[] = [];

  beforeAll(async () => {
    lab = await labUp({ routePolicy: 'auto' });
    config = path.join(lab.dir, STACK_FILES.config);
    secrets.push(
      lab.state.apiKey,
      readFileSync(path.join(lab.dir, STACK_FILES.env), 'utf8').split('=')[1]!.trim(),
    );
    const yaml = readFileSync(config, 'utf8').replace(
      /paths:\n {2}compose: compose\.yaml\n/,
      'paths:\n  compose: compose.yaml\n  notes: ai/SESSION_NOTES.md\n  researchNote: docs/tailscale-without-host-mode.md\n  decisions: docs/decisions\n',
    );
    writeFileSync(config, yaml);
    // apply and migrate pick up <name>.override.yaml by themselves.
    writeFastHealth(lab.dir);
  }, LAB_UP_TIMEOUT);
  afterAll(async () => {
    unblockBridgeToLan();
    removeShim();
    await labDown();
  }, 300_000);

  /** Back to the user's starting point: the host-mode stack (same state dir, so the same node). */
  beforeEach(async () => {
    unblockBridgeToLan();
    removeShim();
    await composeDown(lab.dir);
    for (const f of ['tailscale-shim.sh', 'docs', 'ai', '.tailbridge'])
      rmSync(path.join(lab.dir, f), { recursive: true, force: true });
    mkdirSync(path.join(lab.dir, 'docs'));
    writeFileSync(path.join(lab.dir, 'docs/tailscale-without-host-mode.md'), SEED_NOTE);
    writeFileSync(path.join(lab.dir, STACK_FILES.compose), ORIGINAL);
    await composeUp(lab.dir);
    await waitRunning(NAS_CONTAINER);
  }, 240_000);

  async function migrate(...args: string[]) {
    const io = memoryIo({ cwd: lab.dir });
    const code = await main(['-c', config, 'migrate', '--yes', '--probe', '--timeout', '90', ...args], io);
    const out = [...io.out, ...io.err].join('\n');
    for (const [i, s] of secrets.entries()) expect(out.includes(s), `secret #${i} in the output`).toBe(false);
    return { code, out };
  }

  it('done when: from host mode it ends in userspace (A), the route approved, the remote device reaching every service and the NAS', async () => {
    const { code, out } = await migrate();
    expect(code, out).toBe(0);
    const run = (await loadLastRun(lab.dir))!.run;
    expect(run.phases[0], JSON.stringify(run.phases)).toMatchObject({ mode: 'userspace', outcome: 'passed' });
    expect(run.phases.slice(1).every((ph) => ph.outcome === 'skipped')).toBe(true);
    expect(run.final).toMatchObject({ state: 'migrated', mode: 'userspace' });
    expect(run.final.verify?.verdict).toBe('pass');
    const c = inspect(NAS_CONTAINER);
    expect(c.State.Status).toBe('running');
    expect(c.HostConfig.NetworkMode).not.toBe('host');
    const node = await lab.headscale.node(lab.state.apiKey, NAS_HOSTNAME);
    expect(node?.approvedRoutes).toEqual([NET.lanSubnet]);
    expect(node?.subnetRoutes).toEqual([NET.lanSubnet]);
    await waitRemoteHasRoute(lab.remote);
    expect(await remoteChecksSettled(lab.remote)).toEqual(ALL_REACHED);

    const composeText = readFileSync(path.join(lab.dir, STACK_FILES.compose), 'utf8');
    // The user's list-form environment stays a list; their comment on the service stays.
    expect(composeText).toContain('      - TS_USERSPACE=true\n');
    const record = readFileSync(path.join(lab.dir, RECORD), 'utf8');
    expect(record).not.toContain('❓');
    expect(record).toMatch(/measured/);
    expect(record).toContain('userspace');
    expect(record).toContain('```mermaid');
    for (const s of secrets) expect(record).not.toContain(s);
    expect(readFileSync(path.join(lab.dir, 'ai/SESSION_NOTES.md'), 'utf8')).toMatch(/userspace/);
    const note = readFileSync(path.join(lab.dir, 'docs/tailscale-without-host-mode.md'), 'utf8');
    expect(note.startsWith(SEED_NOTE.split('## Results')[0]!.slice(0, 500))).toBe(true);
    expect(note).toContain('## Results');
  }, 900_000);

  it('userspace and macvlan both fail (bridge → LAN dropped, no shim): the original host-mode file is restored byte for byte and verified', async () => {
    blockBridgeToLan();
    try {
      const { code, out } = await migrate();
      expect(code, out).toBe(3);
      const run = (await loadLastRun(lab.dir))!.run;
      expect(
        run.phases.map((ph) => [ph.mode, ph.outcome]),
        JSON.stringify(run.phases.map((ph) => ph.reason)),
      ).toEqual([
        ['userspace', 'failed'],
        ['macvlan', 'failed'],
        ['host', 'passed'],
      ]);
      expect(run.phases[0]!.reason).toMatch(/L2\.lan|L4\./);
      // Without the shim the macvlan container reaches neither the host nor its published ports.
      expect(run.phases[1]!.reason).toMatch(/L2\.(macvlan|lan:host)/);
      expect(run.final).toMatchObject({ state: 'restored', mode: 'host' });
      expect(run.final.verify?.verdict).toBe('pass');
      expect(readFileSync(path.join(lab.dir, STACK_FILES.compose), 'utf8')).toBe(ORIGINAL);
      expect(existsSync(path.join(lab.dir, 'tailscale-shim.sh'))).toBe(false);
      expect(inspect(NAS_CONTAINER).HostConfig.NetworkMode).toBe('host');
      expect(out).not.toMatch(/overlaps Docker network/);
      const record = readFileSync(path.join(lab.dir, RECORD), 'utf8');
      expect(record).not.toContain('❓');
      expect(record).toMatch(/restored/i);
    } finally {
      unblockBridgeToLan();
    }
  }, 900_000);

  it('Ctrl-C during a phase rolls back: the original file and container are back', async () => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        path.join(ROOT, 'src/cli/bin.ts'),
        '--config',
        config,
        'migrate',
        '--yes',
        '--timeout',
        '60',
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
    expect(readFileSync(path.join(lab.dir, STACK_FILES.compose), 'utf8')).toBe(ORIGINAL);
    expect(existsSync(path.join(lab.dir, '.tailbridge/journal.json'))).toBe(false);
    await waitRunning(NAS_CONTAINER);
    expect(inspect(NAS_CONTAINER).HostConfig.NetworkMode).toBe('host');
    expect(readdirSync(path.join(lab.dir, '.tailbridge/runs')).length).toBeGreaterThan(0);
  }, 600_000);
});
