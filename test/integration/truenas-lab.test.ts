/**
 * tailbridge against a TrueNAS custom app (issue 11), on the REAL lab (Headscale, real tailscale image)
 * with the TrueNAS middleware TEST DOUBLE (test/lab/truenas) beside it: the stack is custom app
 * `tailscale` (compose project ix-tailscale) and tailbridge.yaml has `target.kind: truenas`.
 * Needs the real-lab lock and compose v2 (`npm run lab -- build --compose-v2`):
 *   flock /tmp/tailbridge-reallab.lock npx vitest run test/integration/truenas-lab.test.ts
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Secret } from '../../src/adapters/control/secret.js';
import type { TrueNasApi } from '../../src/adapters/truenas/api.js';
import { runJob } from '../../src/adapters/truenas/jobs.js';
import { connectTrueNas } from '../../src/adapters/truenas/ws-client.js';
import { memoryIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { labDown } from '../lab/real/lab.js';
import { sleep, tryRun } from '../lab/real/sh.js';
import { NAS_CONTAINER, STACK_FILES } from '../lab/real/stack.js';
import { composeV2ConfigDir } from '../lab/truenas/compose.js';
import { FAULT_FILE } from '../lab/truenas/double.js';
import {
  TRUENAS_APP,
  TRUENAS_FILES,
  type TrueNasLab,
  truenasLabDown,
  truenasLabUp,
} from '../lab/truenas/lab.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const transcript: string[] = [];
let lab: TrueNasLab;
let config: string;
let api: TrueNasApi;

async function tailbridge(args: string[], cfg = config) {
  const io = memoryIo({ cwd: lab.dir });
  const code = await main(['-c', cfg, ...args], io);
  const out = io.out.join('\n');
  const err = io.err.join('\n');
  transcript.push(out, err);
  return { code, out, err };
}

const userConfigFile = () =>
  path.join(
    lab.dir,
    TRUENAS_FILES.dir,
    '.ix-apps/app_configs',
    TRUENAS_APP,
    'versions/1.0.0/user_config.yaml',
  );
const userConfig = () => readFileSync(userConfigFile(), 'utf8');
const localCompose = () => readFileSync(path.join(lab.dir, STACK_FILES.compose), 'utf8');
const networkMode = () =>
  tryRun('docker', ['inspect', '-f', '{{.HostConfig.NetworkMode}}', NAS_CONTAINER]).stdout.trim();
const project = () =>
  tryRun('docker', [
    'inspect',
    '-f',
    '{{index .Config.Labels "com.docker.compose.project"}}',
    NAS_CONTAINER,
  ]).stdout.trim();

/** A tailbridge.yaml beside the lab's, with `target:` lines replaced. */
function variant(name: string, edit: (yaml: string) => string): string {
  const file = path.join(lab.dir, `tailbridge.${name}.yaml`);
  writeFileSync(file, edit(readFileSync(config, 'utf8')));
  return file;
}

/** One clear line, non-zero exit, and the app exactly as it was. */
async function refusedUnchanged(cfg: string, expected: RegExp) {
  const before = { user: userConfig(), local: localCompose() };
  const r = await tailbridge(['apply', '--mode', 'userspace', '--yes'], cfg);
  expect(r.code, r.out + r.err).toBe(2);
  const lines = r.err.split('\n').filter((l) => l.startsWith('tailbridge:') || l.startsWith('error'));
  expect(r.err).toMatch(expected);
  expect(r.err).not.toMatch(/\n\s+at /);
  expect(lines.length).toBeLessThanOrEqual(1);
  expect(userConfig()).toBe(before.user);
  expect(localCompose()).toBe(before.local);
  return r;
}

