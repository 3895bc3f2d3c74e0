import path from 'node:path';
import { runningIdentity } from '../identity/node.js';
import { CONVENTIONAL_STATE_DIR, stateDirMount } from '../identity/state-dir.js';
import { parseGoBool } from '../lint/values.js';
import { cidrContains, formatIPv4, ipInRange, isIPv4Cidr, parseCidr, parseIPv4 } from '../model/net.js';
import type { ContainerInfo, NetworkInfo } from '../ports/docker.js';
import { composeServiceFacts } from './compose-service.js';
import type {
  ComposeLabels,
  ContainerSummary,
  Discovery,
  DockerNetworkSummary,
  HostInterface,
  InterfaceKind,
  IpAddrEntry,
  IpRouteEntry,
  MacvlanSuggestion,
  ParentCandidate,
  RawDockerFacts,
  RawFacts,
  RawHostFacts,
  TailscaleContainer,
  TailscaleMode,
  UsedAddress,
} from './types.js';

const VIRTUAL_KINDS: Record<string, InterfaceKind> = {
  bridge: 'bridge',
  bond: 'bond',
  vlan: 'vlan',
  macvlan: 'macvlan',
  macvtap: 'macvlan',
  ipvlan: 'ipvlan',
  veth: 'veth',
  tun: 'tun',
  wireguard: 'wireguard',
  dummy: 'dummy',
};

/** The kind of one interface from `ip -d` linkinfo and /sys. */
export function interfaceKind(entry: IpAddrEntry, raw: RawHostFacts): InterfaceKind {
  const sys = raw.sys[entry.ifname];
  if (entry.link_type === 'loopback') return 'loopback';
  if (sys?.wireless) return 'wifi';
  const kind = entry.linkinfo?.info_kind;
  if (kind) return VIRTUAL_KINDS[kind] ?? 'other';
  if (sys?.bridge) return 'bridge';
  if (sys?.bond) return 'bond';
  if (sys?.vlan) return 'vlan';
  if (entry.link_type === 'ether') return sys && !sys.physical ? 'other' : 'ethernet';
  if (entry.link_type === 'none') return 'tun';
  return 'other';
}

function isDockerManaged(name: string, kind: InterfaceKind, master: string | undefined): boolean {
  if (name === 'docker0' || /^br-[0-9a-f]{12}$/.test(name)) return true;
  return (
    kind === 'veth' && master !== undefined && (master === 'docker0' || /^br-[0-9a-f]{12}$/.test(master))
  );
}

export function hostInterfaces(raw: RawHostFacts): HostInterface[] {
  const kinds = new Map(raw.links.map((l) => [l.ifname, interfaceKind(l, raw)]));
  return raw.links.map((l) => {
    const kind = kinds.get(l.ifname)!;
    const master = l.master ?? raw.sys[l.ifname]?.master;
    const addrs = l.addr_info ?? [];
    return {
      name: l.ifname,
      kind,
      up: (l.flags ?? []).includes('UP'),
      ...(l.address ? { mac: l.address } : {}),
      ...(l.mtu ? { mtu: l.mtu } : {}),
      ipv4: addrs.filter((a) => a.family === 'inet').map((a) => `${a.local}/${a.prefixlen}`),
      ipv6: addrs.filter((a) => a.family === 'inet6').map((a) => `${a.local}/${a.prefixlen}`),
      ...(master ? { master, masterKind: kinds.get(master) ?? l.linkinfo?.info_slave_kind ?? 'other' } : {}),
      ...(l.link ? { lower: l.link } : {}),
      dockerManaged: isDockerManaged(l.ifname, kind, master),
    };
  });
}

/** The default IPv4 route with the lowest metric. */
export function defaultRoute(routes: IpRouteEntry[]): IpRouteEntry | undefined {
  return routes
    .filter((r) => r.dst === 'default' && r.gateway && parseIPv4(r.gateway) !== undefined)
    .sort((a, b) => (a.metric ?? 0) - (b.metric ?? 0))[0];
}

/** `192.168.20.22/24` → `192.168.20.0/24`. */
export function networkOf(cidr: string): string | undefined {
  const c = parseCidr(cidr);
  return c ? `${formatIPv4(c.base)}/${c.bits}` : undefined;
}

