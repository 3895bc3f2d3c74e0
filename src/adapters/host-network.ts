import { existsSync } from 'node:fs';
import { readdir, readFile, readlink } from 'node:fs/promises';
import net from 'node:net';
import { hostname } from 'node:os';
import path from 'node:path';
import type {
  IpAddrEntry,
  IpNeighEntry,
  IpRouteEntry,
  RawHostFacts,
  SysNetFacts,
} from '../core/discover/types.js';
import { TailbridgeError } from '../errors.js';
import { runProcess } from './process.js';

const SYS_NET = '/sys/class/net';

/** Runs `ip <args>` and returns stdout; every failure is one line (missing ip, needs root, …). */
export async function runIp(args: readonly string[]): Promise<string> {
  const r = await runProcess('ip', args, { timeoutMs: 15_000 });
  if (r.exitCode === 0) return r.stdout;
  const cmd = `ip ${args.join(' ')}`;
  if (r.exitCode === 127) throw new TailbridgeError(`${cmd}: the 'ip' command is missing (install iproute2)`);
  const msg = r.stderr.trim().split('\n')[0] ?? '';
  if (/Operation not permitted|Permission denied/i.test(r.stderr))
    throw new TailbridgeError(`${cmd}: needs root (CAP_NET_ADMIN): ${msg}`);
  if (/Device or resource busy/i.test(r.stderr))
    throw new TailbridgeError(
      `${cmd}: ${msg} (the parent is probably a bridge or bond port, or has an ipvlan child: use the bridge/bond as parent)`,
    );
  throw new TailbridgeError(`${cmd}: ${msg || `exit code ${r.exitCode}`}`);
}

async function ipJson<T>(args: readonly string[]): Promise<T[]> {
  const out = await runIp(['-j', ...args]);
  if (out.trim() === '') return [];
  try {
    const parsed = JSON.parse(out) as unknown;
    return Array.isArray(parsed) ? (parsed as T[]) : [];
  } catch {
    throw new TailbridgeError(`ip -j ${args.join(' ')}: output is not JSON (iproute2 too old? need 4.14+)`);
  }
}

async function readTrim(file: string): Promise<string | undefined> {
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch {
    return undefined;
  }
}

/** What /sys/class/net/<name> says (wireless, bridge, bond, vlan, physical, master). */
export async function sysNetFacts(name: string, root = SYS_NET): Promise<SysNetFacts> {
  const dir = path.join(root, name);
  const entries = new Set(await readdir(dir).catch(() => [] as string[]));
  const uevent = (await readTrim(path.join(dir, 'uevent'))) ?? '';
  const master = await readlink(path.join(dir, 'master')).catch(() => undefined);
  return {
    wireless: entries.has('wireless') || entries.has('phy80211') || /^DEVTYPE=wlan$/m.test(uevent),
    bridge: entries.has('bridge'),
    bond: entries.has('bonding'),
    vlan: /^DEVTYPE=vlan$/m.test(uevent),
    physical: entries.has('device'),
    ...(master ? { master: path.basename(master) } : {}),
  };
}

async function boolSysctl(file: string): Promise<boolean | undefined> {
  const v = await readTrim(file);
  return v === undefined ? undefined : v !== '0';
}

async function detectVirtualization(): Promise<boolean | undefined> {
  const r = await runProcess('systemd-detect-virt', [], { timeoutMs: 5_000 });
  if (r.exitCode === 127 || r.exitCode === 126) return undefined;
  const v = r.stdout.trim();
  if (v === 'none') return false;
  return r.exitCode === 0 && v !== '' ? true : undefined;
}

/** TrueNAS SCALE: middleware client or its config database; version from /etc/version. */
async function detectPlatform(): Promise<{ platform: 'truenas' | 'linux'; truenasVersion?: string }> {
  if (!existsSync('/usr/bin/midclt') && !existsSync('/data/freenas-v1.db')) return { platform: 'linux' };
  const v = (await readTrim('/etc/version'))?.replace(/^TrueNAS-SCALE-/i, '');
  return v && /^\d+(\.\d+)+/.test(v) ? { platform: 'truenas', truenasVersion: v } : { platform: 'truenas' };
}

/** Gathers the raw host facts discover needs: `ip -j -d addr`, `ip -j route`, `ip -j neigh`, /sys, /proc. */
export async function gatherHostFacts(): Promise<RawHostFacts> {
  const [links, routes, neighbours] = await Promise.all([
    ipJson<IpAddrEntry>(['-d', 'addr', 'show']),
    ipJson<IpRouteEntry>(['-4', 'route', 'show']),
    ipJson<IpNeighEntry>(['-4', 'neigh', 'show']).catch(() => [] as IpNeighEntry[]),
  ]);
  const sys: Record<string, SysNetFacts> = {};
  await Promise.all(
    links.map(async (l) => {
      sys[l.ifname] = await sysNetFacts(l.ifname);
    }),
  );
  const [platform, ipForward, ipv6Forward, virtualized] = await Promise.all([
    detectPlatform(),
    boolSysctl('/proc/sys/net/ipv4/ip_forward'),
    boolSysctl('/proc/sys/net/ipv6/conf/all/forwarding'),
    detectVirtualization(),
  ]);
  return {
    hostname: hostname(),
    links,
    routes,
    neighbours,
    sys,
    ...platform,
    tunDevice: existsSync('/dev/net/tun'),
    ...(ipForward !== undefined ? { ipForward } : {}),
    ...(ipv6Forward !== undefined ? { ipv6Forward } : {}),
    ...(virtualized !== undefined ? { virtualized } : {}),
  };
}

