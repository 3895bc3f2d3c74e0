import { sidecarHostname, sidecarService } from '../generate/sidecar.js';
import { containerName, type HomelabConfig } from '../model/config.js';
import { MODE_INFO, type Mode } from '../model/modes.js';
import { cidrContains } from '../model/net.js';
import type { VerifyReport } from '../verify/types.js';
import { checksMatching } from './evidence.js';

export type NodeKind =
  | 'remote'
  | 'tailnet'
  | 'tailscale'
  | 'host'
  | 'network'
  | 'macvlan'
  | 'service'
  | 'router'
  | 'lan-device';

/**
 * Layout columns, left to right: 0 the remote device, 1 the tailnet, 2 the tailscale container(s),
 * 3 Docker networks / the Docker host / the macvlan LAN, 4 services, the LAN router and LAN devices.
 */
export type Column = 0 | 1 | 2 | 3 | 4;

export interface TopoNode {
  /** Stable id: letters, digits and underscores only (safe as a Mermaid node id and an SVG id). */
  id: string;
  label: string;
  kind: NodeKind;
  column: Column;
}

export type EdgeStatus = 'verified' | 'failed' | 'unverified';

export interface TopoEdge {
  from: string;
  to: string;
  label: string;
  /** A hop between two neighbours, or the whole path from the remote device (L4). */
  kind: 'hop' | 'end-to-end';
  /** Check id patterns (see evidence.ts) that decide this path. */
  patterns: string[];
  status: EdgeStatus;
  /** The checks that decided the status (failed ones when failed, passed ones when verified). */
  checks: string[];
}

export interface Topology {
  mode: Mode;
  title: string;
  nodes: TopoNode[];
  edges: TopoEdge[];
}

const safeId = (s: string) => `n_${s.replace(/[^A-Za-z0-9]/g, '_')}`;

/**
 * The network paths of `mode` for this homelab, each edge marked verified, failed or unverified
 * from `reports` (the verifications of that mode; omitted = everything unverified). A hop is decided
 * by its own checks (L1–L3); an end-to-end check (L4) crosses every hop and cannot say which one broke,
 * so it decides only the end-to-end edges from the remote device (and hops no other check covers).
 */
