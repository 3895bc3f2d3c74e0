import { cidrContains } from '../model/net.js';
import type { ExpectedContainer } from './expectations.js';
import { type Check, fail, pass, skip } from './types.js';

/** The fields of `tailscale status --json` (ipnstate.Status) verify reads. */
export interface TailscaleStatus {
  BackendState?: string;
  AuthURL?: string;
  TUN?: boolean;
  TailscaleIPs?: string[] | null;
  Health?: string[] | null;
  MagicDNSSuffix?: string;
  CertDomains?: string[] | null;
  CurrentTailnet?: { Name?: string; MagicDNSSuffix?: string; MagicDNSEnabled?: boolean } | null;
  Self?: {
    HostName?: string;
    DNSName?: string;
    TailscaleIPs?: string[] | null;
    AllowedIPs?: string[] | null;
    PrimaryRoutes?: string[] | null;
    ExitNodeOption?: boolean;
    Online?: boolean;
    Tags?: string[] | null;
  };
  Peer?: Record<
    string,
    { HostName?: string; DNSName?: string; TailscaleIPs?: string[] | null; Online?: boolean }
  > | null;
}

export function parseStatusJson(text: string): TailscaleStatus | { error: string } {
  const start = text.indexOf('{');
  if (start < 0) return { error: text.trim().split('\n')[0] || 'empty output' };
  try {
    return JSON.parse(text.slice(start)) as TailscaleStatus;
  } catch (e) {
    return { error: `not JSON: ${(e as Error).message}` };
  }
}

/** Prefs JSON (`tailscale debug prefs`), for what the node asked for. */
export interface TailscalePrefs {
  AdvertiseRoutes?: string[] | null;
  Hostname?: string;
}

export function tailnetSuffix(s: TailscaleStatus): string | undefined {
  const suffix = s.CurrentTailnet?.MagicDNSSuffix || s.MagicDNSSuffix;
  if (suffix) return suffix.replace(/\.$/, '');
  const dns = s.Self?.DNSName?.replace(/\.$/, '');
  return dns?.includes('.') ? dns.slice(dns.indexOf('.') + 1) : undefined;
}

/** Warnings that describe a choice rather than a fault. */
const BENIGN_HEALTH = [/--accept-routes is false/i, /update available/i, /is not the latest version/i];

export function autoApproversSnippet(
  routes: readonly string[],
  tags: readonly string[],
  exitNode = false,
): string {
  const tag = tags[0] ?? 'tag:<your-tag>';
  const parts: string[] = [];
  if (routes.length > 0) parts.push(`"routes": {${routes.map((r) => `"${r}": ["${tag}"]`).join(', ')}}`);
  if (exitNode) parts.push(`"exitNode": ["${tag}"]`);
  return `"autoApprovers": {${parts.join(', ')}}`;
}

export interface TailnetEvidence {
  status?: { exitCode: number; stdout: string; stderr: string };
  prefs?: TailscalePrefs;
  /** `tailscale serve status --json` */
  serve?: { exitCode: number; stdout: string; stderr: string };
}

/** L3: the node as the tailnet sees it. */
export function evaluateTailnet(exp: ExpectedContainer, ev: TailnetEvidence, prefix = ''): Check[] {
  const id = (s: string) => `${prefix}L3.${s}`;
  const backendBase = { id: id('backend'), layer: 'L3' as const, title: 'BackendState is Running' };
  const checks: Check[] = [];
  const later = (why: string) => skipRest(exp, why, id);
  if (!ev.status) return [skip(backendBase, 'not checked'), ...later('tailscale status was not read')];
  if (ev.status.exitCode !== 0 && !ev.status.stdout.includes('{'))
    return [
      fail(
        backendBase,
        `tailscale status --json: exit ${ev.status.exitCode}: ${(ev.status.stderr || ev.status.stdout).trim().split('\n')[0]}`,
        `is tailscaled up? docker logs --tail 50 ${exp.containerName}`,
      ),
      ...later('tailscale status failed'),
    ];
  const parsed = parseStatusJson(ev.status.stdout);
  if ('error' in parsed)
    return [
      fail(backendBase, `tailscale status --json: ${parsed.error}`),
      ...later('tailscale status was unreadable'),
    ];
  const st = parsed;
  const state = st.BackendState ?? '(missing)';
  if (state !== 'Running') {
    const hint =
      state === 'NeedsLogin'
        ? `the node is not logged in: check the auth key (expired? reusable?)${st.AuthURL ? ' — a login URL is pending (not shown)' : ''}; docker logs ${exp.containerName}`
        : state === 'NeedsMachineAuth'
          ? 'device approval is on: approve the machine in the admin console (Machines)'
          : state === 'Stopped'
            ? `tailscale is logged in but down: docker exec ${exp.containerName} tailscale up`
            : `still starting: wait and re-run, or read docker logs ${exp.containerName}`;
    return [fail(backendBase, `BackendState ${state}`, hint), ...later(`BackendState is ${state}`)];
  }
  checks.push(
    pass(
      backendBase,
      `BackendState Running${st.TUN === false ? ' (userspace: TUN false)' : st.TUN ? ' (TUN true)' : ''}`,
    ),
  );
  const ips = st.TailscaleIPs ?? st.Self?.TailscaleIPs ?? [];
  const ipsBase = { id: id('ips'), layer: 'L3' as const, title: 'has Tailscale IPs' };
  checks.push(
    ips.length > 0 ? pass(ipsBase, `TailscaleIPs ${ips.join(', ')}`) : fail(ipsBase, 'TailscaleIPs empty'),
  );
  checks.push(evaluateHostname(exp, st, id));
  if (exp.userspace !== undefined && st.TUN !== undefined && st.TUN === exp.userspace)
    checks.push(
      fail(
        {
          id: id('tun-mode'),
          layer: 'L3',
          title: exp.userspace ? 'runs in userspace mode' : 'runs in kernel (TUN) mode',
        },
        `status TUN ${st.TUN}`,
        `TS_USERSPACE should be ${exp.userspace}: tailbridge apply`,
      ),
    );
  checks.push(...evaluateRoutes(exp, st, ev.prefs, id));
  checks.push(evaluateHealth(st, id));
  if (exp.serve.length > 0) checks.push(...evaluateServe(exp, st, ev.serve, id));
  return checks;
}

