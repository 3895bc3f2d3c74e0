import { cidrContains, isIPv4Cidr } from '../model/net.js';
import { schemaModeline } from '../model/schema-comment.js';
import type { ContainerSummary, Discovery, TailscaleContainer } from './types.js';

const DEFAULT_IMAGE = 'tailscale/tailscale:v1.102.3';
const PINNED = /^[^\s]+(:[A-Za-z0-9_][A-Za-z0-9_.-]*|@sha256:[0-9a-f]{64})$/;
const DOCKER_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

/** A YAML scalar: plain when unambiguous, JSON-quoted otherwise. */
function q(s: string): string {
  return /^[A-Za-z/_][A-Za-z0-9_./@+-]*(:[A-Za-z0-9_./@+-]+)*$/.test(s) &&
    !/^(true|false|yes|no|on|off|null|~)$/i.test(s)
    ? s
    : JSON.stringify(s);
}

function dnsLabel(s: string): string {
  const label = s
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63)
    .replace(/-+$/, '');
  return label || 'homelab';
}

function dockerName(s: string): string {
  const n = s.replace(/[^a-zA-Z0-9_.-]+/g, '-').replace(/^[^a-zA-Z0-9]+/, '');
  return DOCKER_NAME.test(n) ? n : 'service';
}

function pickTailscale(d: Discovery): TailscaleContainer | undefined {
  const rank = (t: TailscaleContainer) =>
    (t.state === 'running' ? 0 : 1) + (t.matchedBy.includes('image') ? 0 : 2);
  return [...d.tailscale].sort((a, b) => rank(a) - rank(b))[0];
}

interface DraftService {
  line: string;
}

function draftServices(d: Discovery): DraftService[] {
  const names = new Set<string>();
  const out: DraftService[] = [];
  const isTs = (c: ContainerSummary) => d.tailscale.some((t) => t.name === c.name);
  for (const c of d.docker.containers) {
    if (isTs(c) || c.publishedPorts.length === 0) continue;
    const network = c.networks.find((n) => n.name !== 'host' && n.name !== 'none')?.name;
    const service = c.compose?.service;
    const ports = [
      ...new Set(
        c.publishedPorts
          .filter((p) => p.container.endsWith('/tcp'))
          .map((p) => Number.parseInt(p.container, 10)),
      ),
    ].filter((p) => p >= 1 && p <= 65535);
    if (c.networkMode === 'host' || !network) {
      out.push({ line: `  # ${c.name}: host network or no Docker network — not listed (add it by hand)` });
      continue;
    }
    for (const port of ports) {
      let name = dockerName(service ?? c.name);
      if (ports.length > 1 || names.has(name)) name = `${name}-${port}`;
      if (names.has(name)) continue;
      names.add(name);
      const fields = [
        `name: ${q(name)}`,
        ...(service && dockerName(service) === service && service !== name ? [`service: ${q(service)}`] : []),
        ...(c.name !== (service ?? name) && DOCKER_NAME.test(c.name) ? [`container: ${q(c.name)}`] : []),
        `port: ${port}`,
        'protocol: http',
        `network: ${q(network)}`,
        'publishedOnHost: true',
      ];
      out.push({ line: `  - { ${fields.join(', ')} }   # TODO protocol: http, https or tcp` });
    }
  }
  return out;
}

/**
 * A commented tailbridge.yaml drafted from a discovery. It always parses as a valid Config; what
 * the host cannot know is a placeholder marked `TODO`.
 */
