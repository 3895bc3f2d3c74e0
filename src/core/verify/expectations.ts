import type { ComposeEdit } from '../compose/edits.js';
import { CONTROL_LABEL, controlServer, HEADSCALE_LACKS, magicDnsName } from '../control/server.js';
import { generate } from '../generate/index.js';
import { shimInterfaceName } from '../generate/shim-script.js';
import { sidecarHostname, sidecarService } from '../generate/sidecar.js';
import { type ControlKind, containerName, type HomelabConfig } from '../model/config.js';
import type { Mode } from '../model/modes.js';
import { cidrContains } from '../model/net.js';

/** A network the tailscale container must be on, as the generated compose declares it. */
export interface ExpectedNetwork {
  /** Compose key (`default`, `lan`, `jellyfin_network`, `ext-default`). */
  key: string;
  /** Real Docker name when compose does not prefix it (external networks, `name:`). */
  name?: string;
  external: boolean;
  driver?: string;
  /** Fixed address (macvlan). */
  ipv4?: string;
}

/** An app the tailscale container must reach by name (Docker DNS) and port. */
export interface ExpectedService {
  name: string;
  /** What to resolve and dial: the container name, or 127.0.0.1 for a shared namespace (sidecar). */
  host: string;
  port: number;
  network: string;
  /** false when the name cannot resolve by design (shared namespace). */
  resolve: boolean;
}

/** A LAN address the container must reach. `port` undefined → reachability only (a refusal proves it). */
export interface LanTarget {
  id: string;
  name: string;
  address: string;
  ports: number[];
  /** open: the port must accept; reachable: an answer (accept or refusal) is enough. */
  require: 'open' | 'reachable';
}

export interface ServeEndpoint {
  port: number;
  kind: 'https' | 'tcp';
  service: string;
  /** The backend the handler must point at: the Proxy URL (`http://jellyfin:8096`) or TCPForward (`host:port`). */
  target: string;
}

export interface ExpectedContainer {
  service: string;
  containerName: string;
  hostname: string;
  /** `host` or `service:x` when the container has no networks of its own. */
  networkMode?: string;
  networks: ExpectedNetwork[];
  userspace: boolean;
  needsTun: boolean;
  /** /proc/sys paths that must read 1. */
  forwarding: string[];
  routes: string[];
  exitNode: boolean;
  tags: string[];
  /** The control server the node logs in to (what it can approve, whether serve exists). */
  control: { kind: ControlKind; url: string };
  serve: ServeEndpoint[];
  healthcheck: boolean;
  services: ExpectedService[];
  lanTargets: LanTarget[];
  macvlan?: { address: string; shimName: string; shimAddress: string; parent: string };
}

export interface Expectations {
  mode: Mode;
  hostAddress: string;
  containers: ExpectedContainer[];
  /** Targets an L4 vantage point dials through the tailnet. */
  tailnetTargets: TailnetTarget[];
}

export interface TailnetTarget {
  id: string;
  name: string;
  /** A literal address, or `{node}` placeholders resolved at run time (MagicDNS name / Tailscale IP). */
  host: string;
  port: number;
  via: 'subnet-route' | 'serve' | 'tailscale-ip';
  require: 'open' | 'reachable';
  /**
   * tcp: a connection to host:port; ping: `tailscale ping --tsmp` from the vantage point (proves the
   * node answers through WireGuard; tailscale's SOCKS5 server cannot tell a refusal from no route).
   */
  check: 'tcp' | 'ping';
  /** Set when this target cannot be checked on this control server, with why. */
  unsupported?: string;
}

type ComposeDoc = {
  services?: Record<string, Record<string, unknown>>;
  networks?: Record<string, Record<string, unknown>>;
};

/** The compose document the edits describe (same rule as renderStandalone, without YAML). */
export function composeFromEdits(edits: readonly ComposeEdit[]): ComposeDoc {
  const root: Record<string, unknown> = {};
  for (const edit of edits) {
    if (edit.op === 'delete') continue;
    let cur = root;
    for (const seg of edit.path.slice(0, -1)) {
      if (typeof cur[seg] !== 'object' || cur[seg] === null) cur[seg] = {};
      cur = cur[seg] as Record<string, unknown>;
    }
    cur[edit.path.at(-1)!] = structuredClone(edit.value);
  }
  return root as ComposeDoc;
}