function skipRest(exp: ExpectedContainer, why: string, id: (s: string) => string): Check[] {
  return [
    skip({ id: id('ips'), layer: 'L3', title: 'has Tailscale IPs' }, why),
    skip({ id: id('hostname'), layer: 'L3', title: `machine name is ${exp.hostname}` }, why),
    ...exp.routes.map((r) => skip({ id: id(`route:${r}`), layer: 'L3', title: `route ${r} approved` }, why)),
    ...exp.serve.map((e) =>
      skip({ id: id(`serve:${e.port}`), layer: 'L3', title: `serve port ${e.port}` }, why),
    ),
  ];
}

function evaluateHostname(exp: ExpectedContainer, st: TailscaleStatus, id: (s: string) => string): Check {
  const base = {
    id: id('hostname'),
    layer: 'L3' as const,
    title: `machine name is ${exp.hostname}`,
    source: 'containerboot-state' as const,
  };
  const dnsName = st.Self?.DNSName?.replace(/\.$/, '') ?? '';
  const label = dnsName.split('.')[0] ?? '';
  const hostName = st.Self?.HostName ?? '';
  const evidence = `Self.HostName ${hostName || '(none)'}, Self.DNSName ${dnsName || '(none)'}`;
  const drift = new RegExp(`^${exp.hostname.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}-(\\d+)$`).exec(label);
  if (drift)
    return fail(
      base,
      `${evidence}: the tailnet already had a ${exp.hostname}, so this node became ${label}`,
      `state was lost (a new node registered): persist TS_STATE_DIR on a volume, then delete the old offline ${exp.hostname} in the admin console (Machines) and rename ${label} back to ${exp.hostname}; re-approve its routes`,
    );
  if (label && label !== exp.hostname)
    return fail(
      base,
      evidence,
      `TS_HOSTNAME should be ${exp.hostname}; or the machine was renamed in the admin console`,
    );
  if (!label && hostName !== exp.hostname)
    return fail(base, evidence, `TS_HOSTNAME should be ${exp.hostname}`);
  return pass(base, evidence);
}

function evaluateRoutes(
  exp: ExpectedContainer,
  st: TailscaleStatus,
  prefs: TailscalePrefs | undefined,
  id: (s: string) => string,
): Check[] {
  const allowed = st.Self?.AllowedIPs ?? [];
  const primary = st.Self?.PrimaryRoutes ?? [];
  const advertised = prefs?.AdvertiseRoutes ?? undefined;
  const machine = st.Self?.DNSName?.split('.')[0] || exp.hostname;
  const unapproved = exp.routes.filter((r) => !allowed.includes(r));
  const checks = exp.routes.map((r): Check => {
    const base = {
      id: id(`route:${r}`),
      layer: 'L3' as const,
      title: `route ${r} advertised and approved`,
      source: 'ts-kb-1337' as const,
    };
    if (advertised && !advertised.includes(r))
      return fail(
        base,
        `prefs AdvertiseRoutes [${advertised.join(', ')}] does not include ${r}`,
        `put ${r} in TS_ROUTES (not --advertise-routes in TS_EXTRA_ARGS) and recreate the container: tailbridge apply`,
      );
    if (allowed.includes(r))
      return pass(
        base,
        `in Self.AllowedIPs${primary.includes(r) ? ' and Self.PrimaryRoutes' : '; not in Self.PrimaryRoutes (another router is primary for it)'}`,
      );
    return fail(
      base,
      `not in Self.AllowedIPs [${allowed.join(', ')}]${advertised ? ' (advertised in prefs)' : ''}: advertised but not approved`,
      `approve it in the admin console → Machines → ${machine} → Edit route settings → tick ${r}; or approve routes automatically with ${autoApproversSnippet(unapproved, exp.tags)} in the tailnet policy file${exp.tags.length === 0 ? ' (and tag the node: --advertise-tags)' : ''}`,
    );
  });
  if (exp.exitNode) {
    const base = {
      id: id('exit-node'),
      layer: 'L3' as const,
      title: 'exit node approved',
      source: 'ts-kb-1337' as const,
    };
    const ok =
      st.Self?.ExitNodeOption === true || (allowed.includes('0.0.0.0/0') && allowed.includes('::/0'));
    checks.push(
      ok
        ? pass(base, 'Self.AllowedIPs contains 0.0.0.0/0 and ::/0')
        : fail(
            base,
            'exit node not approved (0.0.0.0/0, ::/0 missing from Self.AllowedIPs)',
            `admin console → Machines → ${machine} → Edit route settings → Use as exit node; or ${autoApproversSnippet([], exp.tags, true)}`,
          ),
    );
  }
  return checks;
}

