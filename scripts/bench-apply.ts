/**
 * Benchmark: what `tailbridge apply` costs beyond the work it cannot avoid. On the TEST LAB's
 * tailscale TEST DOUBLE (real Docker engine, docker-compose), for the same change — host mode →
 * userspace, with the generated healthcheck (interval 30 s, untouched) — it measures:
 *
 *   baseline  `compose up -d` of the new file by hand, then polling `tailscale status --json` until
 *             BackendState is Running (the daemon's own boot): the least anyone must wait;
 *   apply     `tailbridge apply --mode userspace --yes` end to end with the readiness gate (lock,
 *             backup, journal, schema + `compose config`, atomic write, compose up, readiness);
 *   verify    the same apply with the layered verify gate (L1–L3), for reference.
 *
 * overhead = apply − baseline; the budget is 1 s. Needs root, Docker and docker-compose; takes the
 * lab lock (run it under `flock /tmp/tailbridge-docker.lock` like the lab tests).
 * Usage: npm run bench:apply [-- --runs 5]
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { memoryIo } from '../src/cli/io.js';
import { apply } from '../src/commands/apply.js';
import { readinessVerify } from '../src/core/apply/readiness.js';
import { createControlPlane, LAB_AUTH_KEY } from '../test/lab/control.js';
import { hostModeCompose, labConfigYaml, labOverride } from '../test/lab/homelab.js';
import { ensureTailscaleDoubleImage } from '../test/lab/images.js';
import { acquireLabLock } from '../test/lab/lan.js';

const BUDGET_MS = 1000;
const CONTAINER = 'tblab-bench-ts';
const HOSTNAME = 'tblab-bench';
const PROJECT = 'tblab-bench';
const runsArg = process.argv.indexOf('--runs');
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 3;

const sh = (cmd: string, args: string[], cwd?: string) =>
  execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

/** Polls `tailscale status --json` in the container until BackendState is Running. */
async function waitRunning(): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    try {
      const out = sh('docker', ['exec', CONTAINER, 'tailscale', 'status', '--json']);
      if ((JSON.parse(out.slice(out.indexOf('{'))) as { BackendState?: string }).BackendState === 'Running')
        return;
    } catch {
      // not up yet
    }
    await sleep(50);
  }
  throw new Error(`${CONTAINER} did not reach Running within 60 s`);
}

const release = await acquireLabLock();
const control = createControlPlane();
const dir = mkdtempSync(path.join(tmpdir(), 'tblab-project-bench-'));
const compose = (file: string, ...args: string[]) =>
  sh('docker-compose', ['-p', PROJECT, '-f', file, '-f', path.join(dir, 'lab.override.yaml'), ...args], dir);
try {
  ensureTailscaleDoubleImage();
  mkdirSync(path.join(dir, 'state'));
  writeFileSync(path.join(dir, 'tailscale.env'), `TS_AUTHKEY=${LAB_AUTH_KEY}\n`, { mode: 0o600 });
  const config = labConfigYaml({
    stateDir: path.join(dir, 'state'),
    envFile: path.join(dir, 'tailscale.env'),
    hostname: HOSTNAME,
    containerName: CONTAINER,
  }).replace(/services:\n(?: {2}- .*\n)+/, 'services: []\n');
  writeFileSync(path.join(dir, 'tailbridge.yaml'), config);
  writeFileSync(path.join(dir, 'lab.override.yaml'), labOverride(control.dir));
  const original = hostModeCompose({ container: CONTAINER, hostname: HOSTNAME, tun: false });
  const composeFile = path.join(dir, 'compose.yaml');
  const target = path.join(dir, 'target.yaml');
  const options = {
    config: path.join(dir, 'tailbridge.yaml'),
    mode: 'userspace',
    yes: true,
    timeout: 60,
    projectName: PROJECT,
    overrides: [path.join(dir, 'lab.override.yaml')],
  };

  /** Back to the host-mode original, running; the history is cleared so every apply starts alike. */
  const reset = async () => {
    writeFileSync(composeFile, original);
    rmSync(path.join(dir, '.tailbridge'), { recursive: true, force: true });
    compose(composeFile, 'up', '-d', '--remove-orphans');
    await waitRunning();
  };

  // The target file, as apply writes it (kept for the hand-run baseline).
  await reset();
  if ((await apply(options, memoryIo({ cwd: dir }), { verify: readinessVerify })) !== 0)
    throw new Error('the first apply failed');
  copyFileSync(composeFile, target);

  const rows: { baseline: number; apply: number; verify: number }[] = [];
  for (let i = 0; i < RUNS; i++) {
    await reset();
    let t = Date.now();
    compose(target, 'up', '-d', '--remove-orphans');
    await waitRunning();
    const baseline = Date.now() - t;

    await reset();
    t = Date.now();
    const io = memoryIo({ cwd: dir });
    if (process.env.BENCH_TRACE) {
      const start = t;
      io.stdout = (line) => console.log(`  +${s(Date.now() - start)} ${line}`);
    }
    const code = await apply(options, io, { verify: readinessVerify });
    const applied = Date.now() - t;
    if (code !== 0) throw new Error(`apply exited ${code}: ${io.err.join(' ')}`);

    await reset();
    t = Date.now();
    const layered = await apply(options, memoryIo({ cwd: dir }));
    const verified = Date.now() - t;
    if (layered !== 0) throw new Error(`apply with the layered verify exited ${layered}`);
    rows.push({ baseline, apply: applied, verify: verified });
    console.log(
      `run ${i + 1}: compose up + boot ${s(baseline)}, apply ${s(applied)} (overhead ${s(applied - baseline)}), apply + layered verify ${s(verified)}`,
    );
  }
  const b = median(rows.map((r) => r.baseline));
  const a = median(rows.map((r) => r.apply));
  const v = median(rows.map((r) => r.verify));
  const overhead = median(rows.map((r) => r.apply - r.baseline));
  console.log(
    `\nmedian of ${RUNS}: compose up + daemon boot ${s(b)}; tailbridge apply ${s(a)}; overhead ${s(overhead)} (budget ${s(BUDGET_MS)}: ${overhead <= BUDGET_MS ? 'within' : 'OVER'}); with the layered verify gate ${s(v)}`,
  );
} finally {
  try {
    compose(path.join(dir, 'compose.yaml'), 'down', '--remove-orphans', '-t', '1');
  } catch {}
  control.remove();
  rmSync(dir, { recursive: true, force: true });
  release();
}
