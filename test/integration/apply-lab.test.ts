/**
 * `tailbridge apply --mode X` on the REAL lab (real tailscale v1.102.3 + Headscale v0.29.2,
 * test/lab/real), through the CLI with its default layered verifier and --probe. The lab's NAS
 * starts in host mode with userspace networking (no tun device in its compose file):
 * - kernel mode (macvlan) on a host without /dev/net/tun fails, rolls back, restores the original
 *   file byte for byte and brings the old container back (the done-when of issue 9);
 * - host mode (kernel, with the tun device) is applied and verified.
 * Userspace is applied by migrate (migrate.test.ts), macvlan with and without the shim is in
 * verify.test.ts, serve is blocked on Headscale (control-lab.test.ts).
 */
import { existsSync, readFileSync, renameSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { memoryIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import type { Check, VerifyReport } from '../../src/core/verify/index.js';
import { describeDocker, dockerNames } from '../lab/docker.js';
import { composeProjectName, LAB_UP_TIMEOUT, labDown, labUp, type RealLab } from '../lab/real/lab.js';
import { tryRun } from '../lab/real/sh.js';
import { addShim, removeShim } from '../lab/real/shim.js';
import {
  composeUp,
  hostModeCompose,
  NAS_CONTAINER,
  STACK_FILES,
  waitRunning,
  writeFastHealth,
} from '../lab/real/stack.js';

const ORIGINAL = hostModeCompose({ userspace: true });

// Hiding the host's tun device (the tun module not loaded). Restored in finally, in afterAll, and at
// the start of the next run if a crashed run left it hidden.
const TUN = '/dev/net/tun';
const HIDDEN_TUN = '/dev/net/tun.tbr-hidden';
function restoreTun(): void {
  if (existsSync(HIDDEN_TUN) && !existsSync(TUN)) renameSync(HIDDEN_TUN, TUN);
}

const inspect = (name: string) =>
  JSON.parse(tryRun('docker', ['inspect', name]).stdout)[0] as {
    Id: string;
    HostConfig: { NetworkMode: string };
    State: { Status: string };
  };
const check = (r: VerifyReport, id: string): Check => {
  const c = r.checks.find((x) => x.id === id);
  if (!c) throw new Error(`no check ${id} in ${r.checks.map((x) => x.id).join(', ')}`);
  return c;
};

describeDocker('tailbridge apply on the real lab', () => {
  let lab: RealLab;
  let config: string;
  const secrets: string[] = [];
  beforeAll(async () => {
    restoreTun();
    lab = await labUp({ routePolicy: 'auto', userspace: true });
    config = path.join(lab.dir, STACK_FILES.config);
    secrets.push(
      lab.state.apiKey,
      readFileSync(path.join(lab.dir, STACK_FILES.env), 'utf8').split('=')[1]!.trim(),
    );
    expect(readFileSync(path.join(lab.dir, STACK_FILES.compose), 'utf8')).toBe(ORIGINAL);
    // apply picks up <name>.override.yaml by itself: the original runs with it too, so the rollback
    // can compare compose config-hashes.
    writeFastHealth(lab.dir);
    await composeUp(lab.dir);
    await waitRunning(NAS_CONTAINER);
  }, LAB_UP_TIMEOUT);
  afterAll(async () => {
    restoreTun();
    removeShim();
    await labDown();
  }, 300_000);

  async function apply(...args: string[]) {
    const io = memoryIo({ cwd: lab.dir });
    const code = await main(['-c', config, 'apply', '--yes', '--timeout', '90', ...args], io);
    const out = [...io.out, ...io.err].join('\n');
    for (const [i, s] of secrets.entries()) expect(out.includes(s), `secret #${i} in the output`).toBe(false);
    return { code, out };
  }

  it('done when: kernel mode on a host without /dev/net/tun fails, rolls back, the original file is back byte for byte and the old container runs', async () => {
    const project = composeProjectName(lab.dir);
    const mine = (n: string) => n.startsWith(project) || n === NAS_CONTAINER;
    const objects = dockerNames(mine);
    const before = inspect(NAS_CONTAINER);
    expect(before.HostConfig.NetworkMode).toBe('host');
    addShim();
    renameSync(TUN, HIDDEN_TUN);
    let outcome: { code: number; out: string };
    try {
      expect(existsSync(TUN)).toBe(false);
      outcome = await apply('--mode', 'macvlan');
    } finally {
      restoreTun();
      removeShim();
    }
    const { code, out } = outcome;
    expect(code, out).toBe(3);
    expect(readFileSync(path.join(lab.dir, STACK_FILES.compose), 'utf8')).toBe(ORIGINAL);
    expect(existsSync(path.join(lab.dir, 'tailscale-shim.sh'))).toBe(false);
    expect(existsSync(path.join(lab.dir, '.tailbridge/journal.json'))).toBe(false);
    await waitRunning(NAS_CONTAINER);
    const now = inspect(NAS_CONTAINER);
    expect(now.HostConfig.NetworkMode).toBe('host');
    expect(now.State.Status).toBe('running');
    // Docker 20.10 creates the container, then cannot start it: the deploy step fails.
    expect(out).toContain('apply failed at deploy: compose up failed');
    expect(out).toContain('error gathering device information while adding custom device "/dev/net/tun"');
    expect(out).toMatch(/rolled back: restored 2 of 2 file\(s\)/);
    expect(out).toContain('same configuration as before');
    // The macvlan network the failed attempt created is gone again; nothing else changed.
    expect(out).toContain(`removed network ${project}_lan`);
    expect(dockerNames(mine)).toEqual(objects);
  }, 600_000);

  it('host (kernel mode, the tun device): applied and verified end to end', async () => {
    const io = memoryIo({ cwd: lab.dir });
    const { code, out } = await apply('--mode', 'host', '--probe');
    expect(code, out).toBe(0);
    expect(inspect(NAS_CONTAINER).HostConfig.NetworkMode).toBe('host');
    expect(readFileSync(path.join(lab.dir, STACK_FILES.compose), 'utf8')).toContain('/dev/net/tun');
    await main(['-c', config, '--json', 'verify'], io);
    const r = JSON.parse(io.out.join('\n')) as VerifyReport;
    expect(r.mode).toBe('host');
    expect(r.checks.filter((c) => c.status === 'fail').map((c) => `${c.id}: ${c.evidence}`)).toEqual([]);
    expect(check(r, 'L2.tun').status).toBe('pass');
    expect(check(r, 'L3.backend').evidence).toBe('BackendState Running (TUN true)');
  }, 600_000);
});
