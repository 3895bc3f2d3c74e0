import { DEFAULT_CONTROL_SERVER } from '../model/control-kind.js';
import { parseStatusJson } from '../verify/tailnet.js';
import { extraArgsIntent } from './extra-args.js';

/** What the adapter read about a running tailscale container (no secret values). */
export interface RunningFacts {
  container: string;
  /** The readable TS_* switches (TS_EXTRA_ARGS already redacted). */
  tsSettings: Record<string, string>;
  /** The container's own hostname: containerboot's default when TS_HOSTNAME is unset. */
  containerHostname?: string;
  /** Host path of the state directory's mount, when the state is persisted. */
  stateDir?: string;
  /** `tailscale status --json`, when it ran. */
  status?: string;
  /** `tailscale debug prefs`, when it ran. */
  prefs?: string;
}

export type IdentityField = 'hostname' | 'routes' | 'exitNode' | 'tags' | 'acceptRoutes' | 'stateDir';

/** The node as it runs: what the guard protects and `init --discover` copies. */
export interface NodeIdentity {
  container: string;
  /** The name the node asks for (prefs Hostname / Self.HostName / TS_HOSTNAME / container hostname). */
  hostname?: string;
  /** The machine name the tailnet gave it (first label of Self.DNSName), e.g. `truenas-1`. */
  machineName?: string;
  /** Advertised subnet routes (exit-node default routes excluded). */
  routes: string[];
  exitNode: boolean;
  tags: string[];
  acceptRoutes: boolean;
  /** Host directory of the state; undefined = not persisted. */
  stateDir?: string;
  /** The control server the node logged in to, when it is not Tailscale's (e.g. a Headscale URL). */
  controlServer?: { url: string; from: string };
  /** Where each fact was read. */
  from: Partial<Record<IdentityField, string>>;
}

interface Prefs {
  Hostname?: string;
  AdvertiseRoutes?: string[] | null;
  AdvertiseTags?: string[] | null;
  RouteAll?: boolean;
  ControlURL?: string;
}

const EXIT_ROUTES = new Set(['0.0.0.0/0', '::/0']);
const splitList = (s: string | undefined) =>
  (s ?? '')
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);

/**
 * `tailscale debug prefs` reduced to the fields the identity needs. The full output carries the
 * node's private keys (`Config.PrivateNodeKey`…): they are dropped the moment the text is read.
 */
export function identityPrefs(text: string): string | undefined {
  const p = parsePrefs(text);
  if (!p) return undefined;
  const { Hostname, AdvertiseRoutes, AdvertiseTags, RouteAll, ControlURL } = p;
  return JSON.stringify({ Hostname, AdvertiseRoutes, AdvertiseTags, RouteAll, ControlURL });
}