function lanOf(interfaces: HostInterface[], route: IpRouteEntry | undefined): Discovery['lan'] {
  if (!route?.dev || !route.gateway) return undefined;
  const dev = interfaces.find((i) => i.name === route.dev);
  const addr =
    dev?.ipv4.find((a) => {
      const net = networkOf(a);
      return net !== undefined && cidrContains(net, route.gateway!);
    }) ?? (route.prefsrc ? dev?.ipv4.find((a) => a.startsWith(`${route.prefsrc}/`)) : undefined);
  if (!dev || !addr) return undefined;
  return {
    interface: dev.name,
    subnet: networkOf(addr)!,
    gateway: route.gateway,
    hostAddress: addr.split('/')[0]!,
    source: 'default-route',
  };
}

const PARENT_KINDS = new Set<InterfaceKind>(['ethernet', 'bridge', 'bond', 'vlan', 'wifi', 'veth']);

export function parentCandidates(interfaces: HostInterface[], lanInterface?: string): ParentCandidate[] {
  const out: ParentCandidate[] = [];
  for (const i of interfaces) {
    if (!PARENT_KINDS.has(i.kind) || i.dockerManaged) continue;
    const carriesLan = i.name === lanInterface;
    const base = { name: i.name, kind: i.kind, carriesLan, ipv4: i.ipv4, recommended: false };
    const down = i.up ? '' : ' (currently down)';
    if (i.kind === 'wifi') {
      out.push({
        ...base,
        usable: false,
        reason:
          'Wi-Fi client: an access point accepts one MAC per station, so macvlan children get no traffic (ipvlan L2 or a bridge/userspace mode instead)',
      });
    } else if (i.master && i.masterKind === 'bond') {
      out.push({
        ...base,
        usable: false,
        useInstead: i.master,
        reason: `member of bond ${i.master}: use ${i.master} as the parent`,
      });
    } else if (i.master) {
      out.push({
        ...base,
        usable: false,
        useInstead: i.master,
        reason: `port of bridge ${i.master}: macvlan on it fails with EBUSY (Device or resource busy); use ${i.master}`,
      });
    } else {
      const why: Record<string, string> = {
        ethernet: 'Ethernet NIC',
        bridge: 'Linux bridge: works as a macvlan parent (needed when the NIC is a bridge port)',
        bond: 'bond: valid macvlan parent',
        vlan: 'VLAN interface: valid macvlan parent (on TrueNAS use its vlanN, not a Docker-made eno1.N)',
        veth: 'veth (one end of a virtual Ethernet pair, e.g. the LAN link of a VM or a network namespace): valid macvlan parent',
      };
      out.push({ ...base, usable: true, reason: `${why[i.kind] ?? i.kind}${down}` });
    }
  }
  // Recommend the LAN interface, or the master it belongs to.
  const lan = out.find((c) => c.carriesLan);
  const target = lan?.usable ? lan : lan?.useInstead ? out.find((c) => c.name === lan.useInstead) : undefined;
  if (target?.usable) target.recommended = true;
  return out;
}

export function composeLabels(labels: Record<string, string>): ComposeLabels | undefined {
  const project = labels['com.docker.compose.project'];
  if (!project) return undefined;
  const workingDir = labels['com.docker.compose.project.working_dir'];
  const files = (labels['com.docker.compose.project.config_files'] ?? '')
    .split(',')
    .map((f) => f.trim())
    .filter((f) => f !== '')
    .map((f) => (workingDir ? path.posix.resolve(workingDir, f) : f));
  const service = labels['com.docker.compose.service'];
  return {
    project,
    ...(service ? { service } : {}),
    ...(workingDir ? { workingDir } : {}),
    configFiles: files,
  };
}

function containerNetworks(
  c: ContainerInfo,
  byId: Map<string, NetworkInfo>,
  byName: Map<string, NetworkInfo>,
) {
  return Object.entries(c.networks).map(([name, n]) => {
    const net = byId.get(n.networkId) ?? byName.get(name);
    return { name, ...(net ? { driver: net.driver } : {}), ...(n.ipv4 ? { ipv4: n.ipv4 } : {}) };
  });
}

/** Why a container counts as a tailscale container: its image and/or TS_* environment; empty = it does not. */
export function tailscaleMatch(info: Pick<ContainerInfo, 'image' | 'envNames'>): string[] {
  const matchedBy: string[] = [];
  if (/tailscale/i.test(info.image)) matchedBy.push('image');
  const tsEnv = info.envNames.filter((n) => n.startsWith('TS_'));
  if (tsEnv.length > 0) matchedBy.push(`env ${tsEnv.slice(0, 3).join(', ')}${tsEnv.length > 3 ? ', …' : ''}`);
  return matchedBy;
}

