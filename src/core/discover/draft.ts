import { dnsLabel } from '../identity/names.js';
import { cidrContains, isIPv4Cidr } from '../model/net.js';
import { schemaModeline } from '../model/schema-comment.js';
import { pickTailscale } from './discover.js';
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

function dockerName(s: string): string {
  const n = s.replace(/[^a-zA-Z0-9_.-]+/g, '-').replace(/^[^a-zA-Z0-9]+/, '');
  return DOCKER_NAME.test(n) ? n : 'service';
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
      out.push({ line: `  - { ${fields.join(', ')} }   # check: protocol http, https or tcp` });
    }
  }
  return out;
}

/** Comment helpers: a TODO blocks plan/apply until filled; a check is advice. */
const todo = (s: string) => `   # TODO ${s}`;
const check = (s: string) => `   # check: ${s}`;

/**
 * A commented tailbridge.yaml drafted from a discovery. When a tailscale container runs, the draft
 * takes its identity and intent — hostname, routes, exit node, tags, accept-routes, state directory,
 * the env file holding the key — so applying it keeps the node as it is; the LAN is the interface
 * holding its routes. It always parses as a valid Config. What the host cannot know is a value
 * marked `# TODO …`, which plan and apply refuse until it is filled; `# check: …` is advice.
 */
export function draftConfig(d: Discovery): string {
  const ts = pickTailscale(d.tailscale);
  const L: string[] = [];
  L.push(schemaModeline('tailbridge.schema.json'));
  L.push(`# tailbridge.yaml — drafted by 'tailbridge init --discover' on ${d.host.name}.`);
  L.push(
    "# Fill in every value marked TODO (plan and apply refuse them until then); read the 'check:' notes.",
  );
  L.push('version: 1');
  const lan = lanLines(d);
  L.push(...lan.lines);
  L.push(...macvlanLines(d, ts, lan));
  L.push(...hostLines(d, lan));
  L.push(...tailscaleLines(d, ts, lan.subnet));
  L.push(...serviceLines(d));
  L.push('requirements:');
  L.push(`  subnetRouting: ${ts ? ts.identity.routes.length > 0 : true}`);
  L.push('  dockerServiceDiscovery: true');
  L.push('  hostAccess: true');
  if (ts?.identity.exitNode) L.push('  exitNode: true   # the running node offers an exit node');
  L.push('  priority: balanced');
  L.push('paths:');
  if (ts?.composeFile) L.push(`  compose: ${q(ts.composeFile)}   # where ${ts.name} came from`);
  else L.push(`  compose: compose.yaml${todo('the compose file of the tailscale stack')}`);
  return `${L.join('\n')}\n`;
}

interface LanDraft {
  lines: string[];
  subnet: string;
  gateway: string;
  hostAddress: string;
}

function lanLines(d: Discovery): LanDraft {
  const lan = d.lan;
  const L = ['lan:'];
  const subnet = lan?.subnet ?? '192.168.1.0/24';
  const hostAddress = lan?.hostAddress ?? '192.168.1.2';
  const gateway = lan?.gateway ?? guessGateway(subnet);
  if (!lan) {
    L.push(`  subnet: ${subnet}${todo('no default route and no advertised route found: the LAN subnet')}`);
    L.push(`  gateway: ${gateway}${todo('the LAN router')}`);
  } else {
    const why =
      lan.source === 'advertised-route'
        ? `${lan.interface} holds the advertised route ${lan.routes?.join(', ')}`
        : `${lan.interface}, the default route's interface`;
    L.push(`  subnet: ${subnet}   # ${why}`);
    if (lan.gateway)
      L.push(
        `  gateway: ${gateway}   # ${lan.gateway === d.gateway ? 'the default route' : `a route via it on ${lan.interface}`}`,
      );
    else
      L.push(
        `  gateway: ${gateway}${todo(`the LAN router: no route on this host goes through ${subnet} (the default route is on ${d.defaultInterface ?? 'another interface'})`)}`,
      );
  }
  const parent = d.parents.find((p) => p.recommended);
  const lanIf = d.parents.find((p) => p.carriesLan);
  if (parent) {
    const port = lanIf && lanIf.name !== parent.name ? ` (${lanIf.name} is a port of it)` : '';
    L.push(`  parentInterface: ${q(parent.name)}   # carries the LAN${port}; ${parent.reason}`);
    L.push(`  parentKind: ${parent.kind}`);
  } else if (lanIf) {
    L.push(`  parentInterface: ${q(lanIf.name)}${check(`not usable for macvlan: ${lanIf.reason}`)}`);
    L.push(`  parentKind: ${PARENT_KINDS.has(lanIf.kind) ? lanIf.kind : 'unknown'}`);
  } else {
    L.push(
      `  parentInterface: ${q(lan?.interface ?? d.defaultInterface ?? 'eth0')}${todo('the host interface that carries the LAN')}`,
    );
    L.push('  parentKind: unknown');
  }
  if (d.dhcpRange) L.push(`  dhcpRange: { start: ${d.dhcpRange.start}, end: ${d.dhcpRange.end} }`);
  else L.push(`  # dhcpRange: { start: x.x.x.100, end: x.x.x.199 }${todo("copy the router's DHCP pool")}`);
  return { lines: L, subnet, gateway, hostAddress };
}

