/**
 * The TrueNAS API client against the middleware TEST DOUBLE (test/lab/truenas): TLS trust, login,
 * rate limit, calls and job following. No Docker engine is needed: the apps here have no containers
 * (STOPPED, so app.update skips compose up, like the middleware), and validation runs `docker compose
 * config`, which needs only the CLI and the compose v2 plugin (skipped when it is not built).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Secret } from '../../../src/adapters/control/secret.js';
import { TrueNasTarget } from '../../../src/adapters/deploy/truenas-target.js';
import type { Target } from '../../../src/adapters/transaction/target.js';
import type { TrueNasApi } from '../../../src/adapters/truenas/api.js';
import { appConfig, queryApps, updateCustomApp } from '../../../src/adapters/truenas/apps.js';
import { discoverTrueNas } from '../../../src/adapters/truenas/discover.js';
import { JsonRpcSocket } from '../../../src/adapters/truenas/jsonrpc.js';
import { midcltApi } from '../../../src/adapters/truenas/midclt.js';
import type { TlsTrust } from '../../../src/adapters/truenas/tls.js';
import { connectTrueNas } from '../../../src/adapters/truenas/ws-client.js';
import { truenasTargetLines } from '../../../src/core/discover/truenas-draft.js';
import { EXAMPLE_CONFIG } from '../../../src/core/model/example.js';
import { parseConfig } from '../../../src/core/model/load.js';
import { refuseDrift } from '../../../src/workflows/apply/drift.js';
import { composeV2ConfigDir } from '../../lab/truenas/compose.js';
import { startTrueNasDouble, type TrueNasDouble } from '../../lab/truenas/double.js';

/** Not `tailscale`: the double reads Docker by project ix-<app>, and the real lab's app is ix-tailscale. */
const APP = 'tbr-unit-ts';
const haveCompose = composeV2ConfigDir() !== null;
let dir: string;
let double: TrueNasDouble;
const pin = (): TlsTrust => ({
  kind: 'pin',
  fingerprint: double.fingerprint,
  setting: 'target.tls.fingerprint',
});
const connect = (o: { key?: string; trust?: TlsTrust; url?: string } = {}) =>
  connectTrueNas({
    url: o.url ?? double.url,
    apiKey: new Secret(o.key ?? double.apiKey, 'file ./truenas.key'),
    keyOrigin: 'target.apiKeyFile ./truenas.key',
    trust: o.trust ?? pin(),
  });

/** The error a promise is expected to reject with. */
const failure = (p: Promise<unknown>): Promise<Error> =>
  p.then(
    () => {
      throw new Error('expected a failure');
    },
    (e: Error) => e,
  );

