/**
 * The emulated LAN (198.18.0.0/24, a benchmarking range that never leaves this machine) and the lab's
 * app containers. Needs root (the tests run as root). Everything is named tblab* / tblan0 and labelled
 * tailbridge.lab=1, and cleanupLab() removes all of it after a crash.
 *
 *   root netns: bridge tblan0 = the HOST's LAN NIC, 198.18.0.10/24
 *     ├─ veth tblab-gw-h  ⇄ netns tblab-gw       eth0 198.18.0.1   (the LAN router)
 *     └─ veth tblab-lh-h  ⇄ netns tblab-lanhost  eth0 198.18.0.20  (a LAN device; TCP :8080 answers "lanhost")
 *
 * Docker bridge containers reach 198.18.0.20 through the host (Docker masquerades them to 198.18.0.10).
 * Docker sets the FORWARD policy to DROP; with br_netfilter loaded even frames bridged between tblan0's
 * ports traverse FORWARD, so startLan() inserts two ACCEPT rules (`-i tblan0`, `-o tblan0`, comment
 * "tblab") into DOCKER-USER — the chain Docker reserves for user rules — and stopLan() deletes them.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ensureBusyboxImage, LAB_LABEL } from './images.js';

export const LAN = {
  bridge: 'tblan0',
  subnet: '198.18.0.0/24',
  gateway: '198.18.0.1',
  hostAddress: '198.18.0.10',
  lanHost: '198.18.0.20',
  lanHostPort: 8080,
  dhcpRange: { start: '198.18.0.100', end: '198.18.0.199' },
  macvlanAddress: '198.18.0.200',
  macvlanRange: '198.18.0.200/30',
  shimAddress: '198.18.0.204',
  shim: 'tblab-shim',
  gwNs: 'tblab-gw',
  lanHostNs: 'tblab-lanhost',
} as const;

const IPT_COMMENT = 'tblab';
const IPT_RULES = [
  ['-i', LAN.bridge],
  ['-o', LAN.bridge],
];

function sh(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function trySh(cmd: string, args: string[]): boolean {
  try {
    execFileSync(cmd, args, { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export interface Lan {
  bridge: string;
  subnet: string;
  gateway: string;
  hostAddress: string;
  lanHost: string;
  lanHostPort: number;
  stopLan(): void;
}

function plug(ns: string, hostSide: string, address: string): void {
  sh('ip', ['netns', 'add', ns]);
  sh('ip', ['netns', 'exec', ns, 'ip', 'link', 'set', 'lo', 'up']);
  sh('ip', ['link', 'add', hostSide, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns]);
  sh('ip', ['link', 'set', hostSide, 'master', LAN.bridge]);
  sh('ip', ['link', 'set', hostSide, 'up']);
  sh('ip', ['netns', 'exec', ns, 'ip', 'addr', 'add', `${address}/24`, 'dev', 'eth0']);
  sh('ip', ['netns', 'exec', ns, 'ip', 'link', 'set', 'eth0', 'up']);
}

/** Creates the emulated LAN (idempotent: an old one is removed first). Returns addresses and stopLan(). */
export function startLan(): Lan {
  stopLan();
  sh('ip', ['link', 'add', LAN.bridge, 'type', 'bridge']);
  sh('ip', ['addr', 'add', `${LAN.hostAddress}/24`, 'dev', LAN.bridge]);
  sh('ip', ['link', 'set', LAN.bridge, 'up']);
  plug(LAN.gwNs, 'tblab-gw-h', LAN.gateway);
  plug(LAN.lanHostNs, 'tblab-lh-h', LAN.lanHost);
  sh('ip', ['netns', 'exec', LAN.lanHostNs, 'ip', 'route', 'add', 'default', 'via', LAN.gateway]);
  const www = '/tmp/tblab-lanhost-www';
  mkdirSync(www, { recursive: true });
  writeFileSync(`${www}/index.html`, 'lanhost\n');
  const httpd = spawn(
    'ip',
    [
      'netns',
      'exec',
      LAN.lanHostNs,
      'busybox',
      'httpd',
      '-f',
      '-p',
      `${LAN.lanHost}:${LAN.lanHostPort}`,
      '-h',
      www,
    ],
    { stdio: 'ignore', detached: true },
  );
  httpd.unref();
  for (const rule of IPT_RULES)
    sh('iptables', ['-I', 'DOCKER-USER', ...rule, '-m', 'comment', '--comment', IPT_COMMENT, '-j', 'ACCEPT']);
  // Wait for the listener.
  for (let i = 0; i < 50; i++) {
    if (
      trySh('ip', [
        'netns',
        'exec',
        LAN.lanHostNs,
        'busybox',
        'nc',
        '-w',
        '1',
        LAN.lanHost,
        String(LAN.lanHostPort),
      ])
    )
      break;
    execFileSync('sleep', ['0.1']);
  }
  return {
    bridge: LAN.bridge,
    subnet: LAN.subnet,
    gateway: LAN.gateway,
    hostAddress: LAN.hostAddress,
    lanHost: LAN.lanHost,
    lanHostPort: LAN.lanHostPort,
    stopLan,
  };
}

