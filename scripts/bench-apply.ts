/**
 * Benchmark: what `tailbridge apply` costs beyond the work it cannot avoid. On the REAL LAB
 * (test/lab/real: real tailscale and Headscale, real Docker engine, the compose tool that
 * detectCompose() finds), for the same change — host mode (userspace networking) →
 * userspace, with the generated healthcheck (interval 30 s, untouched) — it measures:
 *
 *   baseline  `compose up -d` of the new file by hand, then polling `tailscale status --json` until
 *             BackendState is Running (the daemon's own boot): the least anyone must wait;
 *   apply     `tailbridge apply --mode userspace --yes` end to end with the readiness gate (lock,
 *             backup, journal, schema + `compose config`, atomic write, compose up, readiness);
 *   verify    the same apply with the layered verify gate (L1–L3), for reference.
 *
 * overhead = apply − baseline; the budget is 1 s. Needs root, Go (first build), Docker and a compose
 * tool; holds the real lab (run it under `flock /tmp/tailbridge-reallab.lock` like the lab tests).
 * Usage: npm run bench:apply [-- --runs 5]
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { detectCompose } from '../src/adapters/docker/compose.js';
import { memoryIo } from '../src/cli/io.js';
import { apply } from '../src/commands/apply.js';
import { readinessVerify } from '../src/core/apply/readiness.js';
import { labDown, labUp } from '../test/lab/real/lab.js';
import { containerStatus, hostModeCompose, NAS_CONTAINER, STACK_FILES } from '../test/lab/real/stack.js';

const BUDGET_MS = 1000;
const runsArg = process.argv.indexOf('--runs');
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 3;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

/** Polls `tailscale status --json` in the container until BackendState is Running. */
async function waitRunning(): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (containerStatus(NAS_CONTAINER)?.BackendState === 'Running') return;
    await sleep(50);
  }
  throw new Error(`${NAS_CONTAINER} did not reach Running within 60 s`);
}

const dockerAnswers = spawnSync('docker', ['info'], { stdio: 'ignore' }).status === 0;
if (process.getuid?.() !== 0 || !dockerAnswers) {
  console.log('bench:apply skipped: it needs root and a running Docker engine (it starts the real lab)');
  process.exit(0);
}

const lab = await labUp({ routePolicy: 'auto', userspace: true });
const dir = lab.dir;
const tool = await detectCompose();
const compose = async (file: string, action: 'up' | 'down') => {
  const project = { cwd: dir, files: [file] };
  const r = action === 'up' ? await tool.up(project) : await tool.down(project);
  if (r.exitCode !== 0) throw new Error(`compose ${action} failed: ${r.stderr.trim().slice(-300)}`);
};
try {
  const configFile = path.join(dir, STACK_FILES.config);
  writeFileSync(
    configFile,
    readFileSync(configFile, 'utf8').replace(/services:\n(?: {2}- .*\n)+/, 'services: []\n'),
  );
  const original = hostModeCompose({ userspace: true });
  const composeFile = path.join(dir, STACK_FILES.compose);
  const target = path.join(dir, 'target.yaml');
  const options = { config: configFile, mode: 'userspace', yes: true, timeout: 60 };

  /** Back to the host-mode original, running; the history is cleared so every apply starts alike. */
  const reset = async () => {
    writeFileSync(composeFile, original);
    rmSync(path.join(dir, '.tailbridge'), { recursive: true, force: true });
    await compose(composeFile, 'up');
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
    await compose(target, 'up');
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
  await labDown();
}
