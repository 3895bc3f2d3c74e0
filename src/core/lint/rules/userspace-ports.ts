import { type ComposeModel, isOfficialTailscaleImage, isRecord, type Service } from '../compose-model.js';
import { defineRule, type Report } from '../rule.js';
import { flagValue, isInterpolated, splitArgs } from '../values.js';

/** containerboot's default TS_LOCAL_ADDR_PORT ([::]:9002): health check and metrics. */
const LOCAL_ADDR_PORT = 9002;

/** Variables whose value is an address the tailscale container itself listens on. */
const LISTENER_VARS = [
  'TS_SOCKS5_SERVER',
  'TS_OUTBOUND_HTTP_PROXY_LISTEN',
  'TS_LOCAL_ADDR_PORT',
  'TS_HEALTHCHECK_ADDR_PORT',
  'TS_DEBUG_ADDR_PORT',
];
/** tailscaled flags (TS_TAILSCALED_EXTRA_ARGS) that open a listener in the container. */
const LISTENER_FLAGS = ['socks5-server', 'outbound-http-proxy-listen', 'debug'];

/** Port of `host:port`, `[::]:port`, `:port` or `port`; undefined when there is none. */
export function listenPort(addr: string): number | undefined {
  const m = /(?:^|:)(\d{1,5})$/.exec(addr.trim());
  const n = m ? Number(m[1]) : Number.NaN;
  return Number.isInteger(n) && n > 0 && n < 65536 ? n : undefined;
}

/**
 * The container ports of a `ports:` entry with the protocol: short syntax (`8080`, `"80:8080"`,
 * `"127.0.0.1:80:8080/tcp"`, `"[::1]:80:8080"`, ranges `"8000-8001:8000-8001"`) or long syntax
 * (`{target, published, protocol}`). Undefined when interpolated or unparsable.
 */
export function containerPorts(entry: unknown): { from: number; to: number; protocol: string } | undefined {
  if (typeof entry === 'number')
    return Number.isInteger(entry) ? { from: entry, to: entry, protocol: 'tcp' } : undefined;
  if (isRecord(entry)) {
    const t = entry['target'];
    const proto = typeof entry['protocol'] === 'string' ? entry['protocol'].toLowerCase() : 'tcp';
    if (typeof t === 'string' && isInterpolated(t)) return undefined;
    return containerPorts(typeof t === 'number' || typeof t === 'string' ? `${t}/${proto}` : undefined);
  }
  if (typeof entry !== 'string' || isInterpolated(entry)) return undefined;
  let s = entry.trim();
  let protocol = 'tcp';
  const slash = s.lastIndexOf('/');
  if (slash !== -1) {
    protocol = s.slice(slash + 1).toLowerCase();
    s = s.slice(0, slash);
  }
  const target = s.slice(s.lastIndexOf(':') + 1);
  const m = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(target);
  if (!m) return undefined;
  const from = Number(m[1]);
  const to = m[2] === undefined ? from : Number(m[2]);
  return from <= to ? { from, to, protocol } : undefined;
}

/** Ports the tailscale container listens on itself (proxies, health/metrics, debug); undefined when unknown. */
function ownListeners(model: ComposeModel, s: Service): Set<number> | undefined {
  const ports = new Set<number>();
  for (const name of LISTENER_VARS) {
    const v = model.lookup(s, name);
    if (v.kind === 'unset') continue;
    if (v.kind !== 'inline' || v.env.value === undefined) return undefined;
    const p = listenPort(v.env.value);
    if (p === undefined) return undefined;
    ports.add(p);
  }
  if (model.lookup(s, 'TS_LOCAL_ADDR_PORT').kind === 'unset') ports.add(LOCAL_ADDR_PORT);
  const x = model.lookup(s, 'TS_TAILSCALED_EXTRA_ARGS');
  if (x.kind !== 'unset') {
    if (x.kind !== 'inline' || x.env.value === undefined) return undefined;
    const args = splitArgs(x.env.value);
    for (const flag of LISTENER_FLAGS) {
      const v = flagValue(args, flag);
      if (v === undefined) continue;
      const p = typeof v === 'string' ? listenPort(v) : undefined;
      if (p === undefined) return undefined;
      ports.add(p);
    }
  }
  return ports;
}

export const userspacePorts = defineRule({
  id: 'userspace-ports',
  severity: 'warning',
  category: 'tailscale',
  description:
    "A userspace-mode Tailscale service publishes a TCP port nothing in its container listens on (tailnet traffic to <tailscale-ip>:port lands on the tailscale container's own 127.0.0.1).",
  source: 'netstack-loopback',
  check({ model }) {
    const services = model.services();
    const out: Report[] = [];
    for (const s of model.tailscaleServices()) {
      if (model.mode(s) !== 'userspace' || !isOfficialTailscaleImage(model, s)) continue;
      // Only containerboot + tailscaled run in the container: no custom command, no own network_mode.
      if (model.commandLine(s) !== '' || model.networkMode(s) !== undefined) continue;
      const ports = model.list(s, 'ports');
      if (ports.length === 0) continue;
      // A sidecar app in this file shares the namespace: the ports are its listeners.
      const owners = [`service:${s.name}`];
      const cn = s.value['container_name'];
      if (typeof cn === 'string') owners.push(`container:${cn}`);
      const others = services.filter((o) => o !== s);
      if (
        others.some((o) => {
          const m = model.networkMode(o);
          return m !== undefined && (owners.includes(m) || isInterpolated(m));
        })
      )
        continue;
      // Alone in its file, it may be the namespace owner of an app in another project (container:<name>).
      if (!others.some((o) => !model.isTailscale(o))) continue;
      // Serve ports are listened on by tailscaled; the serve config is a file this rule cannot read.
      if (model.lookup(s, 'TS_SERVE_CONFIG').kind !== 'unset') continue;
      const own = ownListeners(model, s);
      if (!own) continue;
      ports.forEach((entry, i) => {
        const p = containerPorts(entry);
        if (p?.protocol !== 'tcp') return;
        for (let port = p.from; port <= p.to; port++) if (own.has(port)) return;
        const port = p.from === p.to ? `${p.from}` : `${p.from}-${p.to}`;
        out.push({
          path: [...s.path, 'ports', i],
          message: `service "${s.name}" publishes container port ${port}, but in userspace mode nothing in the tailscale container listens there: tailnet connections to <tailscale-ip>:${p.from} are dialed to 127.0.0.1:${p.from} inside this container, not to another container; proxy to the app with TS_SERVE_CONFIG (tailscale serve), run the app with network_mode: service:${s.name}, or reach it through the subnet route — then remove this port`,
        });
      });
    }
    return out;
  },
});
