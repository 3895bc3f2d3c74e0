/**
 * The real lab's homelab network, in network namespaces on 198.18.0.0/15 (a benchmarking range that
 * never leaves this machine). Everything is named tbr*; cleanup.ts removes it whatever state a crash
 * left. The old lab (tblab*, 198.18.0.0/24) is never touched.
 *
 *   "the internet" 198.19.0.0/24 — bridge br0 inside netns tbr-inet (a switch, no host address)
 *     ├─ netns tbr-router  wan 198.19.0.1    (the home router's public side)
 *     ├─ netns tbr-hs      eth0 198.19.0.10  (Headscale: control server, DERP, STUN)
 *     └─ netns tbr-remote  eth0 198.19.0.20  (the remote device: real tailscaled, --accept-routes)
 *   the LAN 198.18.20.0/24 — bridge tbr-lan0 in the host namespace
 *     ├─ the NAS = this Docker host, 198.18.20.10 on tbr-lan0
 *     ├─ netns tbr-router     lan 198.18.20.1 (gateway; NAT LAN → internet; WAN → LAN only replies)
 *     └─ netns tbr-lanclient  eth0 198.18.20.20 (a LAN device; HTTP :8080 answers "lanclient")
 *
 * The NAS reaches the internet segment through the router (a route for 198.19.0.0/24 only — the
 * host's own default route stays). The remote device has no route to the LAN except the tailnet.
 * Docker's FORWARD policy is DROP and, with br_netfilter, even frames bridged inside tbr-lan0 pass
 * FORWARD, so two ACCEPT rules for tbr-lan0 go into DOCKER-USER (the chain Docker reserves for users),
 * as on a NAS whose LAN NIC Docker leaves alone; bridge containers then reach the LAN through the
 * host's masquerading, as on TrueNAS.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ok, run, tryRun } from './sh.js';

export const NET = {
  lanBridge: 'tbr-lan0',
  lanSubnet: '198.18.20.0/24',
  gateway: '198.18.20.1',
  nas: '198.18.20.10',
  lanClient: '198.18.20.20',
  lanClientPort: 8080,
  dhcpRange: { start: '198.18.20.100', end: '198.18.20.199' },
  macvlanAddress: '198.18.20.200',
  macvlanRange: '198.18.20.200/30',
  shimAddress: '198.18.20.204',
  inetSubnet: '198.19.0.0/24',
  routerWan: '198.19.0.1',
  headscale: '198.19.0.10',
  remote: '198.19.0.20',
} as const;

export const NETNS = {
  inet: 'tbr-inet',
  router: 'tbr-router',
  headscale: 'tbr-hs',
  remote: 'tbr-remote',
  lanClient: 'tbr-lanclient',
} as const;

/** Host-side ends of veths on tbr-lan0. */
export const HOST_LINKS = ['tbr-rt-lan', 'tbr-lc-lan'] as const;

export const IPT_COMMENT = 'tbr-reallab';
export const DOCKER_USER_RULES = [
  ['-i', NET.lanBridge],
  ['-o', NET.lanBridge],
] as const;

const ns = (name: string, ...cmd: string[]): string => run('ip', ['netns', 'exec', name, ...cmd]);

function addNetns(name: string): void {
  run('ip', ['netns', 'add', name]);
  ns(name, 'ip', 'link', 'set', 'lo', 'up');
  // `ip netns exec` bind-mounts /etc/netns/<name>/* over /etc: keep processes in the namespace away
  // from the host's resolver configuration.
  const etc = path.join('/etc/netns', name);
  mkdirSync(etc, { recursive: true });
  writeFileSync(path.join(etc, 'resolv.conf'), `# ${name}: no DNS in the tailbridge lab\n`);
}

/** veth between two namespaces (either may be "" = the host namespace). */
function veth(a: { ns: string; name: string }, b: { ns: string; name: string }): void {
  const side = (s: { ns: string; name: string }) =>
    s.ns ? ['name', s.name, 'netns', s.ns] : ['name', s.name];
  run('ip', ['link', 'add', ...side(a), 'type', 'veth', 'peer', ...side(b)]);
}