const AUTH_NAMES = new Set(['TS_AUTHKEY', 'TS_AUTH_KEY', 'TS_CLIENT_SECRET']);

function tailscaleContainer(
  c: ContainerSummary,
  info: ContainerInfo,
  docker: RawDockerFacts | undefined,
): TailscaleContainer | undefined {
  const matchedBy = tailscaleMatch(info);
  if (matchedBy.length === 0) return undefined;
  const raw = info.tsSettings.TS_USERSPACE;
  const parsed = raw === undefined || raw === '' ? undefined : parseGoBool(raw);
  const userspace = parsed ?? true;
  const macvlan = c.networks.find((n) => n.driver === 'macvlan' || n.driver === 'ipvlan');
  let mode: TailscaleMode;
  if (info.networkMode === 'host') mode = 'host';
  else if (macvlan) mode = 'macvlan';
  else mode = userspace ? 'userspace' : 'kernel';
  const stateDir = stateDirMount(info.mounts, info.tsSettings.TS_STATE_DIR);
  const unused = stateDir ? undefined : info.mounts.find((m) => m.destination === CONVENTIONAL_STATE_DIR);
  const runtime = docker?.tailscaleRuntime?.[c.name];
  const identity = runningIdentity({
    container: c.name,
    tsSettings: info.tsSettings,
    ...(info.hostname ? { containerHostname: info.hostname } : {}),
    ...(stateDir ? { stateDir: stateDir.source } : {}),
    ...(runtime?.status ? { status: runtime.status } : {}),
    ...(runtime?.prefs ? { prefs: runtime.prefs } : {}),
  });
  const composeFile = c.compose?.configFiles[0];
  const text = composeFile ? docker?.composeTexts?.[composeFile] : undefined;
  const service = c.compose?.service;
  const facts = text && service ? composeServiceFacts(text, service, c.compose?.workingDir) : undefined;
  const envFiles = (facts?.envFiles ?? []).map((p) => {
    const names = docker?.envFileNames?.[p] ?? undefined;
    return { path: p, ...(names ? { names } : {}), holdsAuth: (names ?? []).some((n) => AUTH_NAMES.has(n)) };
  });
  return {
    name: c.name,
    image: c.image,
    state: c.state,
    mode,
    userspace,
    ...(raw !== undefined && raw !== '' && parsed === undefined ? { invalidUserspace: raw } : {}),
    networkMode: c.networkMode,
    matchedBy,
    ...(c.compose ? { compose: c.compose } : {}),
    ...(composeFile ? { composeFile } : {}),
    ...(stateDir ? { stateDir } : {}),
    ...(unused ? { unusedStateMount: unused.source } : {}),
    ...(identity.hostname ? { hostname: identity.hostname } : {}),
    ...(identity.routes.length ? { routes: identity.routes } : {}),
    identity,
    envFiles,
    ...(facts?.authSecretFile ? { authSecretFile: facts.authSecretFile } : {}),
    ...(facts?.inlineAuthKey ? { inlineAuthKey: true } : {}),
    ...(macvlan?.ipv4 ? { macvlanAddress: macvlan.ipv4, macvlanNetwork: macvlan.name } : {}),
    networks: c.networks,
  };
}

/** The tailscale container that matters: running before stopped, recognised by image before by env only. */
export function pickTailscale(list: readonly TailscaleContainer[]): TailscaleContainer | undefined {
  const rank = (t: TailscaleContainer) =>
    (t.state === 'running' ? 0 : 1) + (t.matchedBy.includes('image') ? 0 : 2);
  return [...list].sort((a, b) => rank(a) - rank(b))[0];
}

/**
 * The LAN as the running node defines it: the host interface holding an address inside one of its
 * advertised IPv4 routes (the default route may well be on another interface). Its gateway is the
 * router the routing table shows inside that subnet, when there is one.
 */
