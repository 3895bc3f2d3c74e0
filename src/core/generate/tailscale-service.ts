import { TailbridgeError } from '../../errors.js';
import type { ComposeEdit } from '../compose/edits.js';
import type { Fact } from '../facts/sources.js';
import { controlKindOf, DEFAULT_CONTROL_SERVER, type HomelabConfig } from '../model/config.js';
import { OAUTH_SECRET } from './manual-steps.js';
import { tailscalePolicy, withGeneratedEntries } from './policy.js';

/** Pieces every generated tailscale service shares: image, identity, state, auth, routes, health. */

export const STATE_MOUNT = '/var/lib/tailscale';
/** Loopback only: the default [::]:9002 would expose /healthz on every network the container joins. */
export const HEALTH_ADDR_PORT = '127.0.0.1:9002';
export const AUTH_SECRET = 'ts_authkey';

export interface TailscaleServiceOptions {
  service: string;
  containerName: string;
  hostname: string;
  stateDir: string;
  userspace: boolean;
  routes: readonly string[];
  acceptRoutes: boolean;
  exitNode: boolean;
  /** Keys placed after the common ones (network_mode, networks, ports, TS_SERVE_CONFIG…). */
  environment?: Record<string, string>;
  volumes?: string[];
  placement?: Record<string, unknown>;
  /** Docker ignores ports: on this service (all its networks are macvlan). */
  portsIgnored?: boolean;
}

/** A service key rendered with a comment above it (for the non-obvious choices). */
export interface CommentedKey {
  value: unknown;
  comment: string;
}

/** The main tailscale service of modes A–D, from config.tailscale. */
export function mainServiceOptions(
  config: HomelabConfig,
  userspace: boolean,
): Omit<TailscaleServiceOptions, 'placement'> {
  const ts = config.tailscale;
  return {
    service: ts.service,
    containerName: ts.containerName,
    hostname: ts.hostname,
    stateDir: ts.stateDir,
    userspace,
    routes: ts.advertiseRoutes,
    acceptRoutes: ts.acceptRoutes,
    exitNode: ts.exitNode,
  };
}

export function assertAuthUsable(config: HomelabConfig): void {
  if (config.tailscale.auth.method === 'oauth' && config.tailscale.tags.length === 0)
    throw new TailbridgeError(
      'tailscale.auth.method oauth needs tailscale.tags (an OAuth client can only create tagged nodes)',
    );
}

/** Another control server than Tailscale's (e.g. Headscale): `--login-server=<url>` for `tailscale up`. */
export function loginServerArgs(controlServer: string): string[] {
  const bare = (url: string) => url.replace(/\/+$/, '');
  return bare(controlServer) === bare(DEFAULT_CONTROL_SERVER) ? [] : [`--login-server=${controlServer}`];
}

/**
 * --advertise-tags only where the control server takes them: Headscale rejects them with a pre-auth
 * key (the key carries the tags), Tailscale needs them for an OAuth client's minted key.
 */
export function advertisesTags(config: HomelabConfig): boolean {
  return config.tailscale.tags.length > 0 && controlKindOf(config.tailscale) !== 'headscale';
}

export function extraArgs(config: HomelabConfig, opts: { acceptRoutes: boolean; exitNode: boolean }): string {
  const args: string[] = [...loginServerArgs(config.tailscale.controlServer)];
  if (advertisesTags(config)) args.push(`--advertise-tags=${config.tailscale.tags.join(',')}`);
  if (opts.acceptRoutes) args.push('--accept-routes');
  if (opts.exitNode) args.push('--advertise-exit-node');
  return args.join(' ');
}

function authFields(config: HomelabConfig): {
  service: Record<string, unknown>;
  env: Record<string, string>;
} {
  const auth = config.tailscale.auth;
  switch (auth.method) {
    case 'env_file':
      return { service: { env_file: [auth.path] }, env: {} };
    case 'oauth':
      // tailscale up reads a "file:" client secret itself (cmd/tailscale/cli/up.go resolveValue).
      return auth.clientSecretFile
        ? {
            service: { secrets: [OAUTH_SECRET] },
            env: { TS_CLIENT_SECRET: `file:/run/secrets/${OAUTH_SECRET}` },
          }
        : { service: { env_file: [auth.clientIdEnvFile!] }, env: {} };
    case 'secret_file':
      return {
        service: { secrets: [AUTH_SECRET] },
        env: { TS_AUTHKEY: `file:/run/secrets/${AUTH_SECRET}` },
      };
  }
}

