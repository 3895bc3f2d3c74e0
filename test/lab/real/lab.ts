/**
 * The real lab as one object: build, up, down, status. `up` leaves daemons running (headscale, the
 * remote device's tailscaled, the LAN client's httpd) and containers (apps, the NAS's tailscale
 * stack) so a person can poke at it; `down` removes all of it (cleanup.ts).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { REAL_APPS, startApps, startLanClient, waitAppsAnswer } from './apps.js';
import { buildLab, type LabBuild } from './build.js';
import { caBundle } from './ca.js';
import {
  type CleanupResult,
  cleanupRealLab,
  labContainers,
  labLinks,
  labNamespaces,
  labNetworks,
} from './cleanup.js';
import { daemonAlive } from './daemon.js';
import { HEADSCALE_URL, Headscale, headscalePaths, type RoutePolicy } from './headscale.js';
import { acquireRealLabLock, releaseRealLabLock } from './lock.js';
import { RemoteDevice, remotePaths } from './remote.js';
import { sleep, waitFor } from './sh.js';
import {
  composeUp,
  containerStatus,
  NAS_CONTAINER,
  NAS_HOSTNAME,
  STACK_FILES,
  waitRunning,
  writeStack,
} from './stack.js';
import { NET, startTopology } from './topology.js';
import { HEADSCALE_VERSION, TAILSCALE_IMAGE, TAILSCALE_VERSION } from './versions.js';

export function labDir(): string {
  return process.env.TAILBRIDGE_LAB_DIR ?? '/tmp/tbr-lab';
}

/** compose's default project name for the stack: the lab dir's name. */
export function composeProjectName(dir = labDir()): string {
  return path
    .basename(dir)
    .toLowerCase()
    .replace(/[^a-z0-9_-]/g, '');
}

/** What `up` records for later commands and tests (lab.json, mode 0600: it holds the API key). */
export interface LabState {
  labDir: string;
  controlServer: string;
  routePolicy: RoutePolicy;
  userId: string;
  apiKey: string;
  tailscaleVersion: string;
  headscaleVersion: string;
  userspace: boolean;
  startedAt: string;
}

const stateFile = (dir: string) => path.join(dir, 'lab.json');

export function readLabState(dir = labDir()): LabState | undefined {
  try {
    return JSON.parse(readFileSync(stateFile(dir), 'utf8')) as LabState;
  } catch {
    return undefined;
  }
}

export interface UpOptions {
  routePolicy?: RoutePolicy;
  /** Host-mode stack in userspace instead of kernel mode. */
  userspace?: boolean;
  /** Skip the NAS's tailscale stack (tests that start their own). */
  withoutStack?: boolean;
  log?: (line: string) => void;
}

export interface RealLab {
  dir: string;
  build: LabBuild;
  state: LabState;
  headscale: Headscale;
  remote: RemoteDevice;
  durations: Record<string, number>;
}

/** Objects for a running lab (after `up`, possibly from another process). */
export function attachLab(
  build: Pick<LabBuild, 'tailscale' | 'headscale' | 'ca'>,
  dir = labDir(),
): Omit<RealLab, 'durations' | 'build' | 'state'> & { state?: LabState } {
  return {
    dir,
    state: readLabState(dir),
    headscale: new Headscale(build.headscale.paths.headscale!, headscalePaths(dir), build.ca),
    remote: new RemoteDevice(
      { tailscaled: build.tailscale.paths.tailscaled!, tailscale: build.tailscale.paths.tailscale! },
      remotePaths(dir),
    ),
  };
}