/** Linux interface names: 1–15 characters, no slash, colon or whitespace. */
export function validInterfaceName(name: string): boolean {
  return /^[^\s/:]{1,15}$/.test(name) && name !== '.' && name !== '..';
}

export async function linkExists(name: string): Promise<boolean> {
  if (!validInterfaceName(name)) return false;
  return existsSync(path.join(SYS_NET, name));
}

export interface ShimSpec {
  name: string;
  parent: string;
  /** CIDR, normally a /32. */
  address: string;
  /** Destinations routed through the shim (the macvlan ip_range, container /32s). */
  routes: string[];
}

/**
 * Creates the host-side macvlan child: link (mode bridge), address, up, routes. When a step fails the
 * half-made link is deleted again and the error is rethrown.
 */
export async function addMacvlanShim(spec: ShimSpec): Promise<void> {
  if (!validInterfaceName(spec.name))
    throw new TailbridgeError(
      `shim interface name "${spec.name}" is not a valid Linux name (1-15 characters)`,
    );
  await runIp(['link', 'add', spec.name, 'link', spec.parent, 'type', 'macvlan', 'mode', 'bridge']);
  try {
    await runIp(['addr', 'replace', spec.address, 'dev', spec.name]);
    await runIp(['link', 'set', spec.name, 'up']);
    for (const r of spec.routes) await runIp(['route', 'replace', r, 'dev', spec.name]);
  } catch (e) {
    await removeLink(spec.name).catch(() => undefined);
    throw e;
  }
}

/** Deletes a link; false when it did not exist. */
export async function removeLink(name: string): Promise<boolean> {
  if (!(await linkExists(name))) return false;
  await runIp(['link', 'delete', name]);
  return true;
}

export interface LinkState {
  name: string;
  kind?: string;
  /** Lower device (the macvlan parent). */
  parent?: string;
  macvlanMode?: string;
  up: boolean;
  mac?: string;
  ipv4: string[];
  /** IPv4 routes through this link (`dst` as ip prints it). */
  routes: string[];
}

/** The link's kind, parent, addresses and routes; undefined when it does not exist. */
export async function showLink(name: string): Promise<LinkState | undefined> {
  if (!(await linkExists(name))) return undefined;
  const [entry] = await ipJson<IpAddrEntry>(['-d', 'addr', 'show', 'dev', name]);
  if (!entry) return undefined;
  const routes = await ipJson<IpRouteEntry>(['-4', 'route', 'show', 'dev', name]);
  const mode = entry.linkinfo?.info_data?.mode;
  return {
    name,
    ...(entry.linkinfo?.info_kind ? { kind: entry.linkinfo.info_kind } : {}),
    ...(entry.link ? { parent: entry.link } : {}),
    ...(typeof mode === 'string' ? { macvlanMode: mode } : {}),
    up: (entry.flags ?? []).includes('UP'),
    ...(entry.address ? { mac: entry.address } : {}),
    ipv4: (entry.addr_info ?? []).filter((a) => a.family === 'inet').map((a) => `${a.local}/${a.prefixlen}`),
    routes: routes.map((r) => r.dst),
  };
}

export interface ProbeResult {
  reachable: boolean;
  /** `connected`, `refused` (RST: the host answered), `timeout`, `EHOSTUNREACH`, … */
  outcome: string;
  ms: number;
}

/**
 * TCP connect to address:port from the host. A connection or a refusal (RST) proves the address
 * answers; a timeout, EHOSTUNREACH or ENETUNREACH does not.
 */
export function probeTcp(address: string, port = 9, timeoutMs = 2_000): Promise<ProbeResult> {
  const started = Date.now();
  return new Promise((resolve) => {
    const socket = net.connect({ host: address, port });
    const done = (reachable: boolean, outcome: string) => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ reachable, outcome, ms: Date.now() - started });
    };
    const timer = setTimeout(() => done(false, 'timeout'), timeoutMs);
    socket.once('connect', () => done(true, 'connected'));
    socket.once('error', (e: NodeJS.ErrnoException) =>
      done(e.code === 'ECONNREFUSED', e.code === 'ECONNREFUSED' ? 'refused' : (e.code ?? e.message)),
    );
  });
}

/** Probes until one attempt passes or `totalMs` is spent (ARP and the link coming up take a moment). */
export async function probeTcpRetry(address: string, port = 9, totalMs = 4_000): Promise<ProbeResult> {
  const deadline = Date.now() + totalMs;
  let last: ProbeResult = { reachable: false, outcome: 'not tried', ms: 0 };
  while (Date.now() < deadline) {
    last = await probeTcp(address, port, Math.max(200, Math.min(1_500, deadline - Date.now())));
    if (last.reachable) return last;
    if (last.outcome !== 'timeout') await new Promise((r) => setTimeout(r, 250));
  }
  return last;
}
