import { existsSync } from 'node:fs';
import path from 'node:path';
import { type ConfigChoice, DEFAULT_CONFIG_FILE, loadConfig } from '../adapters/config-file.js';
import { colors, type Io } from '../cli/io.js';
import { type Discovery, type KnownLanFacts, toEnvironmentFacts } from '../core/discover/index.js';
import type { HomelabConfig } from '../core/model/config.js';
import { type EnvironmentFacts, resolveEnvironment } from '../core/plan/environment.js';
import { ExitCode } from '../errors.js';
import { type DiscoverDeps, runDiscovery } from '../workflows/discover/run-discovery.js';

export type { DiscoverDeps };

export interface DiscoverOptions extends ConfigChoice {
  json?: boolean;
}

async function maybeConfig(options: ConfigChoice, io: Io): Promise<HomelabConfig | undefined> {
  if (!options.config && !options.example && !existsSync(path.resolve(io.cwd, DEFAULT_CONFIG_FILE)))
    return undefined;
  return (await loadConfig(options, io.cwd, { allowTodo: true })).config;
}

/**
 * `tailbridge discover`: what this host and its Docker engine look like, for planning. Exit 0; 2 when
 * the Docker engine could not be reached (the host part is still printed).
 */
export async function discover(options: DiscoverOptions, io: Io, deps: DiscoverDeps = {}): Promise<number> {
  const config = await maybeConfig(options, io);
  const known: KnownLanFacts = config
    ? {
        ...(config.lan.dhcpRange ? { dhcpRange: config.lan.dhcpRange } : {}),
        usedAddresses: config.lan.macvlan?.usedAddresses ?? [],
      }
    : {};
  const d = await runDiscovery(known, deps);
  const observed = toEnvironmentFacts(d, config);
  const environment = config ? resolveEnvironment(config, observed) : observed;
  if (options.json) io.stdout(JSON.stringify({ ...d, environment }, null, 2));
  else io.stdout(renderDiscovery(d, environment, io));
  if (!d.docker.reachable) {
    if (options.json) io.stderr(d.docker.error ?? 'Docker engine not reachable');
    return ExitCode.usage;
  }
  return ExitCode.ok;
}