function lanOfRoutes(
  interfaces: HostInterface[],
  routesTable: IpRouteEntry[],
  routes: readonly string[],
): Discovery['lan'] {
  const v4 = routes.filter(isIPv4Cidr);
  for (const i of interfaces) {
    if (i.dockerManaged || i.kind === 'loopback' || i.kind === 'tun' || i.kind === 'wireguard') continue;
    const addr = i.ipv4.find((a) => v4.some((r) => cidrContains(r, a.split('/')[0]!)));
    if (!addr) continue;
    const subnet = networkOf(addr)!;
    const held = v4.filter((r) => cidrContains(r, addr.split('/')[0]!));
    const gateway = routesTable
      .filter((r) => r.gateway && parseIPv4(r.gateway) !== undefined && cidrContains(subnet, r.gateway))
      .sort(
        (a, b) =>
          Number(b.dst === 'default') - Number(a.dst === 'default') || (a.metric ?? 0) - (b.metric ?? 0),
      )[0]?.gateway;
    return {
      interface: i.name,
      subnet,
      ...(gateway ? { gateway } : {}),
      hostAddress: addr.split('/')[0]!,
      source: 'advertised-route',
      routes: held,
    };
  }
  return undefined;
}

function usedAddresses(
  raw: RawFacts,
  interfaces: HostInterface[],
  lan: Discovery['lan'],
  networks: DockerNetworkSummary[],
  containers: ContainerSummary[],
): UsedAddress[] {
  // The LAN plus every macvlan/ipvlan subnet: their containers are invisible to the host's ARP.
  const subnets = new Set<string>();
  if (lan) subnets.add(lan.subnet);
  for (const n of networks)
    if (n.driver === 'macvlan' || n.driver === 'ipvlan')
      for (const s of n.subnets) if (parseCidr(s) && s.includes('.')) subnets.add(networkOf(s)!);
  const out: UsedAddress[] = [];
  const seen = new Set<string>();
  const add = (address: string | undefined, by: string, holder?: UsedAddress['holder']) => {
    if (!address || parseIPv4(address) === undefined) return;
    for (const subnet of subnets) {
      if (!cidrContains(subnet, address) || seen.has(`${subnet} ${address}`)) continue;
      seen.add(`${subnet} ${address}`);
      out.push({ address, subnet, by, ...(holder ? { holder } : {}) });
    }
  };
  if (lan?.gateway) add(lan.gateway, 'gateway');
  for (const i of interfaces)
    for (const a of i.ipv4)
      add(a.split('/')[0], `host (${i.name})`, {
        kind: 'host-interface',
        name: i.name,
        interfaceKind: i.kind,
      });
  for (const n of networks) {
    if (n.driver !== 'macvlan' && n.driver !== 'ipvlan') continue;
    for (const g of n.gateways) add(g, `gateway of Docker network ${n.name}`);
  }
  for (const c of containers)
    for (const n of c.networks)
      add(n.ipv4, `container ${c.name} (${n.name}${n.driver ? `, ${n.driver}` : ''})`, {
        kind: 'container',
        name: c.name,
      });
  for (const n of networks)
    for (const c of n.containers)
      add(c.ipv4, `container ${c.name} (${n.name})`, { kind: 'container', name: c.name });
  for (const n of raw.host.neighbours) {
    const state = n.state ?? [];
    if (state.includes('FAILED') || state.includes('INCOMPLETE') || !n.lladdr) continue;
    const dev = interfaces.find((i) => i.name === n.dev);
    add(n.dst, `neighbour ${n.lladdr}${n.dev ? ` on ${n.dev}` : ''}`, {
      kind: 'neighbour',
      name: n.dev ?? '',
      ...(dev ? { interfaceKind: dev.kind } : {}),
    });
  }
  for (const a of raw.known?.usedAddresses ?? []) add(a, 'tailbridge.yaml usedAddresses');
  return out.sort((a, b) => (parseIPv4(a.address)! > parseIPv4(b.address)! ? 1 : -1));
}

/**
 * A free aligned /30 (four addresses) as high in the LAN as possible for macvlan, plus a shim
 * address just below it. Skips the network and broadcast addresses, used addresses and a known
 * DHCP pool.
 */
export function suggestMacvlan(
  subnet: string,
  used: string[],
  dhcpRange?: { start: string; end: string },
): MacvlanSuggestion | undefined {
  const c = parseCidr(subnet);
  if (!c || c.bits > 28) return undefined;
  const usedSet = new Set(used.map((u) => parseIPv4(u)).filter((n): n is number => n !== undefined));
  const free = (n: number) =>
    n > c.first &&
    n < c.last &&
    !usedSet.has(n) &&
    !(dhcpRange && ipInRange(formatIPv4(n), dhcpRange.start, dhcpRange.end));
  // Aligned /30 blocks from the top down (the topmost holds the broadcast address and fails).
  for (let block = (c.last - 3) >>> 0; block > c.first + 4; block -= 4) {
    if (![0, 1, 2, 3].every((k) => free(block + k))) continue;
    let shim = block - 1;
    while (shim > c.first && !free(shim)) shim--;
    if (shim <= c.first) return undefined;
    return {
      subnet,
      address: formatIPv4(block),
      ipRange: `${formatIPv4(block)}/30`,
      shimAddress: formatIPv4(shim),
      dhcpKnown: dhcpRange !== undefined,
      note: dhcpRange
        ? `outside the DHCP pool ${dhcpRange.start}-${dhcpRange.end} and unused as far as the host can see`
        : 'unused as far as the host can see; the DHCP pool is unknown — check the router and reserve these addresses',
    };
  }
  return undefined;
}