export function draftConfig(d: Discovery): string {
  const ts = pickTailscale(d);
  const lan = d.lan;
  const L: string[] = [];
  const todo = (s: string) => `   # TODO ${s}`;
  L.push(schemaModeline('tailbridge.schema.json'));
  L.push(`# tailbridge.yaml — drafted by 'tailbridge init --discover' on ${d.host.name}.`);
  L.push("# Review every TODO, then run 'tailbridge plan'.");
  L.push('version: 1');
  L.push('lan:');
  const subnet = lan?.subnet ?? '192.168.1.0/24';
  const gateway = lan?.gateway ?? '192.168.1.1';
  const hostAddress = lan?.hostAddress ?? '192.168.1.2';
  if (lan) {
    L.push(`  subnet: ${subnet}        # from ${lan.interface}`);
    L.push(`  gateway: ${gateway}      # the default route`);
  } else {
    L.push(`  subnet: ${subnet}${todo('no default route found: the LAN subnet')}`);
    L.push(`  gateway: ${gateway}${todo('the LAN router')}`);
  }
  const parent = d.parents.find((p) => p.recommended);
  if (parent) {
    const lanIf = d.parents.find((p) => p.carriesLan);
    const why = lanIf && lanIf.name !== parent.name ? ` (${lanIf.name} is a port of it)` : '';
    L.push(`  parentInterface: ${q(parent.name)}   # carries the LAN${why}`);
    L.push(`  parentKind: ${parent.kind}`);
  } else {
    const lanIf = d.parents.find((p) => p.carriesLan);
    L.push(
      `  parentInterface: ${q(lanIf?.name ?? d.defaultInterface ?? 'eth0')}${todo(lanIf ? `not usable for macvlan: ${lanIf.reason}` : 'the host interface that carries the LAN')}`,
    );
    L.push(
      `  parentKind: ${lanIf && lanIf.kind !== 'ethernet' ? lanIf.kind : lanIf ? 'ethernet' : 'unknown'}`,
    );
  }
  if (d.dhcpRange) L.push(`  dhcpRange: { start: ${d.dhcpRange.start}, end: ${d.dhcpRange.end} }`);
  else L.push(`  # dhcpRange: { start: x.x.x.100, end: x.x.x.199 }${todo("copy the router's DHCP pool")}`);

  const tsMacvlan =
    ts?.macvlanAddress && lan && cidrContains(lan.subnet, ts.macvlanAddress) ? ts.macvlanAddress : undefined;
  const tsNet = tsMacvlan ? d.docker.networks.find((n) => n.name === ts?.macvlanNetwork) : undefined;
  const used = [
    ...new Set(
      d.usedAddresses
        .filter((u) => u.subnet === subnet && u.address !== hostAddress && u.address !== gateway)
        .map((u) => u.address),
    ),
  ];
  const s = d.suggestion;
  if (tsMacvlan && s) {
    const range =
      tsNet?.ipRanges.find((r) => isIPv4Cidr(r) && cidrContains(r, tsMacvlan)) ?? `${tsMacvlan}/32`;
    L.push('  macvlan:');
    L.push(`    address: ${tsMacvlan}     # the current tailscale container's macvlan address`);
    L.push(`    ipRange: ${range}`);
    L.push(`    shimAddress: ${s.shimAddress}${todo('check it is free and outside the DHCP pool')}`);
    L.push(`    usedAddresses: [${used.filter((u) => u !== tsMacvlan).join(', ')}]`);
  } else if (s) {
    L.push('  macvlan:');
    L.push(
      `    address: ${s.address}${s.dhcpKnown ? '   # reserve it in the router' : todo('reserve it in the router; check it is outside the DHCP pool')}`,
    );
    L.push(`    ipRange: ${s.ipRange}`);
    L.push(`    shimAddress: ${s.shimAddress}`);
    L.push(`    usedAddresses: [${used.join(', ')}]   # seen by discover (host, containers, neighbours)`);
  } else {
    L.push(
      '  # macvlan: { address: …, ipRange: …/30, shimAddress: … }' +
        todo('no free block found; add one for the macvlan mode'),
    );
  }

  L.push('host:');
  L.push(`  name: ${q(d.host.name || 'homelab')}`);
  L.push(`  address: ${hostAddress}${lan ? '' : todo("the host's LAN address")}`);
  L.push(`  platform: ${d.host.platform}`);
  if (d.host.truenasVersion) L.push(`  truenasVersion: ${JSON.stringify(d.host.truenasVersion)}`);

  L.push('tailscale:');
  if (ts)
    L.push(
      `  # from the running container ${ts.name} (${ts.mode} mode${ts.composeFile ? `, ${ts.composeFile}` : ''})`,
    );
  else L.push(`  # no tailscale container found${todo('fill in the container you run')}`);
  const service = ts?.compose?.service;
  L.push(`  service: ${q(service && DOCKER_NAME.test(service) ? service : 'tailscale')}`);
  L.push(`  containerName: ${q(ts && DOCKER_NAME.test(ts.name) ? ts.name : 'tailscale')}`);
  const hostname =
    ts?.hostname && /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(ts.hostname) ? ts.hostname : dnsLabel(d.host.name);
  L.push(`  hostname: ${q(hostname)}`);
  if (ts && PINNED.test(ts.image) && !/:(latest|stable|unstable)$/.test(ts.image))
    L.push(`  image: ${q(ts.image)}`);
  else
    L.push(
      `  image: ${DEFAULT_IMAGE}${ts ? todo(`the current image ${ts.image} is not pinned to a version`) : ''}`,
    );
  if (ts?.stateDir?.source.startsWith('/'))
    L.push(`  stateDir: ${q(ts.stateDir.source)}   # mounted at ${ts.stateDir.destination}`);
  else
    L.push(
      `  stateDir: /TODO/tailscale/state${todo(ts ? `${ts.name} has no state mount: pick a host directory` : 'host directory for tailscaled state')}`,
    );
  L.push('  auth:');
  L.push('    method: env_file');
  L.push(`    path: /TODO/tailscale/.env${todo('env file holding TS_AUTHKEY=…; never put the key here')}`);
  const routes = (ts?.routes ?? []).filter(isIPv4Cidr);
  if (routes.length > 0) L.push(`  advertiseRoutes: [${routes.join(', ')}]   # TS_ROUTES of ${ts!.name}`);
  else L.push(`  advertiseRoutes: [${subnet}]`);
  L.push('  acceptRoutes: false');
  L.push('  exitNode: false');
  L.push('  tags: []');

  const services = draftServices(d);
  const entries = services.filter((x) => x.line.startsWith('  - '));
  L.push(entries.length === 0 ? 'services: []' : 'services:');
  if (entries.length === 0)
    L.push(`  # no containers with published ports found${todo('list the services to reach')}`);
  for (const x of services) L.push(x.line);

  L.push('requirements:');
  L.push('  subnetRouting: true');
  L.push('  dockerServiceDiscovery: true');
  L.push('  hostAccess: true');
  L.push('  priority: balanced');
  L.push('paths:');
  if (ts?.composeFile) L.push(`  compose: ${q(ts.composeFile)}   # where ${ts.name} came from`);
  else L.push(`  compose: compose.yaml${todo('the compose file of the tailscale stack')}`);
  return `${L.join('\n')}\n`;
}
