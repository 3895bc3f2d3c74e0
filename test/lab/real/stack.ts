/**
 * The NAS's tailscale stack as it runs today (the starting point tailbridge migrates from): a user's
 * compose file with the real image, host networking, TS_STATE_DIR, TS_ROUTES, the auth key in an
 * env_file and --login-server in TS_EXTRA_ARGS, plus the tailbridge.yaml that describes the lab.
 * Nothing in these files is lab-specific except the addresses: users' files run unchanged.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { detectCompose } from '../../../src/adapters/docker/compose.js';
import { parseConfig } from '../../../src/core/model/load.js';
import type { ComposeProject } from '../../../src/core/ports/compose.js';
import { REAL_APPS } from './apps.js';
import { HEADSCALE_URL, MAGIC_DNS_DOMAIN } from './headscale.js';
import { tryRun, waitFor } from './sh.js';
import { NET } from './topology.js';
import { TAILSCALE_IMAGE } from './versions.js';

export const NAS_HOSTNAME = 'tbr-nas';
export const NAS_CONTAINER = 'tbr-tailscale';
export const STACK_FILES = {
  compose: 'compose.yaml',
  config: 'tailbridge.yaml',
  env: 'tailscale.env',
  state: 'state',
} as const;

/**
 * The host-mode compose file. `userspace: false` (default) is a kernel-mode subnet router like the
 * TrueNAS catalog app; `true` runs userspace networking in the host namespace (no /dev/net/tun).
 */
export function hostModeCompose(
  o: { userspace?: boolean; container?: string; hostname?: string } = {},
): string {
  const hostname = o.hostname ?? NAS_HOSTNAME;
  const kernel = !o.userspace;
  return `# The tailscale stack as it runs today on the NAS (host networking).
services:
  # Subnet router for the LAN. Host networking so the LAN route just works.
  tailscale:
    image: ${TAILSCALE_IMAGE}
    container_name: ${o.container ?? NAS_CONTAINER}
    hostname: ${hostname}
    restart: unless-stopped
    network_mode: host   # TODO: get rid of this (see notes)
${kernel ? '    cap_add: [NET_ADMIN]\n    devices: [/dev/net/tun:/dev/net/tun]\n' : ''}    env_file:
      - ${STACK_FILES.env}   # TS_AUTHKEY lives here
    environment:
      - TS_STATE_DIR=/var/lib/tailscale
      - TS_HOSTNAME=${hostname}
      - TS_USERSPACE=${kernel ? 'false' : 'true'}
      - TS_ROUTES=${NET.lanSubnet}
      - TS_EXTRA_ARGS=--login-server=${HEADSCALE_URL}
    volumes:
      - ./${STACK_FILES.state}:/var/lib/tailscale
`;
}

/** tailbridge.yaml for the lab (validated against the model before it is written). */
export function labConfigYaml(labDir: string): string {
  return `# tailbridge.yaml — the tailbridge REAL LAB: LAN ${NET.lanSubnet} (bridge ${NET.lanBridge}),
# Headscale at ${HEADSCALE_URL} on the "internet" segment ${NET.inetSubnet}, real tailscale ${TAILSCALE_IMAGE}.
version: 1
lan:
  subnet: ${NET.lanSubnet}
  gateway: ${NET.gateway}
  parentInterface: ${NET.lanBridge}
  parentKind: bridge
  dhcpRange: { start: ${NET.dhcpRange.start}, end: ${NET.dhcpRange.end} }
  macvlan:
    address: ${NET.macvlanAddress}
    ipRange: ${NET.macvlanRange}
    shimAddress: ${NET.shimAddress}
    usedAddresses: [${NET.nas}, ${NET.lanClient}]
host:
  name: ${NAS_HOSTNAME}
  address: ${NET.nas}
  platform: linux
tailscale:
  service: tailscale
  containerName: ${NAS_CONTAINER}
  hostname: ${NAS_HOSTNAME}
  image: ${TAILSCALE_IMAGE}
  stateDir: ${path.join(labDir, STACK_FILES.state)}
  auth:
    method: env_file
    path: ${STACK_FILES.env}
  advertiseRoutes: [${NET.lanSubnet}]
  acceptRoutes: false
  exitNode: false
  tags: []
  controlServer: ${HEADSCALE_URL}
services:
${REAL_APPS.map((a) => `  - { name: ${a.name}, container: ${a.container}, port: ${a.port}, protocol: http, network: ${a.network}, publishedOnHost: true }`).join('\n')}
requirements:
  subnetRouting: true
  dockerServiceDiscovery: true
  hostAccess: true
paths:
  compose: ${STACK_FILES.compose}
verify:
  lanTargets:
    - { name: lanclient, address: ${NET.lanClient}, port: ${NET.lanClientPort} }
`;
}