const PARENT_KINDS = new Set<string>(['ethernet', 'bridge', 'bond', 'vlan', 'veth', 'wifi']);

/** `.1` of the subnet, as a placeholder next to a TODO. */
function guessGateway(subnet: string): string {
  const [base] = subnet.split('/');
  const parts = (base ?? '192.168.1.0').split('.');
  parts[3] = '1';
  return parts.join('.');
}

function macvlanLines(d: Discovery, ts: TailscaleContainer | undefined, lan: LanDraft): string[] {
  const L: string[] = [];
  const tsMacvlan =
    ts?.macvlanAddress && d.lan && cidrContains(d.lan.subnet, ts.macvlanAddress)
      ? ts.macvlanAddress
      : undefined;
  const tsNet = tsMacvlan ? d.docker.networks.find((n) => n.name === ts?.macvlanNetwork) : undefined;
  const used = [
    ...new Set(
      d.usedAddresses
        .filter((u) => u.subnet === lan.subnet && u.address !== lan.hostAddress && u.address !== lan.gateway)
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
    L.push(
      `    shimAddress: ${s.shimAddress}${check('free as far as this host can see; keep it outside the DHCP pool')}`,
    );
    L.push(`    usedAddresses: [${used.filter((u) => u !== tsMacvlan).join(', ')}]`);
  } else if (s) {
    L.push('  macvlan:');
    L.push(
      `    address: ${s.address}${s.dhcpKnown ? '   # reserve it in the router' : check('reserve it in the router; it must be outside the DHCP pool')}`,
    );
    L.push(`    ipRange: ${s.ipRange}`);
    L.push(`    shimAddress: ${s.shimAddress}`);
    L.push(`    usedAddresses: [${used.join(', ')}]   # seen by discover (host, containers, neighbours)`);
  } else {
    L.push(
      `  # macvlan: { address: …, ipRange: …/30, shimAddress: … }${todo('no free block found; add one for the macvlan mode')}`,
    );
  }
  return L;
}

function hostLines(d: Discovery, lan: LanDraft): string[] {
  const L = ['host:'];
  L.push(`  name: ${q(d.host.name || 'homelab')}`);
  L.push(`  address: ${lan.hostAddress}${d.lan ? '' : todo("the host's LAN address")}`);
  L.push(`  platform: ${d.host.platform}`);
  if (d.host.truenasVersion) L.push(`  truenasVersion: ${JSON.stringify(d.host.truenasVersion)}`);
  return L;
}

function tailscaleLines(d: Discovery, ts: TailscaleContainer | undefined, subnet: string): string[] {
  const L = ['tailscale:'];
  if (!ts) {
    L.push(`  # no tailscale container found: a new node (check every value below)`);
    L.push('  service: tailscale');
    L.push('  containerName: tailscale');
    L.push(`  hostname: ${q(dnsLabel(d.host.name))}   # the tailnet machine name of the new node`);
    L.push(`  image: ${DEFAULT_IMAGE}`);
    L.push(`  stateDir: /TODO/tailscale/state${todo('host directory for tailscaled state')}`);
    L.push('  auth:');
    L.push('    method: env_file');
    L.push(`    path: /TODO/tailscale/.env${todo('env file holding TS_AUTHKEY=…; never put the key here')}`);
    L.push(`  advertiseRoutes: [${subnet}]`);
    L.push('  acceptRoutes: false');
    L.push('  exitNode: false');
    L.push('  tags: []');
    return L;
  }
  const id = ts.identity;
  L.push(
    `  # from the running container ${ts.name} (${ts.mode} mode${ts.composeFile ? `, ${ts.composeFile}` : ''}): applying this keeps the node as it is`,
  );
  const service = ts.compose?.service;
  L.push(`  service: ${q(service && DOCKER_NAME.test(service) ? service : 'tailscale')}`);
  L.push(`  containerName: ${q(DOCKER_NAME.test(ts.name) ? ts.name : 'tailscale')}`);
  L.push(...hostnameLines(id));
  if (PINNED.test(ts.image) && !/:(latest|stable|unstable)$/.test(ts.image))
    L.push(`  image: ${q(ts.image)}`);
  else
    L.push(
      `  image: ${DEFAULT_IMAGE}${check(`the running image ${ts.image} is not pinned to a version; this pins one`)}`,
    );
  if (id.stateDir)
    L.push(`  stateDir: ${q(id.stateDir)}   # the state ${ts.name} runs with (keeps the node)`);
  else if (ts.unusedStateMount)
    L.push(
      `  stateDir: ${q(ts.unusedStateMount)}${todo(`${ts.name} mounts this at /var/lib/tailscale but TS_STATE_DIR is unset, so its node is ephemeral today: confirm the directory`)}`,
    );
  else
    L.push(
      `  stateDir: /TODO/tailscale/state${todo(`${ts.name} keeps no state (a new node at every restart): pick a host directory`)}`,
    );
  L.push(...authLines(ts));
  const routes = id.routes;
  L.push(
    routes.length > 0
      ? `  advertiseRoutes: [${routes.join(', ')}]   # ${id.from.routes ?? 'advertised'} of ${ts.name}`
      : `  advertiseRoutes: []   # ${ts.name} advertises no route`,
  );
  L.push(`  acceptRoutes: ${id.acceptRoutes}${id.from.acceptRoutes ? `   # ${id.from.acceptRoutes}` : ''}`);
  L.push(`  exitNode: ${id.exitNode}${id.from.exitNode && id.exitNode ? `   # ${id.from.exitNode}` : ''}`);
  const tags = id.tags.filter((t) => /^tag:[a-z0-9-]+$/.test(t));
  L.push(`  tags: [${tags.join(', ')}]${id.from.tags ? `   # ${id.from.tags}` : ''}`);
  if (id.controlServer) L.push(`  controlServer: ${q(id.controlServer.url)}   # ${id.controlServer.from}`);
  return L;
}

function hostnameLines(id: TailscaleContainer['identity']): string[] {
  const name = id.hostname;
  if (!name)
    return [`  hostname: homelab${todo('the tailnet machine name of the running node could not be read')}`];
  const label = dnsLabel(name);
  if (label === name) return [`  hostname: ${q(name)}   # ${id.from.hostname ?? 'the running node'}`];
  return [
    `  hostname: ${q(label)}   # the machine name tailscale derives from "${name}" (${id.from.hostname})`,
  ];
}

function authLines(ts: TailscaleContainer): string[] {
  const L = ['  auth:'];
  const holder = ts.envFiles.find((f) => f.holdsAuth);
  const unread = ts.envFiles.find((f) => f.names === undefined);
  if (holder) {
    L.push('    method: env_file');
    L.push(
      `    path: ${q(holder.path)}   # the env_file of ${ts.name} that defines TS_AUTHKEY (only names were read)`,
    );
  } else if (ts.authSecretFile) {
    L.push('    method: secret_file');
    L.push(`    path: ${q(ts.authSecretFile)}   # the compose secret ${ts.name} reads TS_AUTHKEY from`);
  } else if (unread) {
    L.push('    method: env_file');
    L.push(
      `    path: ${q(unread.path)}${check(`an env_file of ${ts.name} this host could not read; it must hold TS_AUTHKEY=…`)}`,
    );
  } else {
    L.push('    method: env_file');
    L.push(
      `    path: /TODO/tailscale/.env${todo(
        ts.inlineAuthKey
          ? `${ts.name}'s compose file writes the auth key inline (not copied): move it to an env file and put that file's path here`
          : 'env file holding TS_AUTHKEY=…; never put the key here',
      )}`,
    );
  }
  return L;
}

function serviceLines(d: Discovery): string[] {
  const services = draftServices(d);
  const entries = services.filter((x) => x.line.startsWith('  - '));
  const L = [entries.length === 0 ? 'services: []' : 'services:'];
  if (entries.length === 0)
    L.push('  # no containers with published ports found: list the services to reach');
  for (const x of services) L.push(x.line);
  return L;
}