function parsePrefs(text: string | undefined): Prefs | undefined {
  if (!text) return undefined;
  const start = text.indexOf('{');
  if (start < 0) return undefined;
  try {
    const p = JSON.parse(text.slice(start)) as Prefs;
    return typeof p === 'object' && p !== null && ('AdvertiseRoutes' in p || 'RouteAll' in p) ? p : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The running node's identity from what was read, most authoritative first: the node's prefs
 * (`tailscale debug prefs`: what it asks for), then `tailscale status --json` (what the tailnet
 * shows), then the container's settings (TS_HOSTNAME, TS_ROUTES, TS_EXTRA_ARGS — what containerboot
 * passes to `tailscale up`; routes in TS_EXTRA_ARGS come later on that line and win). Pure.
 */
export function runningIdentity(f: RunningFacts): NodeIdentity {
  const prefs = parsePrefs(f.prefs);
  const parsed = f.status ? parseStatusJson(f.status) : undefined;
  const status = parsed && !('error' in parsed) ? parsed : undefined;
  const extra = extraArgsIntent(f.tsSettings.TS_EXTRA_ARGS ?? '');
  const from: NodeIdentity['from'] = {};
  const pick = <T>(field: IdentityField, options: [T | undefined, string][]): T | undefined => {
    for (const [value, where] of options)
      if (value !== undefined && value !== '') {
        from[field] = where;
        return value;
      }
    return undefined;
  };

  const hostname = pick<string>('hostname', [
    [prefs?.Hostname, 'tailscale debug prefs (Hostname)'],
    [status?.Self?.HostName, 'tailscale status (Self.HostName)'],
    [extra.hostname, 'TS_EXTRA_ARGS --hostname'],
    [f.tsSettings.TS_HOSTNAME, 'TS_HOSTNAME'],
    [f.containerHostname, 'the container hostname (TS_HOSTNAME is unset)'],
  ]);
  const machineName = status?.Self?.DNSName?.split('.')[0] || undefined;

  let advertised: string[];
  if (prefs) {
    advertised = prefs.AdvertiseRoutes ?? [];
    from.routes = 'tailscale debug prefs (AdvertiseRoutes)';
  } else {
    const env = extra.routes ?? splitList(f.tsSettings.TS_ROUTES);
    const approved = status?.Self?.PrimaryRoutes ?? [];
    advertised = [...new Set([...env, ...approved])];
    from.routes = [
      extra.routes ? 'TS_EXTRA_ARGS --advertise-routes' : 'TS_ROUTES',
      approved.length ? 'PrimaryRoutes' : '',
    ]
      .filter(Boolean)
      .join(' + ');
  }
  const exitNode = prefs
    ? advertised.some((r) => EXIT_ROUTES.has(r))
    : (pick<boolean>('exitNode', [
        [extra.exitNode, 'TS_EXTRA_ARGS --advertise-exit-node'],
        [status?.Self?.ExitNodeOption, 'tailscale status (ExitNodeOption)'],
      ]) ?? false);
  if (prefs) from.exitNode = 'tailscale debug prefs (AdvertiseRoutes 0.0.0.0/0)';
  const tags =
    pick<string[]>('tags', [
      [prefs?.AdvertiseTags ?? undefined, 'tailscale debug prefs (AdvertiseTags)'],
      [status?.Self?.Tags?.length ? status.Self.Tags : undefined, 'tailscale status (Self.Tags)'],
      [extra.tags, 'TS_EXTRA_ARGS --advertise-tags'],
    ]) ?? [];
  const acceptRoutes =
    pick<boolean>('acceptRoutes', [
      [prefs?.RouteAll, 'tailscale debug prefs (RouteAll)'],
      [extra.acceptRoutes, 'TS_EXTRA_ARGS --accept-routes'],
    ]) ?? false;
  if (f.stateDir) from.stateDir = 'state directory mount';
  const controlServer = controlServerOf(prefs, f.tsSettings.TS_EXTRA_ARGS);
  return {
    container: f.container,
    ...(hostname ? { hostname } : {}),
    ...(machineName ? { machineName } : {}),
    routes: advertised.filter((r) => !EXIT_ROUTES.has(r)),
    exitNode,
    tags,
    acceptRoutes,
    ...(f.stateDir ? { stateDir: f.stateDir } : {}),
    ...(controlServer ? { controlServer } : {}),
    from,
  };
}

/**
 * The node's control server: prefs ControlURL (what it logged in to), else --login-server in
 * TS_EXTRA_ARGS; undefined for Tailscale's own. Measured on the real lab: a node on Headscale has
 * ControlURL https://198.19.0.10 in `tailscale debug prefs`.
 */
function controlServerOf(
  prefs: Prefs | undefined,
  extraArgs: string | undefined,
): NodeIdentity['controlServer'] {
  const flag = /(?:^|\s)--login-server[=\s]+(\S+)/.exec(extraArgs ?? '')?.[1];
  const [url, from] = prefs?.ControlURL
    ? [prefs.ControlURL, 'tailscale debug prefs (ControlURL)']
    : [flag, 'TS_EXTRA_ARGS --login-server'];
  if (!url || url.replace(/\/+$/, '') === DEFAULT_CONTROL_SERVER) return undefined;
  return { url, from };
}