const COMPOSE = `# the user's comment
services:
  tailscale:
    image: tailscale/tailscale:v1.102.3
    network_mode: host   # inline comment
    environment:
      - TS_HOSTNAME=tbr-nas
      - TS_USERSPACE=false
`;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'tbr-truenas-unit-'));
  double = await startTrueNasDouble({
    dir,
    compose: haveCompose ? undefined : false,
    loginFailDelayMs: [1, 2],
    rateLimit: { maxCalls: 20, periodMs: 60_000, sleepMs: [1, 2] },
  });
  double.store.writeConfig(APP, {
    services: { tailscale: { image: 'tailscale/tailscale:v1.102.3', network_mode: 'host' } },
  });
  double.store.writeMetadata(APP);
});
afterAll(async () => {
  await double?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('TLS trust', () => {
  it('connects with the pinned fingerprint and calls app.query / app.config', async () => {
    const api = await connect();
    const apps = await queryApps(api);
    expect(apps.map((a) => [a.name, a.state, a.custom_app])).toEqual([[APP, 'STOPPED', true]]);
    expect(await appConfig(api, APP)).toEqual({
      services: { tailscale: { image: 'tailscale/tailscale:v1.102.3', network_mode: 'host' } },
    });
    await api.close();
  });

  it('refuses a self-signed certificate without pin or CA, printing the fingerprint it saw', async () => {
    const before = double.rpc.calls.length;
    const e = await failure(connect({ trust: { kind: 'system' } }));
    expect(e.message).toContain(double.fingerprint);
    expect(e.message).toMatch(/not trusted \(DEPTH_ZERO_SELF_SIGNED_CERT\).*target\.tls\.fingerprint/);
    expect(e.message.split('\n')).toHaveLength(1);
    expect(double.rpc.calls.length).toBe(before);
  });

  it('refuses a certificate that does not match the pin before sending anything', async () => {
    const before = double.rpc.calls.length;
    const wrong = `${'AA:'.repeat(31)}AA`;
    const e = await failure(
      connect({
        trust: { kind: 'pin', fingerprint: wrong, setting: 'target.tls.fingerprint' },
      }),
    );
    expect(e.message).toMatch(/certificate mismatch: the server presented SHA-256 .*nothing was sent/);
    expect(e.message).toContain(double.fingerprint);
    expect(double.rpc.calls.length).toBe(before);
  });

  it('trusts a CA file', async () => {
    const ca = readFileSync(path.join(dir, 'cert', 'truenas-double.crt'), 'utf8');
    const api = await connect({ trust: { kind: 'ca', ca, setting: 'target.tls.caFile' } });
    expect(await api.call('core.ping')).toBe('pong');
    await api.close();
  });

  it('says one line when nothing listens', async () => {
    const e = await failure(connect({ url: 'wss://127.0.0.1:9/api/current' }));
    expect(e.message).toBe('TrueNAS API wss://127.0.0.1:9/api/current: cannot connect (ECONNREFUSED)');
  });
});

describe('login', () => {
  it('a wrong key is one line naming the key file, never the key', async () => {
    const key = '1-CANARYwrongkeyCANARY0123456789';
    const e = await failure(connect({ key }));
    expect(e.message).toBe(
      `TrueNAS API ${double.url}: the API key in target.apiKeyFile ./truenas.key was refused`,
    );
    expect(e.message).not.toContain('CANARY');
    expect(JSON.stringify(e)).not.toContain('CANARY');
  });

  it('calls before login are refused by the double (Not authenticated)', async () => {
    const socket = await JsonRpcSocket.open(new URL(double.url), { trust: pin() });
    const e = await failure(socket.call('app.query', [[], {}]));
    await socket.close();
    expect(e.message).toBe('app.query: Not authenticated');
  });

  it('rate-limits logins: the 21st in a minute is refused with one line', async () => {
    const limited = await startTrueNasDouble({
      dir: path.join(dir, 'rl'),
      compose: false,
      loginFailDelayMs: [1, 2],
      rateLimit: { maxCalls: 20, periodMs: 60_000, sleepMs: [1, 2] },
      cert: {
        key: readFileSync(path.join(dir, 'cert', 'truenas-double.key'), 'utf8'),
        cert: readFileSync(path.join(dir, 'cert', 'truenas-double.crt'), 'utf8'),
        fingerprint: double.fingerprint,
      },
    });
    try {
      const messages: string[] = [];
      for (let i = 0; i < 21; i++)
        messages.push(
          await connect({ key: 'x', url: limited.url }).then(
            () => 'ok',
            (e: Error) => e.message,
          ),
        );
      expect(messages.slice(0, 20).every((m) => m.endsWith('was refused'))).toBe(true);
      expect(messages[20]).toBe(
        `TrueNAS API ${limited.url}: auth.login_with_api_key: Rate Limit Exceeded (wait a minute before the next try)`,
      );
    } finally {
      await limited.close();
    }
  });
});

describe.skipIf(!haveCompose)('app.update job', () => {
  let api: TrueNasApi;
  beforeAll(async () => {
    api = await connect();
  });
  afterAll(() => api?.close());

  it('follows the job 25 → 60 → 100 and the Apps copy is the PyYAML dump (no comments, quoted strings)', async () => {
    const progress: (number | null)[] = [];
    const outcome = await updateCustomApp(api, APP, COMPOSE, {
      onProgress: (p) => progress.push(p.percent),
      pollMs: 20,
    });
    expect(outcome.ok).toBe(true);
    expect(progress.at(-1)).toBe(100);
    expect(progress.filter((p) => p !== null)).toEqual(expect.arrayContaining([100]));
    const userConfig = readFileSync(double.store.userConfigPath(APP), 'utf8');
    expect(userConfig).toBe(
      '"services":\n  "tailscale":\n    "environment":\n    - "TS_HOSTNAME=tbr-nas"\n    - "TS_USERSPACE=false"\n    "image": "tailscale/tailscale:v1.102.3"\n    "network_mode": "host"\n',
    );
    expect(readFileSync(double.store.renderedComposePath(APP), 'utf8')).toBe(userConfig);
    const jobs = (await api.call('core.get_jobs', [[['id', '=', outcome.jobId]]])) as {
      arguments: unknown[];
    }[];
    expect(jobs[0]?.arguments).toEqual([APP, { custom_compose_config_string: '********' }]);
  });

  it('a failed job is FAILED with compose config stderr as one line, and the app is unchanged', async () => {
    const before = readFileSync(double.store.userConfigPath(APP), 'utf8');
    const outcome = await updateCustomApp(
      api,
      APP,
      'services:\n  tailscale:\n    image: x\n    bogus_key: 1\n',
      { pollMs: 20 },
    );
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.state).toBe('FAILED');
    expect(outcome.error).toMatch(
      /^\[EINVAL\] app_update\.custom_compose_config_string: Invalid compose configuration: .*bogus_key/,
    );
    expect(outcome.error).not.toContain('\n');
    expect(readFileSync(double.store.userConfigPath(APP), 'utf8')).toBe(before);
  });

  it('an unknown app fails the job with the middleware message', async () => {
    const outcome = await updateCustomApp(api, 'nope', COMPOSE, { pollMs: 20 });
    expect(outcome).toMatchObject({ ok: false, error: '[ENOENT] None: App nope does not exist' });
  });

  it('invalid params are refused before a job starts', async () => {
    const e = await failure(
      api.call('app.update', [APP, { custom_compose_config_string: 'x', extra_field: 1 }]),
    );
    expect(e.message).toMatch(/app\.update: \[EINVAL\] app_update\.1: must NOT have additional properties/);
  });
});

describe('midclt double', () => {
  it('calls the double over its local socket, without a key', async () => {
    const midclt = path.join(process.cwd(), 'test/lab/truenas/midclt-double.mjs');
    writeFileSync(path.join(dir, 'unused'), '');
    const api = midcltApi({
      command: process.execPath,
      run: (c, a) =>
        import('../../../src/adapters/process.js').then(({ runProcess }) =>
          runProcess(c, [midclt, ...a], {
            env: { ...process.env, TAILBRIDGE_MIDCLT_SOCKET: double.socketPath },
          }),
        ),
    });
    expect(((await api.call('app.query', [[], {}])) as { name: string }[]).map((a) => a.name)).toEqual([APP]);
    const e = await failure(api.call('app.config', ['nope']));
    expect(e.message).toMatch(/App nope does not exist/);
  });
});

describe('init --discover on TrueNAS', () => {
  it('finds the custom app running tailscale and drafts a valid target: with the fingerprint it saw', async () => {
    const keyFile = path.join(dir, 'truenas.key');
    writeFileSync(keyFile, `${double.apiKey}\n`, { mode: 0o600 });
    const found = await discoverTrueNas({ url: double.url, apiKeyFile: 'truenas.key', baseDir: dir });
    expect(found).toMatchObject({
      tailscaleApps: [APP],
      apps: [APP],
      fingerprint: double.fingerprint,
    });
    const lines = truenasTargetLines(found!).join('\n');
    expect(lines).toContain(`  app: ${APP}   # the custom app running tailscale`);
    const yaml = `${EXAMPLE_CONFIG}${lines}\n`;
    const config = parseConfig('tailbridge.yaml', yaml);
    expect(config.target).toMatchObject({
      kind: 'truenas',
      app: APP,
      url: double.url,
      apiKeyFile: 'truenas.key',
    });
  });

  it('on the NAS itself it finds midclt (the double here) and drafts target: without url', async () => {
    process.env.TAILBRIDGE_MIDCLT = path.join(process.cwd(), 'test/lab/truenas/midclt-double.mjs');
    process.env.TAILBRIDGE_MIDCLT_SOCKET = double.socketPath;
    try {
      const found = await discoverTrueNas({ baseDir: dir });
      expect(found).toMatchObject({ tailscaleApps: [APP], apps: [APP] });
      expect(found?.url).toBeUndefined();
      const config = parseConfig(
        'tailbridge.yaml',
        `${EXAMPLE_CONFIG}${truenasTargetLines(found!).join('\n')}\n`,
      );
      expect(config.target).toEqual({ kind: 'truenas', app: APP });
    } finally {
      delete process.env.TAILBRIDGE_MIDCLT;
      delete process.env.TAILBRIDGE_MIDCLT_SOCKET;
    }
  });

  it('without a key file it drafts target: with a TODO app and says why', async () => {
    const found = await discoverTrueNas({ url: double.url, baseDir: dir });
    expect(found?.error).toBe('no --truenas-key-file');
    expect(truenasTargetLines(found!).join('\n')).toMatch(/app: tailscale {3}# TODO the custom app/);
  });
});

describe.skipIf(!haveCompose)('truenas deploy target (API side, no engine)', () => {
  it('describe is the app.config; drift compares it with the local file as parsed data', async () => {
    const target = new TrueNasTarget({
      app: APP,
      connect: () => connect(),
      // drift and describe never reach the engine; snapshot/waitReady do (integration tests).
      engine: undefined as never,
      localProject: { files: [path.join(dir, 'compose.yaml')], cwd: dir },
      composeFile: path.join(dir, 'compose.yaml'),
      service: 'tailscale',
    });
    const state = await target.describe();
    expect(state).toMatchObject({ kind: 'truenas', project: APP, files: [{ key: `app:${APP}` }] });
    const deployed = state.files[0]!.text;
    expect(await target.drift(deployed)).toEqual({ drifted: false });
    const edited = await target.drift(deployed.replace('TS_USERSPACE=false', 'TS_USERSPACE=true'));
    expect(edited).toEqual({
      drifted: true,
      key: `app:${APP}`,
      differences: ['services.tailscale.environment[1]'],
    });
    await target.close();
  });

  it('apply refuses drift in one line before anything changes; --overwrite-drift only notes it', async () => {
    const target = new TrueNasTarget({
      app: APP,
      connect: () => connect(),
      engine: undefined as never,
      localProject: { files: [path.join(dir, 'compose.yaml')], cwd: dir },
      composeFile: path.join(dir, 'compose.yaml'),
      service: 'tailscale',
    });
    const local = path.join(dir, 'compose.yaml');
    const deployed = (await target.describe()).files[0]!.text;
    writeFileSync(local, deployed.replace('TS_USERSPACE=false', 'TS_USERSPACE=true'));
    const where = { composeFile: local, display: () => 'compose.yaml' } as unknown as Target;
    const notes: string[] = [];
    const progress = { note: (l: string) => notes.push(l), fail: (l: string) => notes.push(`FAIL ${l}`) };
    const e = await failure(refuseDrift(target, where, progress, false));
    expect(e.message).toBe(
      `the deployed app:${APP} differs from compose.yaml at services.tailscale.environment[1] (edited outside tailbridge?): make the file match what should run, then apply again, or pass --overwrite-drift to deploy compose.yaml over it; nothing was changed`,
    );
    await refuseDrift(target, where, progress, true);
    expect(notes.at(-1)).toBe(
      `the deployed app:${APP} differs from compose.yaml at services.tailscale.environment[1]: --overwrite-drift deploys compose.yaml over it`,
    );
    writeFileSync(local, deployed);
    await expect(refuseDrift(target, where, progress, false)).resolves.toBeUndefined();
    await target.close();
  });
});