describe.skipIf(!composeV2ConfigDir())('TrueNAS custom app on the real lab', () => {
  beforeAll(async () => {
    lab = await truenasLabUp({ routePolicy: 'auto' });
    config = path.join(lab.dir, STACK_FILES.config);
    api = await connectTrueNas({
      url: lab.double.url,
      apiKey: new Secret(lab.apiKey, 'lab'),
      keyOrigin: 'lab key',
      trust: { kind: 'pin', fingerprint: lab.double.fingerprint, setting: 'lab' },
    });
  }, 900_000);
  afterAll(async () => {
    await api?.close();
    await truenasLabDown();
    await labDown();
  }, 300_000);

  it('the lab installed the stack as custom app tailscale in host mode (project ix-tailscale), user_config.yaml dumped by PyYAML', () => {
    expect(networkMode()).toBe('host');
    expect(project()).toBe('ix-tailscale');
    expect(userConfig()).toContain('"network_mode": "host"');
    expect(userConfig()).not.toContain('#');
  });

  it('wrong key, unreachable API and certificate mismatch: one line each, exit 2, the app as it was', async () => {
    const wrongKey = path.join(lab.dir, 'wrong.key');
    writeFileSync(wrongKey, '1-CANARYwrongCANARYkey\n', { mode: 0o600 });
    await refusedUnchanged(
      variant('wrongkey', (y) => y.replace(`apiKeyFile: ${TRUENAS_FILES.key}`, 'apiKeyFile: wrong.key')),
      /the API key in target\.apiKeyFile wrong\.key was refused/,
    );
    await refusedUnchanged(
      variant('unreachable', (y) => y.replace(lab.double.url, 'wss://127.0.0.1:9/api/current')),
      /TrueNAS API wss:\/\/127\.0\.0\.1:9\/api\/current: cannot connect \(ECONNREFUSED\)/,
    );
    await refusedUnchanged(
      variant('mismatch', (y) => y.replace(lab.double.fingerprint, `${'AB:'.repeat(31)}AB`)),
      /certificate mismatch: the server presented SHA-256 [0-9A-F:]{95}, target\.tls\.fingerprint pins AB:AB/,
    );
  }, 120_000);

  it('an edit made in the UI is reported as drift before apply changes anything', async () => {
    const edited = userConfig().replace(
      '"TS_HOSTNAME=tbr-nas"',
      '"TS_HOSTNAME=tbr-nas"\n    - "EDITED_IN_UI=1"',
    );
    const job = await runJob(api, 'app.update', [TRUENAS_APP, { custom_compose_config_string: edited }], {
      pollMs: 200,
    });
    expect(job.ok).toBe(true);
    const r = await refusedUnchanged(
      config,
      /the deployed app:tailscale differs from compose\.yaml at services\.tailscale\.environment.*--overwrite-drift.*nothing was changed/,
    );
    expect(r.out + r.err).toContain('the deployed stack differs from the local file');
    // Back to the local file (the source of truth) for the next tests.
    const back = await runJob(
      api,
      'app.update',
      [TRUENAS_APP, { custom_compose_config_string: localCompose() }],
      { pollMs: 200 },
    );
    expect(back.ok).toBe(true);
  }, 300_000);

  it('a failed job is one line, exit 3, and the previous app config is restored through the API', async () => {
    const before = userConfig();
    writeFileSync(path.join(lab.dir, TRUENAS_FILES.dir, FAULT_FILE), 'pull access denied\n');
    const r = await tailbridge(['apply', '--mode', 'userspace', '--yes']);
    expect(r.code, r.out + r.err).toBe(3);
    expect(r.out + r.err).toMatch(
      /app\.update job \d+ failed: \[EFAULT\] Failed 'up' action for 'tailscale' app/,
    );
    expect(userConfig()).toBe(before);
    expect(networkMode()).toBe('host');
  }, 400_000);

  it('on the NAS itself (no target.url) it goes through midclt: a failed job is restored the same way', async () => {
    const cfg = variant('midclt', (y) =>
      y
        .split('\n')
        .filter((l) => !/^ {2}(url|apiKeyFile|tls):|^ {4}fingerprint:/.test(l))
        .join('\n'),
    );
    process.env.TAILBRIDGE_MIDCLT = path.join(ROOT, 'test/lab/truenas/midclt-double.mjs');
    process.env.TAILBRIDGE_MIDCLT_SOCKET = lab.double.socketPath;
    try {
      const before = userConfig();
      writeFileSync(path.join(lab.dir, TRUENAS_FILES.dir, FAULT_FILE), 'pull access denied\n');
      const r = await tailbridge(['apply', '--mode', 'userspace', '--yes'], cfg);
      expect(r.code, r.out + r.err).toBe(3);
      expect(r.out + r.err).toMatch(/app\.update job \d+ failed: \[EFAULT\] Failed 'up' action/);
      expect(userConfig()).toBe(before);
      expect(networkMode()).toBe('host');
    } finally {
      delete process.env.TAILBRIDGE_MIDCLT;
      delete process.env.TAILBRIDGE_MIDCLT_SOCKET;
    }
  }, 400_000);

  it('migrate --yes moves the custom app off host mode through the API; user_config.yaml holds the result', async () => {
    const r = await tailbridge(['migrate', '--yes', '--modes', 'userspace']);
    expect(r.code, r.out + r.err).toBe(0);
    expect(userConfig()).not.toContain('"network_mode": "host"');
    expect(userConfig()).toContain('TS_USERSPACE=true');
    expect(networkMode()).not.toBe('host');
    expect(project()).toBe('ix-tailscale');
  }, 600_000);

  it('verify finds the container of project ix-tailscale and passes', async () => {
    const r = await tailbridge(['verify']);
    expect(r.code, r.out + r.err).toBe(0);
  }, 300_000);

  it('rollback restores the previous app config through the API', async () => {
    const r = await tailbridge(['rollback', '--yes']);
    expect(r.code, r.out + r.err).toBe(0);
    expect(userConfig()).toContain('"network_mode": "host"');
    expect(networkMode()).toBe('host');
  }, 400_000);

  it('kill -9 during the app.update job: rollback afterwards restores the app', async () => {
    const before = userConfig();
    const log = path.join(lab.dir, 'killed-apply.log');
    const out = openSync(log, 'w');
    const child: ChildProcess = spawn(
      process.execPath,
      [
        // tsx's loader in this process (tsx's CLI would run the command in a child kill -9 does not reach)
        '--import',
        pathToFileURL(path.join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href,
        path.join(ROOT, 'src/cli/bin.ts'),
        '-c',
        config,
        'apply',
        '--mode',
        'userspace',
        '--yes',
      ],
      { cwd: lab.dir, stdio: ['ignore', out, out] },
    );
    const child$ = { alive: true };
    const exited = new Promise<void>((r) =>
      child.on('exit', () => {
        child$.alive = false;
        r();
      }),
    );
    // The double writes user_config.yaml at 60 %: kill tailbridge while the job is running.
    const deadline = Date.now() + 120_000;
    while (userConfig() === before && child$.alive && Date.now() < deadline) await sleep(50);
    child.kill('SIGKILL');
    await exited;
    closeSync(out);
    transcript.push(readFileSync(log, 'utf8'));
    expect(!child$.alive && userConfig() !== before, readFileSync(log, 'utf8')).toBe(true);
    expect(userConfig()).not.toBe(before);
    const r = await tailbridge(['rollback', '--yes']);
    expect(r.code, r.out + r.err).toBe(0);
    expect(userConfig()).toBe(before);
    expect(networkMode()).toBe('host');
  }, 400_000);

  it('canary: the API key appears in no output and no file but its own', () => {
    expect(transcript.join('\n')).not.toContain(lab.apiKey);
    expect(transcript.join('\n')).not.toContain('CANARY');
    const leaks: string[] = [];
    const walk = (dir: string) => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (e.isFile() && statSync(p).size < 8 << 20 && !/\.(key)$/.test(e.name))
          if (readFileSync(p).includes(lab.apiKey)) leaks.push(p);
      }
    };
    walk(lab.dir);
    expect(leaks).toEqual([]);
  });
});
