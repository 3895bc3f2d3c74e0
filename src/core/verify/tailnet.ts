import { describeNode, nameHolders } from '../control/find-node.js';
import { CONTROL_LABEL } from '../control/server.js';
import { cidrContains } from '../model/net.js';
import { type ControlEvidence, evaluateControl } from './control.js';
import type { ExpectedContainer } from './expectations.js';
import { evaluateRoutes } from './routes.js';
import { evaluateServe, type ServeEvidence } from './serve.js';
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
    /** Stable node id: Tailscale's API nodeId, Headscale's numeric node id. */
    ID?: string;
    /** `nodekey:<hex>`, as the control server lists it. */
    PublicKey?: string;
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

export interface TailnetEvidence {
  status?: { exitCode: number; stdout: string; stderr: string };
  prefs?: TailscalePrefs;
  /** `tailscale serve status --json` */
  serve?: ServeEvidence;
  /** The control server's view of this node (its API), or why it was not read. */
  control?: ControlEvidence;
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
  checks.push(evaluateHostname(exp, st, ev.control, id));
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
  checks.push(...evaluateControl(exp, ev.control, id));
  checks.push(...evaluateRoutes(exp, st, ev.prefs, ev.control, id));
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
      skip({ id: id(`serve:${e.service}`), layer: 'L3', title: `serve port ${e.port} → ${e.service}` }, why),
    ),
  ];
}

/** The drift hint: from the control server (who holds the name, by id) or generic. */
function driftHint(exp: ExpectedContainer, label: string, control: ControlEvidence | undefined): string {
  const persist = 'state was lost (a new node registered): persist TS_STATE_DIR on a volume, then';
  if (control?.read) {
    const holders = nameHolders(control.others, exp.hostname, control.node);
    const old = holders.map(describeNode).join(', ') || `the old ${exp.hostname}`;
    if (control.kind === 'headscale') {
      const del = holders.map((h) => `headscale nodes delete --identifier ${h.id}`).join('; ');
      return `${persist} remove ${old} (${del || 'headscale nodes delete --identifier <id>'}) and rename this node back: headscale nodes rename --identifier ${control.node.id} ${exp.hostname}; its routes are approved per node, so approve them again (tailbridge routes approve)`;
    }
    return `${persist} remove ${old} in the admin console (Machines) and rename ${label} back to ${exp.hostname}; re-approve its routes (tailbridge routes approve)`;
  }
  return `${persist} delete the old offline ${exp.hostname} in the admin console (Machines) and rename ${label} back to ${exp.hostname}; re-approve its routes`;
}

function evaluateHostname(
  exp: ExpectedContainer,
  st: TailscaleStatus,
  control: ControlEvidence | undefined,
  id: (s: string) => string,
): Check {
  const base = {
    id: id('hostname'),
    layer: 'L3' as const,
    title: `machine name is ${exp.hostname}`,
    source: 'containerboot-state' as const,
  };
  const dnsName = st.Self?.DNSName?.replace(/\.$/, '') ?? '';
  const hostName = st.Self?.HostName ?? '';
  // The control server's name is current; the node's own DNSName can lag a rename.
  const label = (control?.read ? control.node.name : dnsName.split('.')[0]) ?? '';
  const evidence = `Self.HostName ${hostName || '(none)'}, Self.DNSName ${dnsName || '(none)'}${control?.read ? `, ${CONTROL_LABEL[control.kind]} name ${control.node.name} (id ${control.node.id})` : ''}`;
  const drift = new RegExp(`^${exp.hostname.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}-(\\d+)$`).exec(label);
  if (drift) {
    const holders = control?.read ? nameHolders(control.others, exp.hostname, control.node) : [];
    return fail(
      base,
      `${evidence}: the tailnet already had a ${exp.hostname}${holders.length > 0 ? ` (${holders.map(describeNode).join(', ')})` : ''}, so this node became ${label}`,
      driftHint(exp, label, control),
    );
  }
  if (label && label !== exp.hostname)
    return fail(
      base,
      evidence,
      `TS_HOSTNAME should be ${exp.hostname}; or the machine was renamed ${control?.kind === 'headscale' ? 'on Headscale (headscale nodes rename)' : 'in the admin console'}`,
    );
  if (!label && hostName !== exp.hostname)
    return fail(base, evidence, `TS_HOSTNAME should be ${exp.hostname}`);
  return pass(base, evidence);
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

/** True when one of the node's routes covers `ip` and is approved. */
export function routeApprovedFor(st: TailscaleStatus, ip: string): boolean {
  return (st.Self?.AllowedIPs ?? []).some(
    (r) => r.includes('/') && !r.endsWith('/32') && cidrContains(r, ip),
  );
}
