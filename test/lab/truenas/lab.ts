/**
 * The real lab with a TrueNAS NAS: the middleware TEST DOUBLE runs beside the real lab (Headscale,
 * the remote device, the apps) and the tailscale stack is installed through it as custom app
 * `tailscale` in host mode (compose project `ix-tailscale`, the real tailscale image logging in to the
 * lab's Headscale). `npm run lab -- up --target truenas` / `down`. Hold /tmp/tailbridge-reallab.lock.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Secret } from '../../../src/adapters/control/secret.js';
import { type AppEntry, composeProject } from '../../../src/adapters/truenas/apps.js';
import { runJob } from '../../../src/adapters/truenas/jobs.js';
import { connectTrueNas } from '../../../src/adapters/truenas/ws-client.js';
import { daemonAlive, startDaemon, stopDaemon } from '../real/daemon.js';
import { labDir, labUp, type RealLab, type UpOptions } from '../real/lab.js';
import { sleep, tryRun } from '../real/sh.js';
import { hostModeCompose, labConfigYaml, NAS_CONTAINER, STACK_FILES, waitRunning } from '../real/stack.js';
import { composeV2ConfigDir } from './compose.js';
import { newApiKey } from './double.js';

export const TRUENAS_APP = 'tailscale';
export const TRUENAS_FILES = {
  dir: 'truenas',
  key: 'truenas.key',
  state: 'truenas/double.json',
  pid: 'truenas/double.pid',
  log: 'truenas/double.log',
} as const;
const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(HERE, '../../..');

export interface DoubleState {
  url: string;
  port: number;
  fingerprint: string;
  socketPath: string;
  pid: number;
}

export interface TrueNasLab extends RealLab {
  double: DoubleState;
  apiKey: string;
}

export function readDoubleState(dir = labDir()): DoubleState | undefined {
  const f = path.join(dir, TRUENAS_FILES.state);
  return existsSync(f) ? (JSON.parse(readFileSync(f, 'utf8')) as DoubleState) : undefined;
}

/** The user's compose with the stack's relative paths made absolute: a custom app's compose is rendered under .ix-apps. */
export function truenasHostModeCompose(dir: string, o: { userspace?: boolean } = {}): string {
  return hostModeCompose(o)
    .replace(`- ${STACK_FILES.env}`, `- ${path.join(dir, STACK_FILES.env)}`)
    .replace(`./${STACK_FILES.state}:`, `${path.join(dir, STACK_FILES.state)}:`);
}

/** tailbridge.yaml of the lab with `target.kind: truenas` (URL, app, key file, pinned fingerprint). */
export function truenasConfigYaml(dir: string, double: Pick<DoubleState, 'url' | 'fingerprint'>): string {
  return `${labConfigYaml(dir)}target:
  kind: truenas
  url: ${double.url}
  app: ${TRUENAS_APP}
  apiKeyFile: ${TRUENAS_FILES.key}
  tls:
    fingerprint: "${double.fingerprint}"
`;
}

/** Starts the double as a detached process in <lab>/truenas and waits for it to listen. */
export async function startDouble(dir: string, apiKey: string): Promise<DoubleState> {
  if (!composeV2ConfigDir())
    throw new Error('compose v2 is not built: run `npm run lab -- build --compose-v2` first');
  const own = path.join(dir, TRUENAS_FILES.dir);
  mkdirSync(own, { recursive: true, mode: 0o700 });
  writeFileSync(path.join(dir, TRUENAS_FILES.key), `${apiKey}\n`, { mode: 0o600 });
  startDaemon({
    cmd: process.execPath,
    args: [
      path.join(REPO, 'node_modules/tsx/dist/cli.mjs'),
      path.join(HERE, 'main.ts'),
      own,
      path.join(dir, TRUENAS_FILES.key),
    ],
    logFile: path.join(dir, TRUENAS_FILES.log),
    pidFile: path.join(dir, TRUENAS_FILES.pid),
    cwd: REPO,
  });
  const deadline = Date.now() + 30_000;
  for (;;) {
    const s = readDoubleState(dir);
    if (s && daemonAlive(path.join(dir, TRUENAS_FILES.pid))) return s;
    if (Date.now() > deadline)
      throw new Error(
        `the TrueNAS double did not start: ${readFileSync(path.join(dir, TRUENAS_FILES.log), 'utf8').slice(-500)}`,
      );
    await sleep(200);
  }
}