/** Tears down any previous lab, then builds what is missing and starts everything. */
export async function labUp(o: UpOptions = {}): Promise<RealLab> {
  const log = o.log ?? (() => {});
  const durations: Record<string, number> = {};
  let t = Date.now();
  const step = (name: string) => {
    durations[name] = Date.now() - t;
    t = Date.now();
  };
  const dir = labDir();
  await acquireRealLabLock();
  step('lock');
  await cleanupRealLab(dir, composeProjectName(dir));
  step('cleanup');
  const build = buildLab(log);
  step('build');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  log('network: router, internet segment, LAN, LAN client');
  startTopology();
  await startLanClient(dir);
  step('network');
  const { headscale, remote } = attachLab(build, dir);
  log(`headscale ${HEADSCALE_VERSION} at ${HEADSCALE_URL}`);
  await headscale.start();
  const userId = headscale.ensureUser();
  const apiKey = headscale.apiKey();
  const routePolicy = o.routePolicy ?? 'auto';
  await headscale.setPolicy(apiKey, routePolicy);
  step('headscale');
  const state: LabState = {
    labDir: dir,
    controlServer: HEADSCALE_URL,
    routePolicy,
    userId,
    apiKey,
    tailscaleVersion: TAILSCALE_VERSION,
    headscaleVersion: HEADSCALE_VERSION,
    userspace: o.userspace ?? false,
    startedAt: new Date().toISOString(),
  };
  writeFileSync(stateFile(dir), `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  log('remote device: tailscaled in netns tbr-remote');
  await remote.start(caBundle(build.ca));
  remote.up(HEADSCALE_URL, headscale.preAuthKey(userId));
  step('remote');
  log(`apps: ${REAL_APPS.map((a) => a.name).join(', ')}`);
  startApps();
  await waitAppsAnswer();
  step('apps');
  if (!o.withoutStack) {
    log(`NAS: ${TAILSCALE_IMAGE} in host mode (${state.userspace ? 'userspace' : 'kernel'})`);
    writeStack(dir, headscale.preAuthKey(userId), { userspace: state.userspace });
    await composeUp(dir);
    await waitRunning(NAS_CONTAINER);
    step('stack');
  }
  return { dir, build, state, headscale, remote, durations };
}

/** Removes the lab, then lets the next test file have it (the lock labUp() took). */
export async function labDown(): Promise<CleanupResult> {
  const dir = labDir();
  try {
    return await cleanupRealLab(dir, composeProjectName(dir));
  } finally {
    releaseRealLabLock();
  }
}

export interface LabStatus {
  labDir: string;
  up: boolean;
  headscale: { pid?: number; url: string };
  remote: { pid?: number; backendState?: string; tailscaleIPs?: string[] };
  nas: { container: string; backendState?: string; tailscaleIPs?: string[] };
  routePolicy?: RoutePolicy;
  containers: number;
  networks: number;
  namespaces: string[];
  links: string[];
}

function ipsOf(st: Record<string, unknown> | undefined): string[] | undefined {
  return st ? ((st.TailscaleIPs as string[] | undefined) ?? []) : undefined;
}

export function labStatus(build?: Pick<LabBuild, 'tailscale' | 'headscale' | 'ca'>): LabStatus {
  const dir = labDir();
  const hs = daemonAlive(headscalePaths(dir).pid);
  const remotePid = daemonAlive(remotePaths(dir).pid);
  let remoteStatus: Record<string, unknown> | undefined;
  if (remotePid && build)
    try {
      remoteStatus = attachLab(build, dir).remote.status();
    } catch {}
  const nas = containerStatus(NAS_CONTAINER);
  const namespaces = labNamespaces();
  return {
    labDir: dir,
    up: namespaces.length > 0 || hs !== undefined,
    headscale: { ...(hs ? { pid: hs } : {}), url: HEADSCALE_URL },
    remote: {
      ...(remotePid ? { pid: remotePid } : {}),
      ...(remoteStatus
        ? { backendState: String(remoteStatus.BackendState), tailscaleIPs: ipsOf(remoteStatus) }
        : {}),
    },
    nas: {
      container: NAS_CONTAINER,
      ...(nas ? { backendState: String(nas.BackendState), tailscaleIPs: ipsOf(nas) } : {}),
    },
    ...(readLabState(dir) ? { routePolicy: readLabState(dir)!.routePolicy } : {}),
    containers: labContainers(composeProjectName(dir)).length,
    networks: labNetworks().length,
    namespaces,
    links: labLinks(),
  };
}

/** Waits until the remote device has the NAS's subnet route as a primary route of a peer. */
export async function waitRemoteHasRoute(remote: RemoteDevice, timeoutMs = 60_000): Promise<void> {
  await waitFor(
    `the remote device to accept ${NET.lanSubnet} from ${NAS_HOSTNAME}`,
    () => {
      const peers = Object.values(
        (remote.status().Peer ?? {}) as Record<string, { PrimaryRoutes?: string[] }>,
      );
      return peers.some((p) => (p.PrimaryRoutes ?? []).includes(NET.lanSubnet)) ? true : undefined;
    },
    timeoutMs,
    1000,
  );
}

export { STACK_FILES };

/** beforeAll timeout for a labUp(): queueing behind other test files (lock.ts) plus a cold build. */
export const LAB_UP_TIMEOUT = 3_900_000;

export type RemoteReach = Record<string, boolean | string | undefined>;

/** The remote device's end-to-end checks (the research note's): ping the NAS, GET every app and the LAN client. */
export function remoteChecks(remote: RemoteDevice): RemoteReach {
  const out: RemoteReach = { ping: remote.ping(NET.nas) };
  for (const a of REAL_APPS) out[a.name] = remote.httpGet(NET.nas, a.port)?.trim();
  out.lanclient = remote.httpGet(NET.lanClient, NET.lanClientPort)?.trim();
  return out;
}

/** What remoteChecks() returns when everything answered. */
export const ALL_REACHED: RemoteReach = {
  ping: true,
  ...Object.fromEntries(REAL_APPS.map((a) => [a.name, a.name])),
  lanclient: 'lanclient',
};

/**
 * remoteChecks() until everything answers or 20 s pass: the first packets after a route appears
 * may go while WireGuard is still handshaking. Returns the last result.
 */
export async function remoteChecksSettled(remote: RemoteDevice): Promise<RemoteReach> {
  let last = remoteChecks(remote);
  const deadline = Date.now() + 20_000;
  while (JSON.stringify(last) !== JSON.stringify(ALL_REACHED) && Date.now() < deadline) {
    await sleep(1000);
    last = remoteChecks(remote);
  }
  return last;
}
