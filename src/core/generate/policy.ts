import type { FlagPolicy, KeyPolicy, Reason, ServicePolicy } from '../compose/managed.js';
import type { HomelabConfig } from '../model/config.js';

/**
 * What each mode owns in the tailscale service it generates (see ServicePolicy). Merged into a
 * user's file, everything else in the service keeps its effective value: logging, labels, deploy,
 * dns, extra_hosts, the user's own variables, volumes and networks, and a healthcheck, restart
 * policy or hostname they wrote. Each removal of a user setting carries the reason shown to them.
 */

export interface PolicyShape {
  /** Kernel (TUN) networking: macvlan and host; userspace otherwise. */
  kernel: boolean;
  /** network_mode: host. */
  hostNetwork: boolean;
  /** Docker ignores ports: because every network of the service is macvlan. */
  portsIgnored: boolean;
  /** The generated service publishes ports itself (a sidecar owns its app's ports). */
  ownsPorts: boolean;
  /** No routes by design (a sidecar exposes only its app). */
  sidecar: boolean;
}

const TUN = '/dev/net/tun';

/** Variables only kernel-mode containerboot accepts (settings.go refuses them with TS_USERSPACE). */
const KERNEL_ONLY_VARS = [
  'TS_DEST_IP',
  'TS_EXPERIMENTAL_DEST_DNS_NAME',
  'TS_TAILNET_TARGET_IP',
  'TS_TAILNET_TARGET_FQDN',
];
const AUTH_KEY_VARS = ['TS_AUTHKEY', 'TS_AUTH_KEY'];
const OAUTH_VARS = ['TS_CLIENT_ID', 'TS_CLIENT_SECRET', 'TS_ID_TOKEN', 'TS_AUDIENCE'];

/** Flags of TS_EXTRA_ARGS that come from tailbridge.yaml; the user's other flags are kept. */
export const EXTRA_ARGS_FLAGS: FlagPolicy = {
  owned: [
    'advertise-tags',
    'accept-routes',
    'advertise-exit-node',
    'advertise-routes',
    'hostname',
    'authkey',
    'auth-key',
    // tailscale.controlServer: the user's copy next to the generated one makes `tailscale up` exit 2
    // ("flag provided multiple times", measured with tailscale v1.102.3).
    'login-server',
  ],
  valued: ['advertise-tags', 'advertise-routes', 'hostname', 'authkey', 'auth-key', 'login-server'],
  removed: {
    text: 'tailbridge.yaml sets it (tailscale.tags, acceptRoutes, exitNode, controlServer; routes go in TS_ROUTES, the name in TS_HOSTNAME, the key in tailscale.auth)',
    source: 'containerboot-up-args',
  },
};

export function tailscalePolicy(
  config: HomelabConfig,
  shape: PolicyShape,
  generated: { environment: Record<string, string>; volumes: string[]; keys: string[] },
): ServicePolicy {
  const keys: Record<string, KeyPolicy> = {
    image: { own: 'value' },
    container_name: { own: 'value' },
    hostname: { own: 'default' },
    restart: { own: 'default' },
    healthcheck: { own: 'default' },
    entrypoint: {
      own: 'value',
      removed: {
        text: "it replaces the image's containerboot, which reads the TS_* variables this service is configured with",
        source: 'ts-image-entrypoint',
      },
    },
    command: {
      own: 'value',
      removed: {
        text: 'containerboot reads no arguments; the generated service is configured by TS_* variables only',
        source: 'containerboot-main',
      },
    },
    network_mode: shape.hostNetwork
      ? { own: 'value' }
      : {
          own: 'value',
          removed: {
            text: 'this mode gives tailscale its own network namespace on Docker networks instead of the host’s',
            source: 'docker-host-network',
          },
        },
    networks: shape.hostNetwork
      ? {
          own: 'value',
          removed: {
            text: 'network_mode: host cannot be combined with networks:',
            source: 'compose-network-mode',
          },
        }
      : { own: 'entries', kind: 'network', names: [] },
    environment: environmentPolicy(config, shape, Object.keys(generated.environment)),
    volumes: {
      own: 'entries',
      kind: 'target',
      names: [...generated.volumes.map(target), TUN],
      removed: { [TUN]: tunReason(shape.kernel, 'mount') },
    },
    devices: { own: 'entries', kind: 'target', names: [TUN], removed: { [TUN]: tunReason(false, 'device') } },
    cap_add: shape.kernel
      ? { own: 'entries', kind: 'capability', names: ['NET_ADMIN'] }
      : {
          own: 'entries',
          kind: 'capability',
          names: ['NET_ADMIN', 'SYS_MODULE', 'ALL'],
          removed: Object.fromEntries(
            ['NET_ADMIN', 'SYS_MODULE', 'ALL'].map((c) => [c, userspaceNeedsNo(`the ${c} capability`)]),
          ),
        },
  };
  if (!shape.kernel) keys.privileged = { own: 'value', removed: userspaceNeedsNo('privileged mode') };
  if (shape.hostNetwork)
    keys.sysctls = {
      own: 'entries',
      kind: 'variable',
      names: ['net.*'],
      removed: {
        'net.*': {
          text: 'Docker rejects net.* sysctls with network_mode: host; forwarding is enabled on the host',
          source: 'compose-sysctls',
        },
      },
    };
  else if (shape.kernel) keys.sysctls = { own: 'entries', kind: 'variable', names: [] };
  if (shape.hostNetwork)
    keys.ports = {
      own: 'value',
      removed: {
        text: 'Docker discards published ports with network_mode: host',
        source: 'docker-host-network',
      },
    };
  else if (shape.portsIgnored)
    keys.ports = {
      own: 'value',
      removed: {
        text: 'Docker ignores ports: on a container attached only to macvlan networks; it is reached at its own LAN address',
        source: 'docker-macvlan-no-ports',
      },
    };
  else if (shape.ownsPorts) keys.ports = { own: 'value' };
  authPolicy(config, keys);
  // Every key the generator writes is owned unless said otherwise above.
  for (const key of generated.keys) keys[key] ??= { own: 'value' };
  return { keys };
}

