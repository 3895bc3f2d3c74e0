import type { ExecResult } from '../ports/exec.js';
import type { ExpectedContainer, ExpectedService, LanTarget } from './expectations.js';
import { answered, classifyNc, parseNslookup, type TcpResult } from './probe-result.js';
import { type Check, fail, pass, skip } from './types.js';

export interface NamespaceEvidence {
  /** `test -c /dev/net/tun` */
  tun?: ExecResult;
  /** `cat /proc/sys/...` by path */
  sysctls: Record<string, ExecResult>;
  /** by service name */
  services: Record<string, { dns?: ExecResult; tcp?: ExecResult }>;
  /** by LanTarget id: one nc per port tried, in order, until one answered */
  lan: Record<string, { port: number; result: ExecResult }[]>;
  macvlan?: MacvlanEvidence;
}

export interface MacvlanEvidence {
  /** false when tailbridge does not run on the Docker host (remote DOCKER_HOST): host-side checks cannot run. */
  onDockerHost: boolean;
  /** Host → `<address>:9` TCP connect (refused = reachable). */
  hostToContainer?: TcpResult;
  /** Container → `<host address>:<listenerPort>` with tailbridge listening there. */
  containerToHost?: ExecResult;
  listenerPort?: number;
  /** Connections the temporary listener accepted (proves the nc reached *this* host). */
  listenerAccepted?: number;
  shimPresent?: boolean;
  /** Host interface the route to the container's address uses (`ip route get`). */
  routeDevice?: string;
}

/** L2: the tailscale container's network namespace, seen from inside it. */
export function evaluateNamespace(
  exp: ExpectedContainer,
  ev: NamespaceEvidence,
  ctx: { hostAddress: string },
  prefix = '',
): Check[] {
  const id = (s: string) => `${prefix}L2.${s}`;
  const checks: Check[] = [];
  if (exp.needsTun) {
    const base = {
      id: id('tun'),
      layer: 'L2' as const,
      title: '/dev/net/tun is a character device',
      source: 'runc-tun' as const,
    };
    const r = ev.tun;
    if (!r) checks.push(skip(base, 'not checked'));
    else if (r.exitCode === 0) checks.push(pass(base, 'test -c /dev/net/tun: exit 0'));
    else
      checks.push(
        fail(
          base,
          `test -c /dev/net/tun: exit ${r.exitCode}${r.stderr.trim() ? ` (${r.stderr.trim()})` : ''}`,
          'pass it as a device (devices: - /dev/net/tun:/dev/net/tun), not a volume; load the tun module on the host (modprobe tun)',
        ),
      );
  }
  for (const path of exp.forwarding) {
    const key = path.replace('/proc/sys/', '').replaceAll('/', '.');
    const base = {
      id: id(`sysctl:${key}`),
      layer: 'L2' as const,
      title: `${key} = 1`,
      source: 'containerboot-forwarding' as const,
    };
    const r = ev.sysctls[path];
    const value = r?.stdout.trim();
    if (!r) checks.push(skip(base, 'not checked'));
    else if (r.exitCode === 0 && value === '1') checks.push(pass(base, `cat ${path}: 1`));
    else
      checks.push(
        fail(
          base,
          r.exitCode === 0
            ? `cat ${path}: ${value}`
            : `cat ${path}: ${r.stderr.trim() || `exit ${r.exitCode}`}`,
          exp.networkMode === 'host'
            ? `host networking: enable it on the host (sysctl -w ${key}=1 and persist it in /etc/sysctl.d)`
            : `add sysctls: [${key}=1] to the tailscale service (tailbridge apply)`,
        ),
      );
  }
  if (exp.services.length === 0 && exp.networkMode === 'host')
    checks.push(
      skip(
        {
          id: id('dns'),
          layer: 'L2',
          title: 'services resolve through Docker DNS',
          source: 'docker-host-network',
        },
        'host networking has no Docker DNS: services are reached through their published ports (see the LAN checks)',
      ),
    );
  for (const s of exp.services) checks.push(...evaluateService(s, ev.services[s.name] ?? {}, id));
  for (const t of exp.lanTargets) checks.push(evaluateLanTarget(t, ev.lan[t.id], id, exp));
  if (exp.macvlan && ev.macvlan) checks.push(...evaluateMacvlan(exp, ev.macvlan, ctx.hostAddress, id));
  return checks;
}

function evaluateService(
  s: ExpectedService,
  ev: { dns?: ExecResult; tcp?: ExecResult },
  id: (s: string) => string,
): Check[] {
  const checks: Check[] = [];
  let resolved = true;
  if (s.resolve) {
    const base = {
      id: id(`dns:${s.name}`),
      layer: 'L2' as const,
      title: `${s.host} resolves through Docker DNS`,
      source: 'docker-bridge-dns' as const,
    };
    if (!ev.dns) checks.push(skip(base, 'not checked'));
    else {
      const r = parseNslookup(ev.dns);
      resolved = r.addresses.length > 0;
      checks.push(
        resolved
          ? pass(base, `nslookup ${s.host}: ${r.detail}`)
          : fail(
              base,
              `nslookup ${s.host}: ${r.detail}`,
              `Docker DNS only answers for containers on a shared network: join the tailscale container to ${s.network} (tailbridge apply) and check that ${s.host} is on ${s.network}`,
            ),
      );
    }
  }
  const base = { id: id(`tcp:${s.name}`), layer: 'L2' as const, title: `${s.host}:${s.port} accepts TCP` };
  if (!resolved) checks.push(skip(base, `${s.host} does not resolve (see the DNS check)`));
  else if (!ev.tcp) checks.push(skip(base, 'not checked'));
  else {
    const r = classifyNc(ev.tcp);
    checks.push(
      r.outcome === 'open'
        ? pass(base, `nc -w 2 ${s.host} ${s.port}: ${r.detail}`)
        : fail(
            base,
            `nc -w 2 ${s.host} ${s.port}: ${r.detail}`,
            r.outcome === 'refused'
              ? `${s.host} answers but nothing listens on ${s.port}: is the app up and is the port right?`
              : `no answer from ${s.host}: check that it runs (docker ps) and shares ${s.network} with the tailscale container`,
          ),
    );
  }
  return checks;
}