/** Where tailbridge.yaml names the Headscale API key (a file next to it, mode 0600). */
export const API_KEY_FILE = 'headscale-api.key';

/**
 * tailbridge.yaml with the control server's API: the key by file (or by environment variable when
 * `keyEnv` is given), the lab CA as caFile, and Headscale's base domain.
 */
export function withControlApi(yaml: string, o: { caFile: string; keyEnv?: string }): string {
  const key = o.keyEnv ? `{ env: ${o.keyEnv} }` : `{ file: ${API_KEY_FILE} }`;
  return yaml.replace(
    `  controlServer: ${HEADSCALE_URL}\n`,
    `  controlServer: ${HEADSCALE_URL}\n  control:\n    baseDomain: ${MAGIC_DNS_DOMAIN}\n    api:\n      apiKey: ${key}\n      caFile: ${o.caFile}\n`,
  );
}

/** Adds the API to the lab's tailbridge.yaml and writes the key file. */
export function writeControlApi(
  labDir: string,
  apiKey: string,
  o: { caFile: string; keyEnv?: string },
): void {
  const file = path.join(labDir, STACK_FILES.config);
  const yaml = withControlApi(labConfigYaml(labDir), o);
  parseConfig(file, yaml);
  writeFileSync(file, yaml);
  writeFileSync(path.join(labDir, API_KEY_FILE), `${apiKey}\n`, { mode: 0o600 });
}

export function writeStack(labDir: string, authKey: string, o: { userspace?: boolean } = {}): void {
  const yaml = labConfigYaml(labDir);
  parseConfig(path.join(labDir, STACK_FILES.config), yaml);
  writeFileSync(path.join(labDir, STACK_FILES.config), yaml);
  writeFileSync(path.join(labDir, STACK_FILES.compose), hostModeCompose(o));
  writeFileSync(path.join(labDir, STACK_FILES.env), `TS_AUTHKEY=${authKey}\n`, { mode: 0o600 });
}

export function stackProject(labDir: string): ComposeProject {
  return { cwd: labDir, files: [path.join(labDir, STACK_FILES.compose)] };
}

export async function composeUp(labDir: string): Promise<void> {
  const compose = await detectCompose();
  const r = await compose.up(stackProject(labDir));
  if (r.exitCode !== 0) throw new Error(`compose up failed: ${(r.stderr || r.stdout).trim().slice(-500)}`);
}

export async function composeDown(labDir: string): Promise<void> {
  const compose = await detectCompose();
  await compose.down(stackProject(labDir));
}

/** `tailscale status --json` inside a container, parsed; undefined when it does not answer. */
export function containerStatus(container: string): Record<string, unknown> | undefined {
  const r = tryRun('docker', ['exec', container, 'tailscale', 'status', '--json'], { timeoutMs: 15_000 });
  if (r.code !== 0) return undefined;
  try {
    return JSON.parse(r.stdout) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

export function containerLogs(container: string): string {
  const r = tryRun('docker', ['logs', container]);
  return `${r.stdout}${r.stderr}`;
}

/** Waits for containerboot's "Startup complete" and BackendState Running. */
export async function waitRunning(container: string, timeoutMs = 90_000): Promise<Record<string, unknown>> {
  return waitFor(
    `${container} to reach BackendState Running`,
    () => {
      const st = containerStatus(container);
      return st?.BackendState === 'Running' && containerLogs(container).includes('Startup complete')
        ? st
        : undefined;
    },
    timeoutMs,
    1000,
  );
}