function networksOf(service: Record<string, unknown>, doc: ComposeDoc): ExpectedNetwork[] {
  const raw = service.networks;
  const entries: [string, Record<string, unknown>][] = Array.isArray(raw)
    ? raw.map((k) => [String(k), {}])
    : raw && typeof raw === 'object'
      ? Object.entries(raw as Record<string, Record<string, unknown> | null>).map(([k, v]) => [k, v ?? {}])
      : [];
  return entries.map(([key, opts]) => {
    const top = doc.networks?.[key] ?? {};
    const external = top.external === true;
    const name = typeof top.name === 'string' ? top.name : undefined;
    const driver = typeof top.driver === 'string' ? top.driver : undefined;
    const ipv4 = typeof opts.ipv4_address === 'string' ? opts.ipv4_address : undefined;
    return {
      key,
      external,
      ...(name ? { name } : {}),
      ...(driver ? { driver } : {}),
      ...(ipv4 ? { ipv4 } : {}),
    };
  });
}

function envOf(service: Record<string, unknown>): Record<string, string> {
  const env = service.environment;
  if (Array.isArray(env))
    return Object.fromEntries(
      env.map((e) => {
        const s = String(e);
        const i = s.indexOf('=');
        return i < 0 ? [s, ''] : [s.slice(0, i), s.slice(i + 1)];
      }),
    );
  if (env && typeof env === 'object')
    return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, String(v)]));
  return {};
}

function lanTargets(config: HomelabConfig, publishedVia: 'lan' | 'none'): LanTarget[] {
  const targets: LanTarget[] = [
    {
      id: 'gateway',
      name: `gateway ${config.lan.gateway}`,
      address: config.lan.gateway,
      ports: [80, 443, 53],
      require: 'reachable',
    },
  ];
  if (publishedVia === 'lan')
    for (const s of config.services.filter((x) => x.publishedOnHost))
      targets.push({
        id: `host:${s.name}`,
        name: `${s.name} published on the host ${config.host.address}:${s.port}`,
        address: config.host.address,
        ports: [s.port],
        require: 'open',
      });
  for (const t of config.verify?.lanTargets ?? [])
    targets.push({
      id: `device:${t.name}`,
      name: `${t.name} ${t.address}:${t.port}`,
      address: t.address,
      ports: [t.port],
      require: 'open',
    });
  return targets;
}

function forwardingPaths(routes: readonly string[], exitNode: boolean): string[] {
  const paths: string[] = [];
  if (exitNode || routes.some((r) => !r.includes(':'))) paths.push('/proc/sys/net/ipv4/ip_forward');
  if (exitNode || routes.some((r) => r.includes(':'))) paths.push('/proc/sys/net/ipv6/conf/all/forwarding');
  return paths;
}

function serveEndpoints(files: { path: string; content: string }[], config: HomelabConfig): ServeEndpoint[] {
  const file = files.find((f) => f.path.endsWith('serve.json'));
  if (!file) return [];
  const parsed = JSON.parse(file.content) as {
    TCP?: Record<string, { HTTPS?: boolean; TCPForward?: string }>;
  };
  const web = (
    JSON.parse(file.content) as { Web?: Record<string, { Handlers?: Record<string, { Proxy?: string }> }> }
  ).Web;
  const endpoints = Object.entries(parsed.TCP ?? {}).map(([port, h]) => {
    const target =
      h.TCPForward ??
      Object.entries(web ?? {})
        .filter(([k]) => k.endsWith(`:${port}`))
        .flatMap(([, v]) => Object.values(v.Handlers ?? {}).map((x) => x.Proxy ?? ''))[0] ??
      '';
    const service =
      config.services.find(
        (s) => target.includes(`//${containerName(s)}:`) || target.startsWith(`${containerName(s)}:`),
      )?.name ?? `port ${port}`;
    return { port: Number(port), kind: h.TCPForward ? 'tcp' : 'https', service, target } as ServeEndpoint;
  });
  // JSON objects list integer keys in ascending order; report them in the config's service order.
  const order = (e: ServeEndpoint) => {
    const i = config.services.findIndex((s) => s.name === e.service);
    return i < 0 ? Number.MAX_SAFE_INTEGER : i;
  };
  return endpoints.sort((a, b) => order(a) - order(b));
}