function killNamespacePids(ns: string): void {
  let pids: string[] = [];
  try {
    pids = sh('ip', ['netns', 'pids', ns]).split(/\s+/).filter(Boolean);
  } catch {
    return;
  }
  for (const pid of pids) {
    try {
      process.kill(Number(pid), 'SIGKILL');
    } catch {}
  }
}

/** Removes the LAN: shim, listeners (by pid, via `ip netns pids`), namespaces, bridge, iptables rules. */
export function stopLan(): void {
  removeShim();
  for (const ns of [LAN.lanHostNs, LAN.gwNs]) {
    killNamespacePids(ns);
    trySh('ip', ['netns', 'del', ns]);
  }
  for (const link of ['tblab-gw-h', 'tblab-lh-h', LAN.bridge]) trySh('ip', ['link', 'del', link]);
  for (const rule of IPT_RULES)
    while (
      trySh('iptables', [
        '-D',
        'DOCKER-USER',
        ...rule,
        '-m',
        'comment',
        '--comment',
        IPT_COMMENT,
        '-j',
        'ACCEPT',
      ])
    );
  rmSync('/tmp/tblab-lanhost-www', { recursive: true, force: true });
}

/**
 * The host-side macvlan shim (what tailbridge's `shim` command sets up for real): a macvlan child of
 * tblan0 holding 198.18.0.204/32 and a route to the macvlan ip_range, so the HOST reaches its macvlan
 * containers (without it the kernel isolates parent ⇄ child).
 */
export function addShim(): void {
  removeShim();
  sh('ip', ['link', 'add', LAN.shim, 'link', LAN.bridge, 'type', 'macvlan', 'mode', 'bridge']);
  sh('ip', ['addr', 'add', `${LAN.shimAddress}/32`, 'dev', LAN.shim]);
  sh('ip', ['link', 'set', LAN.shim, 'up']);
  sh('ip', ['route', 'add', LAN.macvlanRange, 'dev', LAN.shim]);
}

export function removeShim(): void {
  trySh('ip', ['link', 'del', LAN.shim]);
}

/** A macvlan Docker network on tblan0 (ip_range 198.18.0.200/30). Docker 20.10 allows ONE per parent. */
export function createMacvlanNetwork(name = 'tblab_lan'): string {
  trySh('docker', ['network', 'rm', name]);
  sh('docker', [
    'network',
    'create',
    '-d',
    'macvlan',
    '-o',
    `parent=${LAN.bridge}`,
    '--subnet',
    LAN.subnet,
    '--gateway',
    LAN.gateway,
    '--ip-range',
    LAN.macvlanRange,
    '--aux-address',
    `shim=${LAN.shimAddress}`,
    '--label',
    LAB_LABEL,
    name,
  ]);
  return name;
}

// ---------------------------------------------------------------------------------------------------
// App containers: busybox httpd stand-ins for the homelab's services.

export interface LabApp {
  name: string;
  container: string;
  network: string;
  port: number;
}

export const APPS: readonly LabApp[] = [
  { name: 'jellyfin', container: 'tblab-jellyfin', network: 'tblab_jellyfin_network', port: 8096 },
  { name: 'sonarr', container: 'tblab-sonarr', network: 'tblab_arr_network', port: 8989 },
  { name: 'radarr', container: 'tblab-radarr', network: 'tblab_arr_network', port: 7878 },
];