/** Fills in the names of entries the generated value has (networks, sysctls, devices…). */
export function withGeneratedEntries(policy: ServicePolicy, service: Record<string, unknown>): ServicePolicy {
  const keys = { ...policy.keys };
  for (const [key, p] of Object.entries(keys)) {
    if (p.own !== 'entries') continue;
    const value = service[key];
    const names = Array.isArray(value)
      ? value.map((v) => (p.kind === 'target' ? target(String(v)) : String(v)))
      : value && typeof value === 'object'
        ? Object.keys(value)
        : [];
    keys[key] = { ...p, names: [...new Set([...p.names, ...names])] };
  }
  return { keys };
}

function environmentPolicy(config: HomelabConfig, shape: PolicyShape, generated: string[]): KeyPolicy {
  const removed: Record<string, Reason> = {
    TS_ROUTES: shape.sidecar
      ? { text: 'a sidecar exposes only its app; routes stay with the subnet router' }
      : { text: 'tailbridge.yaml advertises no routes (tailscale.advertiseRoutes)' },
    TS_HEALTHCHECK_ADDR_PORT: {
      text: 'deprecated, and containerboot refuses it together with TS_ENABLE_HEALTH_CHECK, which the generated healthcheck uses',
      source: 'containerboot-health',
    },
  };
  const names = [...generated, 'TS_ROUTES', 'TS_HEALTHCHECK_ADDR_PORT', ...AUTH_KEY_VARS, ...OAUTH_VARS];
  const auth = config.tailscale.auth;
  const keyFrom =
    auth.method === 'env_file'
      ? `env_file ${auth.path}`
      : auth.method === 'secret_file'
        ? 'a compose secret'
        : '';
  for (const v of AUTH_KEY_VARS)
    removed[v] =
      auth.method === 'oauth'
        ? {
            text: `tailbridge.yaml logs in with an OAuth client (tailscale.auth); an auth key cannot be combined with it`,
            source: 'containerboot-env',
          }
        : { text: `the auth key comes from ${keyFrom} (tailscale.auth); one set here would override it` };
  for (const v of OAUTH_VARS)
    removed[v] =
      auth.method === 'oauth'
        ? {
            text: `the OAuth client comes from ${auth.clientSecretFile ? 'a compose secret (TS_CLIENT_SECRET=file:…)' : `env_file ${auth.clientIdEnvFile}`} (tailscale.auth); one set here would override it`,
          }
        : {
            text: 'tailbridge.yaml logs in with an auth key (tailscale.auth); OAuth settings cannot be combined with it',
            source: 'containerboot-env',
          };
  if (!shape.kernel) {
    names.push(...KERNEL_ONLY_VARS);
    for (const v of KERNEL_ONLY_VARS)
      removed[v] = {
        text: 'kernel mode only: containerboot refuses it with TS_USERSPACE=true',
        source: 'containerboot-env',
      };
  }
  return {
    own: 'entries',
    kind: 'variable',
    names: [...new Set(names)].filter((n) => n !== 'TS_EXTRA_ARGS'),
    removed,
    flags: { TS_EXTRA_ARGS: EXTRA_ARGS_FLAGS },
  };
}

function authPolicy(config: HomelabConfig, keys: Record<string, KeyPolicy>): void {
  const auth = config.tailscale.auth;
  if (auth.method === 'env_file') keys.env_file = { own: 'entries', kind: 'path', names: [auth.path] };
  else if (auth.method === 'oauth' && auth.clientIdEnvFile)
    keys.env_file = { own: 'entries', kind: 'path', names: [auth.clientIdEnvFile] };
  else keys.secrets = { own: 'entries', kind: 'secret', names: [] };
}

function tunReason(kernel: boolean, what: 'mount' | 'device'): Reason {
  return kernel && what === 'mount'
    ? {
        text: 'a device, not a volume: since runc 1.2 a bind-mounted tun fails with "operation not permitted" (the device is passed under devices:)',
        source: 'runc-tun',
      }
    : userspaceNeedsNo(`the ${TUN} ${what}`);
}

function userspaceNeedsNo(what: string): Reason {
  return {
    text: `userspace networking (TS_USERSPACE=true) does not use ${what}`,
    source: 'containerboot-env',
  };
}

/** Container path of a short volume or device string. */
function target(spec: string): string {
  const parts = spec.split(':');
  return parts.length === 1 ? parts[0]! : parts[1]!;
}