/** Turns the raw observations into the discovery report (pure). */
export function computeDiscovery(raw: RawFacts): Discovery {
  const interfaces = hostInterfaces(raw.host);
  const route = defaultRoute(raw.host.routes);
  const ifnames = new Set(interfaces.map((i) => i.name));

  const netList = raw.docker?.networks ?? [];
  const byId = new Map(netList.map((n) => [n.id, n]));
  const byName = new Map(netList.map((n) => [n.name, n]));
  const networks: DockerNetworkSummary[] = netList.map((n) => ({
    name: n.name,
    id: n.id,
    driver: n.driver,
    subnets: n.subnets,
    gateways: n.gateways,
    ipRanges: n.ipRanges,
    ...(n.parent
      ? { parent: n.parent, parentExists: ifnames.has(n.parent) || ifnames.has(n.parent.split('.')[0]!) }
      : {}),
    ...(n.labels['com.docker.compose.project']
      ? { composeProject: n.labels['com.docker.compose.project'] }
      : {}),
    containers: n.containers,
  }));

  const infos = raw.docker?.containers ?? [];
  const containers: ContainerSummary[] = infos.map((c) => {
    const compose = composeLabels(c.labels);
    return {
      name: c.name,
      image: c.image,
      state: c.state,
      networkMode: c.networkMode,
      ...(compose ? { compose } : {}),
      publishedPorts: c.publishedPorts,
      networks: containerNetworks(c, byId, byName),
    };
  });
  const tailscale = containers
    .map((c, i) => tailscaleContainer(c, infos[i]!, raw.docker))
    .filter((t): t is TailscaleContainer => t !== undefined);
  // The running node's routes say where the LAN is; the default route is only the fallback.
  const lan =
    lanOfRoutes(interfaces, raw.host.routes, pickTailscale(tailscale)?.identity.routes ?? []) ??
    lanOf(interfaces, route);
  const parents = parentCandidates(interfaces, lan?.interface ?? route?.dev);

  const used = usedAddresses(raw, interfaces, lan, networks, containers);
  const dhcpRange = raw.known?.dhcpRange;
  const suggestion = lan
    ? suggestMacvlan(
        lan.subnet,
        used.filter((u) => u.subnet === lan.subnet).map((u) => u.address),
        dhcpRange,
      )
    : undefined;

  const h = raw.host;
  return {
    host: {
      name: h.hostname,
      platform: h.platform,
      ...(h.truenasVersion ? { truenasVersion: h.truenasVersion } : {}),
      ...(lan ? { address: lan.hostAddress } : {}),
      ...(h.tunDevice !== undefined ? { tunDevice: h.tunDevice } : {}),
      ...(h.ipForward !== undefined ? { ipForward: h.ipForward } : {}),
      ...(h.ipv6Forward !== undefined ? { ipv6Forward: h.ipv6Forward } : {}),
      ...(h.virtualized !== undefined ? { virtualized: h.virtualized } : {}),
    },
    interfaces,
    ...(lan ? { lan } : {}),
    ...(route?.gateway ? { gateway: route.gateway } : {}),
    ...(route?.dev ? { defaultInterface: route.dev } : {}),
    parents,
    docker: {
      reachable: raw.docker !== undefined,
      ...(raw.dockerError ? { error: raw.dockerError } : {}),
      ...(raw.docker?.engineVersion ? { engineVersion: raw.docker.engineVersion } : {}),
      ...(raw.docker?.composeFlavor ? { composeFlavor: raw.docker.composeFlavor } : {}),
      networks,
      containers,
    },
    tailscale,
    usedAddresses: used,
    ...(dhcpRange ? { dhcpRange } : {}),
    ...(suggestion ? { suggestion } : {}),
  };
}