function up(nsName: string, link: string, cidr?: string): void {
  const exec = (args: string[]) => (nsName ? ns(nsName, 'ip', ...args) : run('ip', args));
  if (cidr) exec(['addr', 'add', cidr, 'dev', link]);
  exec(['link', 'set', link, 'up']);
}

function startInternet(): void {
  addNetns(NETNS.inet);
  ns(NETNS.inet, 'ip', 'link', 'add', 'br0', 'type', 'bridge');
  up(NETNS.inet, 'br0');
  for (const [nsName, port, address] of [
    [NETNS.headscale, 'hs', NET.headscale],
    [NETNS.remote, 'rm', NET.remote],
  ] as const) {
    addNetns(nsName);
    veth({ ns: nsName, name: 'eth0' }, { ns: NETNS.inet, name: port });
    ns(NETNS.inet, 'ip', 'link', 'set', port, 'master', 'br0');
    up(NETNS.inet, port);
    up(nsName, 'eth0', `${address}/24`);
  }
}

function startLanBridge(): void {
  run('ip', ['link', 'add', NET.lanBridge, 'type', 'bridge']);
  up('', NET.lanBridge, `${NET.nas}/24`);
}

function startRouter(): void {
  const r = NETNS.router;
  addNetns(r);
  veth({ ns: r, name: 'lan' }, { ns: '', name: 'tbr-rt-lan' });
  run('ip', ['link', 'set', 'tbr-rt-lan', 'master', NET.lanBridge]);
  up('', 'tbr-rt-lan');
  up(r, 'lan', `${NET.gateway}/24`);
  veth({ ns: r, name: 'wan' }, { ns: NETNS.inet, name: 'rt' });
  ns(NETNS.inet, 'ip', 'link', 'set', 'rt', 'master', 'br0');
  up(NETNS.inet, 'rt');
  up(r, 'wan', `${NET.routerWan}/24`);
  ns(r, 'sysctl', '-qw', 'net.ipv4.ip_forward=1');
  ns(r, 'iptables', '-t', 'nat', '-A', 'POSTROUTING', '-s', NET.lanSubnet, '-o', 'wan', '-j', 'MASQUERADE');
  ns(r, 'iptables', '-P', 'FORWARD', 'DROP');
  ns(r, 'iptables', '-A', 'FORWARD', '-i', 'lan', '-o', 'wan', '-j', 'ACCEPT');
  ns(
    r,
    'iptables',
    '-A',
    'FORWARD',
    '-i',
    'wan',
    '-o',
    'lan',
    '-m',
    'conntrack',
    '--ctstate',
    'ESTABLISHED,RELATED',
    '-j',
    'ACCEPT',
  );
}

function startLanClient(): void {
  const c = NETNS.lanClient;
  addNetns(c);
  veth({ ns: c, name: 'eth0' }, { ns: '', name: 'tbr-lc-lan' });
  run('ip', ['link', 'set', 'tbr-lc-lan', 'master', NET.lanBridge]);
  up('', 'tbr-lc-lan');
  up(c, 'eth0', `${NET.lanClient}/24`);
  ns(c, 'ip', 'route', 'add', 'default', 'via', NET.gateway);
}

function dockerUserRule(op: '-I' | '-D', rule: readonly string[]): string[] {
  return [op, 'DOCKER-USER', ...rule, '-m', 'comment', '--comment', IPT_COMMENT, '-j', 'ACCEPT'];
}

/** Creates every namespace, link, address, route and rule (call cleanup first). */
export function startTopology(): void {
  startInternet();
  startLanBridge();
  startRouter();
  startLanClient();
  run('ip', ['route', 'add', NET.inetSubnet, 'via', NET.gateway, 'dev', NET.lanBridge]);
  for (const rule of DOCKER_USER_RULES) run('iptables', dockerUserRule('-I', rule));
}

/** Removes the DOCKER-USER rules (every copy). */
export function removeDockerUserRules(): void {
  for (const rule of DOCKER_USER_RULES) while (ok('iptables', dockerUserRule('-D', rule)));
}

/** `ip netns exec <ns> …` without throwing. */
export function inNetns(nsName: string, cmd: string[], timeoutMs = 30_000) {
  return tryRun('ip', ['netns', 'exec', nsName, ...cmd], { timeoutMs });
}