/** Top-level `secrets:` entry when the auth key comes from a file (never inline). */
export function authEdits(config: HomelabConfig): ComposeEdit[] {
  const auth = config.tailscale.auth;
  if (auth.method === 'secret_file')
    return [{ op: 'put', path: ['secrets', AUTH_SECRET], value: { file: auth.path } }];
  if (auth.method === 'oauth' && auth.clientSecretFile)
    return [{ op: 'put', path: ['secrets', OAUTH_SECRET], value: { file: auth.clientSecretFile } }];
  return [];
}

export function tailscaleEnvironment(
  config: HomelabConfig,
  opts: TailscaleServiceOptions,
): Record<string, string> {
  const env: Record<string, string> = {
    TS_HOSTNAME: opts.hostname,
    TS_STATE_DIR: STATE_MOUNT,
    TS_USERSPACE: String(opts.userspace),
    TS_AUTH_ONCE: 'true',
    ...authFields(config).env,
  };
  // Unset, not empty: an empty TS_ROUTES actively withdraws previously advertised routes.
  if (opts.routes.length > 0) env.TS_ROUTES = opts.routes.join(',');
  const extra = extraArgs(config, opts);
  if (extra) env.TS_EXTRA_ARGS = extra;
  env.TS_ENABLE_HEALTH_CHECK = 'true';
  env.TS_LOCAL_ADDR_PORT = HEALTH_ADDR_PORT;
  return { ...env, ...opts.environment };
}

export const HEALTHCHECK = {
  test: ['CMD', 'wget', '-q', '--spider', `http://${HEALTH_ADDR_PORT}/healthz`],
  interval: '30s',
  timeout: '5s',
  retries: 3,
  start_period: '30s',
};

/** put of the service plus commented `set`s for the keys that need a why next to them. */
export function tailscaleServiceEdits(
  config: HomelabConfig,
  opts: TailscaleServiceOptions,
  commented: Record<string, CommentedKey> = {},
): ComposeEdit[] {
  assertAuthUsable(config);
  const body: Record<string, unknown> = {
    image: config.tailscale.image,
    container_name: opts.containerName,
    hostname: opts.hostname,
    restart: 'unless-stopped',
    ...opts.placement,
    ...authFields(config).service,
    environment: tailscaleEnvironment(config, opts),
  };
  const keys: Record<string, CommentedKey> = {
    volumes: {
      value: [`${opts.stateDir}:${STATE_MOUNT}`, ...(opts.volumes ?? [])],
      comment:
        'State dir + TS_STATE_DIR: a volume alone still gives a new node on every restart (tailscale#6362)',
    },
    healthcheck: {
      value: HEALTHCHECK,
      comment: 'busybox wget in the image; /healthz answers 200 once the node has a tailnet IP',
    },
    ...commented,
  };
  const environment = body.environment as Record<string, string>;
  const volumes = keys.volumes!.value as string[];
  const policy = withGeneratedEntries(
    tailscalePolicy(
      config,
      {
        kernel: !opts.userspace,
        hostNetwork: opts.placement?.['network_mode'] === 'host',
        portsIgnored: opts.portsIgnored ?? false,
        ownsPorts: opts.placement?.['ports'] !== undefined,
        sidecar: opts.service !== config.tailscale.service,
      },
      { environment, volumes, keys: [...Object.keys(body), ...Object.keys(keys)] },
    ),
    { ...body, ...Object.fromEntries(Object.entries(keys).map(([k, v]) => [k, v.value])) },
  );
  return [
    { op: 'put', path: ['services', opts.service], value: body, policy },
    ...Object.entries(keys).map(
      ([key, k]): ComposeEdit => ({
        op: 'set',
        path: ['services', opts.service, key],
        value: k.value,
        comment: k.comment,
      }),
    ),
  ];
}