function evaluateLanTarget(
  t: LanTarget,
  attempts: { port: number; result: ExecResult }[] | undefined,
  id: (s: string) => string,
  exp: ExpectedContainer,
): Check {
  const base = {
    id: id(`lan:${t.id}`),
    layer: 'L2' as const,
    title: t.require === 'open' ? `${t.name} accepts TCP` : `${t.name} is reachable`,
  };
  if (!attempts || attempts.length === 0) return skip(base, 'not checked');
  const results = attempts.map((a) => ({ port: a.port, r: classifyNc(a.result) }));
  const good = results.find(({ r }) => (t.require === 'open' ? r.outcome === 'open' : answered(r.outcome)));
  const evidence = results.map(({ port, r }) => `nc -w 2 ${t.address} ${port}: ${r.detail}`).join('; ');
  if (good)
    return pass(
      base,
      t.require === 'reachable' && good.r.outcome === 'refused'
        ? `${evidence} (a refusal comes from ${t.address} itself, so it is reachable)`
        : evidence,
    );
  const refused = results.some(({ r }) => r.outcome === 'refused');
  return fail(
    base,
    evidence,
    refused
      ? `${t.address} answers but the port is closed: is the service published on ${t.address}?`
      : exp.macvlan
        ? `no answer: check the macvlan parent ${exp.macvlan.parent} and that the LAN allows the container's MAC`
        : `no answer from ${t.address}: the container's bridge network must reach the LAN through Docker's NAT (firewall? wrong address?)`,
  );
}

function evaluateMacvlan(
  exp: ExpectedContainer,
  ev: MacvlanEvidence,
  hostAddress: string,
  id: (s: string) => string,
): Check[] {
  const m = exp.macvlan!;
  const viaShim = ev.routeDevice !== undefined && ev.routeDevice !== m.parent;
  const shim =
    ev.routeDevice !== undefined
      ? viaShim
        ? `host route to ${m.address} via ${ev.routeDevice} (a shim${ev.routeDevice === m.shimName ? '' : `, not named ${m.shimName}`})`
        : `host route to ${m.address} via ${ev.routeDevice} (the parent: no shim)`
      : ev.shimPresent === undefined
        ? 'shim interface unknown'
        : ev.shimPresent
          ? `shim ${m.shimName} present`
          : `shim ${m.shimName} absent`;
  const fixHint =
    ev.shimPresent || viaShim
      ? `the shim ${m.shimName} exists but does not carry the traffic: check \`ip route get ${m.address}\` goes via ${m.shimName} (tailbridge shim status)`
      : `the host cannot reach its own macvlan containers without the shim: tailbridge shim apply (adds ${m.shimName} on ${m.parent} with ${m.shimAddress}/32 and a route to ${m.address})`;
  const h2c = {
    id: id('macvlan:host-to-container'),
    layer: 'L2' as const,
    title: `host → container (${m.address})`,
    source: 'docker-macvlan' as const,
  };
  const c2h = {
    id: id('macvlan:container-to-host'),
    layer: 'L2' as const,
    title: `container → host (${hostAddress})`,
    source: 'docker-macvlan' as const,
  };
  if (!ev.onDockerHost) {
    const why =
      'tailbridge does not run on the Docker host (DOCKER_HOST is remote), so it cannot test from the host';
    return [
      skip(h2c, why, 'run tailbridge verify on the Docker host'),
      skip(c2h, why, 'run tailbridge verify on the Docker host'),
    ];
  }
  const checks: Check[] = [];
  const r = ev.hostToContainer;
  if (!r) checks.push(skip(h2c, 'not checked'));
  else
    checks.push(
      answered(r.outcome)
        ? pass(
            h2c,
            `TCP ${m.address}:9 from the host: ${r.detail}${r.outcome === 'refused' ? ' (the container answered)' : ''}; ${shim}`,
          )
        : fail(h2c, `TCP ${m.address}:9 from the host: ${r.detail}; ${shim}`, fixHint),
    );
  if (!ev.containerToHost || ev.listenerPort === undefined) checks.push(skip(c2h, 'not checked'));
  else {
    const nc = classifyNc(ev.containerToHost);
    const evidence = `nc -w 2 ${hostAddress} ${ev.listenerPort} (tailbridge listening there): ${nc.detail}; accepted ${ev.listenerAccepted ?? 0}; ${shim}`;
    checks.push(
      nc.outcome === 'open' && (ev.listenerAccepted ?? 1) > 0
        ? pass(c2h, evidence)
        : fail(
            c2h,
            evidence,
            nc.outcome === 'refused' ? `a firewall on the host rejects port ${ev.listenerPort}` : fixHint,
          ),
    );
  }
  return checks;
}