/**
 * Starts the app containers (each answers GET / with its name) on their bridge networks, with the app
 * name as network alias. Returns them and stopApps().
 */
export function startApps(): { apps: readonly LabApp[]; stopApps(): void } {
  const image = ensureBusyboxImage();
  stopApps();
  for (const net of new Set(APPS.map((a) => a.network)))
    sh('docker', ['network', 'create', '--label', LAB_LABEL, net]);
  for (const a of APPS)
    sh('docker', [
      'run',
      '-d',
      '--name',
      a.container,
      '--label',
      LAB_LABEL,
      '--network',
      a.network,
      '--network-alias',
      a.name,
      image,
      'sh',
      '-c',
      `echo ${a.name} > /www/index.html; exec httpd -f -p ${a.port} -h /www`,
    ]);
  return { apps: APPS, stopApps };
}

export function stopApps(): void {
  trySh('docker', ['rm', '-f', ...APPS.map((a) => a.container)]);
  for (const net of new Set(APPS.map((a) => a.network))) trySh('docker', ['network', 'rm', net]);
}

// ---------------------------------------------------------------------------------------------------

/**
 * Removes everything the lab creates, whatever state a crashed run left: containers labelled
 * tailbridge.lab=1 or named tblab*, compose projects' networks named tblab*, networks labelled
 * tailbridge.lab=1, the LAN (namespaces, links, iptables rules) and the shim. Images are kept
 * (they are reused) unless `images: true`.
 */
export function cleanupLab(opts: { images?: boolean } = {}): void {
  const ids = new Set<string>();
  for (const filter of [`label=${LAB_LABEL}`, 'name=^/?tblab']) {
    try {
      for (const id of sh('docker', ['ps', '-aq', '--filter', filter]).split(/\s+/)) if (id) ids.add(id);
    } catch {}
  }
  if (ids.size > 0) trySh('docker', ['rm', '-f', '-v', ...ids]);
  const nets = new Set<string>();
  for (const filter of [`label=${LAB_LABEL}`, 'name=tblab']) {
    try {
      for (const n of sh('docker', ['network', 'ls', '-q', '--filter', filter]).split(/\s+/))
        if (n) nets.add(n);
    } catch {}
  }
  for (const n of nets) trySh('docker', ['network', 'rm', n]);
  stopLan();
  for (const entry of readdirSync(tmpdir()))
    if (/^tblab-(tailnet|project|state|serve|double-rootfs)-/.test(entry))
      rmSync(path.join(tmpdir(), entry), { recursive: true, force: true });
  if (opts.images) trySh('docker', ['image', 'rm', '-f', 'tailbridge-test/tailscale-double:lab']);
}

/** TCP connect from the calling process's netns (the host): true = connected (something listens). */
export function tcpProbe(host: string, port: number, timeoutMs = 2000): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host, port, timeout: timeoutMs });
    const done = (ok: boolean) => {
      s.destroy();
      resolve(ok);
    };
    s.once('connect', () => done(true));
    s.once('timeout', () => done(false));
    s.once('error', () => done(false));
  });
}

const LOCK = path.join(tmpdir(), 'tblab.lock');

function lockHolderAlive(): boolean {
  try {
    const pid = Number(readFileSync(LOCK, 'utf8').trim());
    if (!pid) return false;
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The lab is a singleton (one tblan0, fixed names, cleanupLab() removes everything labelled), and vitest
 * runs test files in parallel: every test file that uses the lab takes this cross-process lock first
 * (beforeAll, with a hook timeout above `timeoutMs`) and calls the returned release() in afterAll.
 * A lock left by a dead process is taken over.
 */
export async function acquireLabLock(timeoutMs = 240_000): Promise<() => void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      writeFileSync(LOCK, `${process.pid}\n`, { flag: 'wx' });
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      if (!lockHolderAlive()) {
        rmSync(LOCK, { force: true });
        continue;
      }
      if (Date.now() > deadline)
        throw new Error(`the test lab is busy (${LOCK} held by another test process)`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  return () => {
    try {
      if (Number(readFileSync(LOCK, 'utf8').trim()) === process.pid) rmSync(LOCK, { force: true });
    } catch {}
  };
}