/** The human report. */
export function renderDiscovery(d: Discovery, env: EnvironmentFacts, io: Pick<Io, 'color'>): string {
  const c = colors(io);
  const L: string[] = [];
  const h = (s: string) => L.push('', c.bold(s));
  const yn = (b: boolean | undefined) => (b === undefined ? 'unknown' : b ? 'yes' : 'no');

  L.push(c.bold(`Host & LAN — ${d.host.name}`));
  L.push(
    `  platform      ${d.host.platform}${d.host.truenasVersion ? ` ${d.host.truenasVersion}` : ''}${d.host.virtualized ? ' (virtual machine)' : ''}`,
  );
  if (d.lan) {
    const why =
      d.lan.source === 'advertised-route'
        ? `it holds the advertised route ${d.lan.routes?.join(', ')}`
        : 'the default route';
    L.push(`  LAN           ${d.lan.subnet} on ${d.lan.interface} (${why}), host ${d.lan.hostAddress}`);
    L.push(
      `  gateway       ${d.lan.gateway ?? c.yellow(`unknown: no route goes through ${d.lan.subnet}`)}${d.gateway && d.gateway !== d.lan.gateway ? ` (default route: ${d.gateway} via ${d.defaultInterface})` : ''}`,
    );
  } else if (d.gateway)
    L.push(`  gateway       ${d.gateway} via ${d.defaultInterface} (no address of that subnet)`);
  else L.push(`  LAN           ${c.yellow('no default IPv4 route: LAN unknown')}`);
  L.push(
    `  /dev/net/tun  ${yn(d.host.tunDevice)}   ip_forward ${yn(d.host.ipForward)}   ipv6 forwarding ${yn(d.host.ipv6Forward)}`,
  );
  L.push('  interfaces:');
  for (const i of d.interfaces) {
    if (i.kind === 'loopback') continue;
    const extra = [
      i.master ? `port of ${i.master}` : '',
      i.lower ? `on ${i.lower}` : '',
      i.dockerManaged ? 'docker' : '',
      i.up ? '' : 'down',
    ].filter(Boolean);
    L.push(
      `    ${i.name.padEnd(16)}${i.kind.padEnd(10)}${(i.ipv4.join(' ') || '-').padEnd(22)}${extra.join(', ')}`.trimEnd(),
    );
  }

  h('Macvlan parents');
  if (d.parents.length === 0) L.push('  none found (no Ethernet, bridge, bond, VLAN or Wi-Fi interface)');
  for (const p of d.parents) {
    const mark = p.recommended ? c.green('recommended') : p.usable ? 'usable' : c.red('not usable');
    L.push(`  ${p.name.padEnd(16)}${p.kind.padEnd(10)}${mark}${p.carriesLan ? ' (carries the LAN)' : ''}`);
    L.push(`    ${p.reason}`);
  }

  h('Docker networks');
  if (!d.docker.reachable) L.push(`  ${c.red(d.docker.error ?? 'Docker engine not reachable')}`);
  else {
    L.push(`  engine ${d.docker.engineVersion ?? '?'}, compose ${d.docker.composeFlavor ?? 'not installed'}`);
    for (const n of d.docker.networks) {
      if (n.driver === 'null' || (n.driver === 'host' && n.name === 'host')) continue;
      const parent = n.parent
        ? ` parent ${n.parent}${n.parentExists === false ? c.red(' (missing on this host)') : ''}`
        : '';
      const range = n.ipRanges.length ? ` range ${n.ipRanges.join(', ')}` : '';
      const proj = n.composeProject ? ` [compose ${n.composeProject}]` : '';
      L.push(
        `  ${n.name.padEnd(24)}${n.driver.padEnd(9)}${n.subnets.join(', ') || '-'}${range}${parent}${proj}`,
      );
    }
  }

  h('Containers');
  if (!d.docker.reachable) L.push('  (Docker engine not reachable)');
  else if (d.docker.containers.length === 0) L.push('  none');
  for (const k of d.docker.containers) {
    L.push(`  ${k.name} (${k.image}, ${k.state})`);
    if (k.compose)
      L.push(
        `    compose: project ${k.compose.project}${k.compose.service ? `, service ${k.compose.service}` : ''}${k.compose.configFiles.length ? `, ${k.compose.configFiles.join(', ')}` : ''}`,
      );
    const nets =
      k.networkMode === 'host' || k.networkMode.startsWith('container:')
        ? k.networkMode
        : k.networks
            .map((n) => `${n.name}${n.ipv4 ? ` ${n.ipv4}` : ''}${n.driver ? ` (${n.driver})` : ''}`)
            .join(', ');
    L.push(`    networks: ${nets || '-'}`);
    if (k.publishedPorts.length)
      L.push(
        `    ports: ${k.publishedPorts.map((p) => `${p.hostIp && p.hostIp !== '0.0.0.0' ? `${p.hostIp}:` : ''}${p.hostPort ?? '?'}->${p.container}`).join(', ')}`,
      );
  }

  h('Tailscale container');
  if (!d.docker.reachable) L.push('  (Docker engine not reachable)');
  else if (d.tailscale.length === 0) L.push('  none found (no image with "tailscale", no TS_* environment)');
  for (const t of d.tailscale) {
    L.push(`  ${t.name} (${t.image}, ${t.state}) — mode ${c.bold(t.mode)}`);
    L.push(
      `    TS_USERSPACE → ${t.userspace}${t.invalidUserspace ? c.yellow(` (value "${t.invalidUserspace}" is not a Go bool: default used)`) : ''}; network ${t.networkMode}${t.macvlanAddress ? `, LAN address ${t.macvlanAddress} on ${t.macvlanNetwork}` : ''}`,
    );
    L.push(`    compose file: ${t.composeFile ?? 'not started by compose'}`);
    L.push(
      `    state dir: ${t.stateDir ? `${t.stateDir.source} → ${t.stateDir.destination}` : c.yellow('not mounted (state is lost when the container is recreated)')}`,
    );
    const id = t.identity;
    L.push(
      `    node: ${id.hostname ?? '?'}${id.machineName && id.machineName !== id.hostname ? ` (machine ${id.machineName})` : ''}; routes ${id.routes.join(', ') || 'none'}; exit node ${id.exitNode ? 'yes' : 'no'}; accept-routes ${id.acceptRoutes ? 'on' : 'off'}; tags ${id.tags.join(', ') || 'none'}`,
    );
    L.push(
      `    read from: ${Object.entries(id.from)
        .map(([k, v]) => `${k} ← ${v}`)
        .join('; ')}`,
    );
    for (const f of t.envFiles)
      L.push(
        `    env file: ${f.path}${f.names ? (f.holdsAuth ? ' (defines the auth key; only names were read)' : '') : c.yellow(' (not readable here)')}`,
      );
    if (t.inlineAuthKey)
      L.push(
        `    ${c.yellow('its compose file writes the auth key inline (not shown): move it to an env file')}`,
      );
    if (t.unusedStateMount)
      L.push(
        `    ${c.yellow(`${t.unusedStateMount} is mounted at /var/lib/tailscale, but TS_STATE_DIR is unset: the node is ephemeral`)}`,
      );
    L.push(`    recognised by: ${t.matchedBy.join('; ')}`);
  }

  h('Used addresses');
  if (d.usedAddresses.length === 0) L.push('  none seen');
  for (const u of d.usedAddresses) L.push(`  ${u.address.padEnd(16)}${u.subnet.padEnd(19)}${u.by}`);
  if (d.suggestion)
    L.push(
      `  free for macvlan: address ${d.suggestion.address}, ip_range ${d.suggestion.ipRange}, shim ${d.suggestion.shimAddress} — ${d.suggestion.note}`,
    );

  h('Planner environment');
  for (const [k, v] of Object.entries(env))
    L.push(`  ${k.padEnd(26)}${Array.isArray(v) ? v.join(', ') : String(v)}`);
  return L.join('\n');
}