/** Desired state of the deployment of `mode`, derived from what `generate(config, mode)` writes. */
export function expectations(config: HomelabConfig, mode: Mode): Expectations {
  const generated = generate(config, mode);
  const doc = composeFromEdits(generated.edits);
  const containers: ExpectedContainer[] = [];
  const tsServices =
    mode === 'sidecar'
      ? config.services.map((s) => ({ svc: sidecarService(s), app: s }))
      : [{ svc: config.tailscale.service, app: undefined }];
  for (const { svc, app } of tsServices) {
    const service = doc.services?.[svc] ?? {};
    const env = envOf(service);
    const userspace = env.TS_USERSPACE !== 'false';
    const routes = (env.TS_ROUTES ?? '').split(',').filter(Boolean);
    const exitNode = /--advertise-exit-node\b/.test(env.TS_EXTRA_ARGS ?? '');
    const networkMode = typeof service.network_mode === 'string' ? service.network_mode : undefined;
    const devices = Array.isArray(service.devices) ? service.devices.map(String) : [];
    const macvlanCfg = config.lan.macvlan;
    const services: ExpectedService[] = app
      ? [{ name: app.name, host: '127.0.0.1', port: app.port, network: app.network, resolve: false }]
      : networkMode === 'host'
        ? []
        : config.services.map((s) => ({
            name: s.name,
            host: containerName(s),
            port: s.port,
            network: s.network,
            resolve: true,
          }));
    containers.push({
      service: svc,
      containerName: typeof service.container_name === 'string' ? service.container_name : svc,
      hostname: env.TS_HOSTNAME ?? (app ? sidecarHostname(config, app) : config.tailscale.hostname),
      ...(networkMode ? { networkMode } : {}),
      networks: networksOf(service, doc),
      userspace,
      needsTun: !userspace || devices.some((d) => d.startsWith('/dev/net/tun')),
      forwarding: userspace ? [] : forwardingPaths(routes, exitNode),
      routes,
      exitNode,
      tags: config.tailscale.tags,
      control: { kind: controlServer(config).kind, url: config.tailscale.controlServer },
      serve: mode === 'serve' ? serveEndpoints(generated.files, config) : [],
      healthcheck: service.healthcheck !== undefined || env.TS_ENABLE_HEALTH_CHECK === 'true',
      services,
      lanTargets: app ? [] : lanTargets(config, 'lan'),
      ...(mode === 'macvlan' && macvlanCfg
        ? {
            macvlan: {
              address: macvlanCfg.address,
              shimName: shimInterfaceName(config),
              shimAddress: macvlanCfg.shimAddress,
              parent: config.lan.parentInterface,
            },
          }
        : {}),
    });
  }
  return {
    mode,
    hostAddress: config.host.address,
    containers,
    tailnetTargets: tailnetTargets(config, mode, containers),
  };
}

function tailnetTargets(config: HomelabConfig, mode: Mode, containers: ExpectedContainer[]): TailnetTarget[] {
  const targets: TailnetTarget[] = [];
  const main = containers[0];
  const routes = containers.flatMap((c) => c.routes);
  const routed = (ip: string) => routes.some((r) => cidrContains(r, ip));
  if (mode !== 'sidecar') {
    for (const s of config.services.filter((x) => x.publishedOnHost && routed(config.host.address)))
      targets.push({
        id: `L4.lan:${s.name}`,
        name: `${s.name} at ${config.host.address}:${s.port} via the subnet route`,
        host: config.host.address,
        port: s.port,
        via: 'subnet-route',
        require: 'open',
        check: 'tcp',
      });
    for (const t of (config.verify?.lanTargets ?? []).filter((x) => routed(x.address)))
      targets.push({
        id: `L4.lan:${t.name}`,
        name: `${t.name} at ${t.address}:${t.port} via the subnet route`,
        host: t.address,
        port: t.port,
        via: 'subnet-route',
        require: 'open',
        check: 'tcp',
      });
  }
  const control = controlServer(config);
  const noServe =
    control.kind === 'headscale'
      ? `serve endpoints are reachable only on Tailscale's own control plane: ${CONTROL_LABEL.headscale} (${control.url}) has no ${HEADSCALE_LACKS} (headscale docs/about/features.md)`
      : undefined;
  for (const c of containers) {
    for (const e of c.serve)
      targets.push({
        id: `L4.serve:${e.service}`,
        name: `${e.service} served at ${magicDnsName(config, c.hostname)}:${e.port}`,
        host: `{fqdn:${c.hostname}}`,
        port: e.port,
        via: 'serve',
        require: 'open',
        check: 'tcp',
        ...(noServe ? { unsupported: noServe } : {}),
      });
    if (mode === 'sidecar') {
      const app = config.services.find((s) => c.service === sidecarService(s));
      if (app)
        targets.push({
          id: `L4.sidecar:${app.name}`,
          name: `${app.name} at ${c.hostname}:${app.port} (shared namespace)`,
          host: `{fqdn:${c.hostname}}`,
          port: app.port,
          via: 'tailscale-ip',
          require: 'open',
          check: 'tcp',
        });
    }
  }
  if (main && mode !== 'sidecar') {
    const viaServe = main.serve.length > 0 && !noServe;
    targets.push({
      id: 'L4.tailscale-ip',
      name: `${main.hostname}'s Tailscale IP answers`,
      host: `{ip:${main.hostname}}`,
      port: viaServe ? main.serve[0]!.port : 0,
      via: 'tailscale-ip',
      require: viaServe ? 'open' : 'reachable',
      check: viaServe ? 'tcp' : 'ping',
    });
  }
  return targets;
}