/** Installs the stack as custom app `tailscale` through the double (`app.create`, a job). */
export async function installApp(
  dir: string,
  double: DoubleState,
  apiKey: string,
  compose: string,
): Promise<AppEntry> {
  const api = await connectTrueNas({
    url: double.url,
    apiKey: new Secret(apiKey, 'lab'),
    keyOrigin: 'the lab key',
    trust: { kind: 'pin', fingerprint: double.fingerprint, setting: 'lab' },
  });
  try {
    const outcome = await runJob(
      api,
      'app.create',
      [{ custom_app: true, app_name: TRUENAS_APP, custom_compose_config_string: compose }],
      { pollMs: 200 },
    );
    if (!outcome.ok) throw new Error(`app.create failed: ${outcome.error}`);
    return outcome.result as AppEntry;
  } finally {
    await api.close();
  }
}

/** The real lab plus the TrueNAS double, with the stack installed as a custom app and tailbridge.yaml targeting it. */
export async function truenasLabUp(o: Omit<UpOptions, 'withoutStack'> = {}): Promise<TrueNasLab> {
  const log = o.log ?? (() => {});
  removeAppProject();
  const lab = await labUp({ ...o, withoutStack: true });
  const t = Date.now();
  const apiKey = newApiKey(1);
  const double = await startDouble(lab.dir, apiKey);
  log(`TrueNAS middleware TEST DOUBLE at ${double.url} (sha256 ${double.fingerprint})`);
  const compose = truenasHostModeCompose(lab.dir, { userspace: lab.state.userspace });
  writeFileSync(
    path.join(lab.dir, STACK_FILES.env),
    `TS_AUTHKEY=${lab.headscale.preAuthKey(lab.state.userId)}\n`,
    { mode: 0o600 },
  );
  mkdirSync(path.join(lab.dir, STACK_FILES.state), { recursive: true });
  writeFileSync(path.join(lab.dir, STACK_FILES.compose), compose);
  writeFileSync(path.join(lab.dir, STACK_FILES.config), truenasConfigYaml(lab.dir, double));
  log(
    `NAS: custom app ${TRUENAS_APP} (project ${composeProject(TRUENAS_APP)}) in host mode through app.create`,
  );
  await installApp(lab.dir, double, apiKey, compose);
  await waitRunning(NAS_CONTAINER);
  lab.durations.truenas = Date.now() - t;
  return { ...lab, double, apiKey };
}

/** Removes the app's compose project `ix-tailscale` (containers and networks), whatever state it is in. */
export function removeAppProject(): void {
  const label = `label=com.docker.compose.project=${composeProject(TRUENAS_APP)}`;
  const ids = tryRun('docker', ['ps', '-aq', '--filter', label]).stdout.split('\n').filter(Boolean);
  if (ids.length) tryRun('docker', ['rm', '-f', ...ids]);
  const nets = tryRun('docker', ['network', 'ls', '-q', '--filter', label])
    .stdout.split('\n')
    .filter(Boolean);
  if (nets.length) tryRun('docker', ['network', 'rm', ...nets]);
}

/** Stops the double and removes the app's project (the real lab's `down` removes the rest). */
export async function truenasLabDown(dir = labDir()): Promise<void> {
  await stopDouble(dir);
  removeAppProject();
}

export async function stopDouble(dir = labDir()): Promise<void> {
  await stopDaemon(path.join(dir, TRUENAS_FILES.pid), 10_000);
}
