/**
 * The lab homelab: a tailbridge.yaml describing the emulated LAN (lan.ts), the tailscale double and the
 * app containers, plus helpers that write it, the generated compose file and the compose override
 * that mounts the fake control plane, into a temp project dir.
 *
 * Generated compose files are NOT changed for the lab. Tests run them as
 *   docker-compose -p tblab-<x> -f compose.yaml -f lab.override.yaml up -d
 * where lab.override.yaml (labOverride()) adds the control-dir volume `<controlDir>:/tailnet` and
 * TAILNET_CONTROL_DIR=/tailnet to the tailscale service. Use a project name starting with "tblab" so
 * cleanupLab() finds its networks; the double image's label marks its containers.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { generate } from '../../src/core/generate/index.js';
import { parseConfig } from '../../src/core/model/load.js';
import type { Mode } from '../../src/core/model/modes.js';
import { LAB_AUTH_KEY } from './control.js';
import { TAILSCALE_DOUBLE_IMAGE } from './images.js';
import { APPS, LAN } from './lan.js';

export interface LabHomelabOptions {
  /** Host dir for tailscaled state (TS_STATE_DIR is mounted from it). */
  stateDir: string;
  /** The env file holding TS_AUTHKEY. */
  envFile: string;
  hostname?: string;
  containerName?: string;
  compose?: string;
}

/** tailbridge.yaml text for the lab (valid per src/core/model/config.ts). */
export function labConfigYaml(o: LabHomelabOptions): string {
  const hostname = o.hostname ?? 'tblab-nas';
  return `# tailbridge.yaml — the tailbridge TEST LAB (emulated LAN 198.18.0.0/24, tailscale TEST DOUBLE image)
version: 1
lan:
  subnet: ${LAN.subnet}
  gateway: ${LAN.gateway}
  parentInterface: ${LAN.bridge}
  parentKind: bridge
  dhcpRange: { start: ${LAN.dhcpRange.start}, end: ${LAN.dhcpRange.end} }
  macvlan:
    address: ${LAN.macvlanAddress}
    ipRange: ${LAN.macvlanRange}
    shimAddress: ${LAN.shimAddress}
    usedAddresses: [${LAN.hostAddress}, ${LAN.lanHost}]
host:
  name: tblab-host
  address: ${LAN.hostAddress}
  platform: linux
tailscale:
  service: tailscale
  containerName: ${o.containerName ?? 'tblab-tailscale'}
  hostname: ${hostname}
  image: ${TAILSCALE_DOUBLE_IMAGE}
  stateDir: ${o.stateDir}
  auth:
    method: env_file
    path: ${o.envFile}
  advertiseRoutes: [${LAN.subnet}]
  acceptRoutes: false
  exitNode: false
  tags: []
services:
${APPS.map((a) => `  - { name: ${a.name}, container: ${a.container}, port: ${a.port}, protocol: http, network: ${a.network}, publishedOnHost: false }`).join('\n')}
requirements:
  subnetRouting: true
  dockerServiceDiscovery: true
  hostAccess: true
paths:
  compose: ${o.compose ?? 'compose.yaml'}
`;
}

export interface LabProject {
  dir: string;
  configFile: string;
  composeFile: string;
  overrideFile: string;
  envFile: string;
  stateDir: string;
  /** Side files the generator produced (serve.json, shim script…), relative paths. */
  sideFiles: string[];
  /** `-p <name> -f compose.yaml -f lab.override.yaml` for docker-compose. */
  composeArgs: string[];
  projectName: string;
}

/** compose override adding the fake control plane to the tailscale service. */
export function labOverride(controlDir: string, service = 'tailscale'): string {
  return stringify({
    services: {
      [service]: {
        volumes: [`${controlDir}:/tailnet`],
        environment: { TAILNET_CONTROL_DIR: '/tailnet' },
        labels: { 'tailbridge.lab': '1' },
      },
    },
  });
}

/**
 * Writes tailbridge.yaml, .env (TS_AUTHKEY=<fake lab key>), state dir, the generated compose for `mode`
 * (+ side files) and lab.override.yaml into a fresh temp dir `tblab-project-*`.
 */
export function writeLabProject(opts: {
  mode: Mode;
  controlDir: string;
  hostname?: string;
  authKey?: string;
}): LabProject {
  const dir = mkdtempSync(path.join(tmpdir(), 'tblab-project-'));
  const stateDir = path.join(dir, 'state');
  mkdirSync(stateDir);
  const envFile = path.join(dir, 'tailscale.env');
  writeFileSync(envFile, `TS_AUTHKEY=${opts.authKey ?? LAB_AUTH_KEY}\n`, { mode: 0o600 });
  const configFile = path.join(dir, 'tailbridge.yaml');
  const yaml = labConfigYaml({ stateDir, envFile, ...(opts.hostname ? { hostname: opts.hostname } : {}) });
  writeFileSync(configFile, yaml);
  const config = parseConfig(configFile, yaml);
  const gen = generate(config, opts.mode);
  const composeFile = path.join(dir, 'compose.yaml');
  writeFileSync(composeFile, gen.compose);
  for (const f of gen.files) {
    const p = path.join(dir, f.path);
    mkdirSync(path.dirname(p), { recursive: true });
    writeFileSync(p, f.content, { mode: f.executable ? 0o755 : 0o644 });
  }
  const overrideFile = path.join(dir, 'lab.override.yaml');
  writeFileSync(overrideFile, labOverride(opts.controlDir, config.tailscale.service));
  const projectName = `tblab-${path
    .basename(dir)
    .replace(/^tblab-project-/, '')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '')}`;
  return {
    dir,
    configFile,
    composeFile,
    overrideFile,
    envFile,
    stateDir,
    sideFiles: gen.files.map((f) => f.path),
    composeArgs: ['-p', projectName, '-f', composeFile, '-f', overrideFile],
    projectName,
  };
}

/**
 * The user's current compose file before tailbridge: Tailscale on host networking, commented like the
 * research note's TrueNAS stack. `tun: true` is a kernel-mode subnet router (the TrueNAS catalog app's
 * default); `tun: false` runs userspace in the host namespace and needs no /dev/net/tun.
 */
export function hostModeCompose(o: { container: string; hostname: string; tun: boolean }): string {
  const kernel = o.tun ? '    cap_add: [NET_ADMIN]\n    devices: [/dev/net/tun:/dev/net/tun]\n' : '';
  return `# The tailscale stack as it runs today (host networking).
services:
  # Subnet router. Host networking so the LAN route works without extra setup.
  tailscale:
    image: ${TAILSCALE_DOUBLE_IMAGE}
    container_name: ${o.container}
    hostname: ${o.hostname}
    restart: unless-stopped
    network_mode: host   # TODO: get rid of this (see notes)
${kernel}    env_file:
      - tailscale.env   # TS_AUTHKEY lives here
    environment:
      - TS_STATE_DIR=/var/lib/tailscale
      - TS_HOSTNAME=${o.hostname}
${o.tun ? '      - TS_USERSPACE=false\n' : ''}      - TS_ROUTES=${LAN.subnet}
    volumes:
      - ./state:/var/lib/tailscale
`;
}