function evaluateHealth(st: TailscaleStatus, id: (s: string) => string): Check {
  const base = { id: id('health'), layer: 'L3' as const, title: 'no health warnings' };
  const warnings = st.Health ?? [];
  if (warnings.length === 0) return pass(base, 'Health: []');
  const serious = warnings.filter((w) => !BENIGN_HEALTH.some((re) => re.test(w)));
  const text = warnings.map((w) => w.replace(/\s+/g, ' ').trim()).join(' | ');
  return serious.length === 0
    ? pass(base, `only informational warnings: ${text}`)
    : fail(
        base,
        `Health: ${text}`,
        'fix what the warning names; tailscale netcheck in the container shows connectivity',
      );
}

interface ServeStatusJson {
  TCP?: Record<string, { HTTPS?: boolean; HTTP?: boolean; TCPForward?: string }> | null;
  Web?: Record<string, { Handlers?: Record<string, { Proxy?: string }> }> | null;
}

function evaluateServe(
  exp: ExpectedContainer,
  st: TailscaleStatus,
  serve: TailnetEvidence['serve'],
  id: (s: string) => string,
): Check[] {
  const bases = exp.serve.map((e) => ({
    e,
    base: {
      id: id(`serve:${e.port}`),
      layer: 'L3' as const,
      title: `serve port ${e.port} (${e.service})`,
      source: 'serve-config' as const,
    },
  }));
  if (!serve) return bases.map(({ base }) => skip(base, 'serve status not read'));
  let cfg: ServeStatusJson = {};
  try {
    cfg = serve.stdout.trim()
      ? (JSON.parse(serve.stdout.slice(serve.stdout.indexOf('{'))) as ServeStatusJson)
      : {};
  } catch {
    return bases.map(({ base }) =>
      fail(base, `tailscale serve status --json: ${(serve.stderr || serve.stdout).trim().split('\n')[0]}`),
    );
  }
  const certDomains = st.CertDomains ?? [];
  return bases.map(({ e, base }) => {
    const h = cfg.TCP?.[String(e.port)];
    if (!h)
      return fail(
        base,
        `port ${e.port} not in the serve config (TCP ports: ${Object.keys(cfg.TCP ?? {}).join(', ') || 'none'})`,
        e.kind === 'https' && certDomains.length === 0
          ? 'HTTPS certificates are off for the tailnet (CertDomains empty), so containerboot did not apply a config with HTTPS ports: admin console → DNS → HTTPS Certificates'
          : `is TS_SERVE_CONFIG set and the serve.json directory mounted? docker logs ${exp.containerName} | grep serve`,
      );
    if (e.kind === 'tcp') return pass(base, `TCP ${e.port} → ${h.TCPForward ?? '?'}`);
    const proxies = Object.entries(cfg.Web ?? {})
      .filter(([k]) => k.endsWith(`:${e.port}`))
      .flatMap(([k, v]) => Object.entries(v.Handlers ?? {}).map(([p, x]) => `${k}${p} → ${x.Proxy ?? '?'}`));
    if (proxies.length === 0) return fail(base, `TCP ${e.port} is HTTPS but has no Web handler`);
    if (certDomains.length === 0)
      return fail(
        base,
        `${proxies.join(', ')}; CertDomains empty`,
        'enable HTTPS certificates: admin console → DNS',
      );
    return pass(base, proxies.join(', '));
  });
}

/** True when one of the node's routes covers `ip` and is approved. */
export function routeApprovedFor(st: TailscaleStatus, ip: string): boolean {
  return (st.Self?.AllowedIPs ?? []).some(
    (r) => r.includes('/') && !r.endsWith('/32') && cidrContains(r, ip),
  );
}