/** Kernel (TUN) mode keys; sysctls only where compose allows them (not with host networking). */
export function kernelModeKeys(withSysctls: boolean): Record<string, CommentedKey> {
  const keys: Record<string, CommentedKey> = {
    devices: {
      value: ['/dev/net/tun:/dev/net/tun'],
      comment: 'A device, not a volume: since runc 1.2 a bind-mounted tun fails "operation not permitted"',
    },
    cap_add: {
      value: ['NET_ADMIN'],
      comment:
        'NET_ADMIN for tailscale0/routes; SYS_MODULE only serves a modprobe fallback; NET_RAW is a default',
    },
  };
  if (withSysctls)
    keys.sysctls = {
      value: { 'net.ipv4.ip_forward': 1, 'net.ipv6.conf.all.forwarding': 1 },
      comment:
        'containerboot exits if it cannot enable forwarding; IPv6 forwarding starts at 0 in a new netns',
    };
  return keys;
}

/** Compose key for an external Docker network (its real name goes in `name:`). */
export function networkKey(network: string): string {
  return network === 'default' ? 'ext-default' : network;
}

export function serviceNetworks(config: HomelabConfig): string[] {
  return [...new Set(config.services.map((s) => s.network))];
}

export function externalNetworkEdits(networks: readonly string[]): ComposeEdit[] {
  return networks.map((n) => ({
    op: 'put',
    path: ['networks', networkKey(n)],
    value: { external: true, name: n },
    // A network the user's file already defines (the apps' own) is joined as it is.
    ifAbsent: true,
  }));
}

export function commonNotes(config: HomelabConfig, kernelMode: boolean): Fact[] {
  const notes: Fact[] = [
    {
      text: 'TS_STATE_DIR is set and the state dir is mounted: without TS_STATE_DIR tailscaled keeps state in memory and every restart registers a new node (name-1, new IP, routes to re-approve).',
      source: 'containerboot-state',
    },
    {
      text: 'TS_AUTH_ONCE=true: the auth key is only used for the first login, so a restart after the key expired still works (with false, the expired key is re-sent and the restart fails).',
      source: 'containerboot-auth-key-resend',
    },
    {
      text: 'Trade-off of TS_AUTH_ONCE=true: after the first login TS_EXTRA_ARGS (tags, --accept-routes, --advertise-exit-node) is not re-applied; TS_ROUTES and TS_HOSTNAME are. Change those flags with `docker exec <container> tailscale set …` or log in again.',
      source: 'containerboot-auth-once',
    },
    {
      text: 'Routes go in TS_ROUTES, not --advertise-routes in TS_EXTRA_ARGS: only TS_ROUTES triggers containerboot’s forwarding setup and is re-applied on restart.',
      source: 'containerboot-forwarding',
    },
  ];
  const login = loginServerArgs(config.tailscale.controlServer);
  if (login.length > 0)
    notes.push({
      text: `The control server ${config.tailscale.controlServer} is passed as ${login[0]} in TS_EXTRA_ARGS: containerboot appends TS_EXTRA_ARGS to \`tailscale up\`, and the node keeps the control URL in its state after the first login.`,
      source: 'containerboot-extra-args',
    });
  if (controlKindOf(config.tailscale) === 'headscale' && config.tailscale.tags.length > 0)
    notes.push({
      text: `Tags come from the pre-auth key (headscale preauthkeys create --tags ${config.tailscale.tags.join(',')}): Headscale rejects --advertise-tags from a node that logs in with a pre-auth key, so TS_EXTRA_ARGS does not carry them.`,
      source: 'headscale-tags',
    });
  if (config.tailscale.auth.method === 'oauth')
    notes.push({
      text: `An OAuth client logs in: tailscale up mints a tagged auth key with it (TS_CLIENT_SECRET${config.tailscale.auth.clientSecretFile ? ' read from the mounted file' : ''}, --advertise-tags=${config.tailscale.tags.join(',')}); the key is ephemeral unless the secret ends in ?ephemeral=false.`,
      source: 'containerboot-oauth',
    });
  if (kernelMode && config.tailscale.advertiseRoutes.some((r) => r.includes(':')))
    notes.push({
      text: 'An IPv6 route is advertised: IPv6 forwarding starts at 0 in a new network namespace, so it must be enabled explicitly.',
      source: 'kernel-netns-ipv6',
    });
  return notes;
}