export function topology(
  config: HomelabConfig,
  mode: Mode,
  reports?: VerifyReport | readonly VerifyReport[],
): Topology {
  const nodes: TopoNode[] = [];
  const edges: TopoEdge[] = [];
  const seen = new Set<string>();
  const node = (key: string, label: string, kind: NodeKind, column: Column): string => {
    const id = safeId(key);
    if (!seen.has(id)) {
      seen.add(id);
      nodes.push({ id, label, kind, column });
    }
    return id;
  };
  const edge = (from: string, to: string, label: string, patterns: string[]) => {
    edges.push({ from, to, label, kind: 'hop', patterns, status: 'unverified', checks: [] });
  };
  const endToEnd = (to: string, label: string, patterns: string[]) => {
    edges.push({ from: remote, to, label, kind: 'end-to-end', patterns, status: 'unverified', checks: [] });
  };

  const ts = config.tailscale;
  const routes = ts.advertiseRoutes;
  const routeLabel = routes.length > 0 ? `subnet route ${routes.join(', ')}` : 'no subnet route';
  const hostRouted = routes.some((r) => cidrContains(r, config.host.address));
  const remote = node('remote', 'Remote device (tailnet client)', 'remote', 0);
  const tailnet = node('tailnet', 'Tailnet (WireGuard)', 'tailnet', 1);
  edge(remote, tailnet, 'WireGuard', ['L4.probe']);
  const host = node('host', `Docker host ${config.host.name} ${config.host.address}`, 'host', 3);
  const router = node('router', `LAN ${config.lan.subnet} · gateway ${config.lan.gateway}`, 'router', 4);
  const lanDevices = (config.verify?.lanTargets ?? []).map((t) => ({
    t,
    id: node(`dev_${t.name}`, `${t.name} ${t.address}:${t.port}`, 'lan-device', 4),
  }));
  const devicesFrom = (from: string, via: string) => {
    for (const { t, id } of lanDevices)
      edge(from, id, `${via} → :${t.port}`, [`L2.lan:device:${t.name}`, `L4.lan:${t.name}`]);
  };
  const publishedFrom = (from: string, label: (port: number) => string) => {
    for (const s of config.services.filter((x) => x.publishedOnHost)) {
      const svc = node(`svc_${s.name}`, `${s.name} :${s.port}`, 'service', 4);
      edge(from, svc, label(s.port), [`L2.lan:host:${s.name}`, ...(hostRouted ? [`L4.lan:${s.name}`] : [])]);
    }
  };
  const networksFrom = (from: string, dnsLabel: (name: string, port: number) => string) => {
    for (const net of [...new Set(config.services.map((s) => s.network))]) {
      const n = node(`net_${net}`, `Docker network ${net}`, 'network', 3);
      edge(from, n, `joins ${net}`, [`L1.network:${net}`]);
      for (const s of config.services.filter((x) => x.network === net)) {
        const svc = node(`svc_${s.name}`, `${s.name} :${s.port}`, 'service', 4);
        edge(n, svc, dnsLabel(containerName(s), s.port), [`L2.dns:${s.name}`, `L2.tcp:${s.name}`]);
      }
    }
  };

  if (mode === 'sidecar') {
    for (const s of config.services) {
      const c = sidecarService(s);
      // With one sidecar verify does not prefix check ids with the container.
      const p = (id: string) => (config.services.length > 1 ? `${c}/${id}` : id);
      const tsNode = node(
        `ts_${c}`,
        `tailscale sidecar ${c} (${sidecarHostname(config, s)})`,
        'tailscale',
        2,
      );
      edge(tailnet, tsNode, `node ${sidecarHostname(config, s)}`, [p('L3.backend'), p('L3.ips')]);
      const svc = node(`svc_${s.name}`, `${s.name} :${s.port}`, 'service', 4);
      edge(tsNode, svc, `shared namespace 127.0.0.1:${s.port}`, [p(`L2.tcp:${s.name}`)]);
      endToEnd(svc, `end to end: ${sidecarHostname(config, s)}:${s.port}`, [`L4.sidecar:${s.name}`]);
    }
  } else {
    const tsLabel =
      mode === 'host'
        ? `tailscale container ${ts.containerName} (network_mode: host)`
        : mode === 'macvlan'
          ? `tailscale container ${ts.containerName} (kernel TUN, ${config.lan.macvlan?.address ?? 'macvlan'})`
          : `tailscale container ${ts.containerName} (userspace netstack)`;
    const tsNode = node('tailscale', tsLabel, 'tailscale', 2);
    edge(tailnet, tsNode, `node ${ts.hostname}`, ['L3.backend', 'L3.ips', 'L4.tailscale-ip']);

    if (mode === 'userspace' || mode === 'serve') {
      networksFrom(tsNode, (name, port) =>
        mode === 'serve' ? `serve :${port} → Docker DNS ${name}:${port}` : `Docker DNS ${name}:${port}`,
      );
      edge(tsNode, host, 'default bridge, NAT', ['L1.network:default']);
      edge(host, router, routeLabel, ['L3.route:*', 'L2.lan:gateway']);
      publishedFrom(host, (port) => `published :${port}`);
      devicesFrom(router, 'LAN');
      if (mode === 'serve')
        for (const sv of config.services)
          endToEnd(
            node(`svc_${sv.name}`, `${sv.name} :${sv.port}`, 'service', 4),
            `end to end: serve :${sv.port}`,
            [`L4.serve:${sv.port}`],
          );
    } else if (mode === 'macvlan') {
      const m = config.lan.macvlan;
      const mac = node(
        'macvlan',
        `macvlan network on ${config.lan.parentInterface} (${m?.address ?? 'no address reserved'})`,
        'macvlan',
        3,
      );
      edge(tsNode, mac, `own LAN IP ${m?.address ?? '?'}`, ['L1.network:lan', 'L2.tun', 'L2.sysctl:*']);
      edge(mac, router, routeLabel, ['L3.route:*', 'L2.lan:gateway']);
      edge(host, tsNode, `shim ${m?.shimAddress ?? '(none)'} → ${m?.address ?? '?'}`, [
        'L2.macvlan:host-to-container',
      ]);
      edge(tsNode, host, 'to the host via the shim', ['L2.macvlan:container-to-host']);
      publishedFrom(host, (port) => `published :${port}`);
      devicesFrom(router, 'LAN');
      if (config.services.some((s) => !s.publishedOnHost))
        networksFrom(tsNode, (n, p) => `Docker DNS ${n}:${p}`);
    } else {
      edge(tsNode, host, 'same network namespace', ['L1.network-mode']);
      edge(host, router, routeLabel, ['L3.route:*', 'L2.lan:gateway']);
      publishedFrom(host, (port) => `published :${port}`);
      devicesFrom(router, 'LAN');
    }
    if (routes.length > 0) endToEnd(router, 'end to end: LAN via the subnet route', ['L4.lan:*']);
  }

  const isL4 = (p: string) => /(^|\/)L4\./.test(p);
  for (const e of edges) {
    const ranOf = (patterns: string[]) =>
      checksMatching(reports, patterns).filter((c) => c.status !== 'skip');
    const own = e.kind === 'hop' ? ranOf(e.patterns.filter((p) => !isL4(p))) : [];
    const ran = own.length > 0 ? own : ranOf(e.kind === 'hop' ? e.patterns.filter(isL4) : e.patterns);
    const failed = ran.filter((c) => c.status === 'fail');
    const passed = ran.filter((c) => c.status === 'pass');
    if (failed.length > 0) {
      e.status = 'failed';
      e.checks = [...new Set(failed.map((c) => c.id))];
    } else if (passed.length > 0) {
      e.status = 'verified';
      e.checks = [...new Set(passed.map((c) => c.id))];
    }
  }
  return { mode, title: `${MODE_INFO[mode].letter} ${mode}: ${MODE_INFO[mode].title}`, nodes, edges };
}
