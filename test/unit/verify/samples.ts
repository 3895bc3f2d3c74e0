import { EXAMPLE_CONFIG, EXAMPLE_CONFIG_FILE } from '../../../src/core/model/example.js';
import { parseConfig } from '../../../src/core/model/load.js';
import type { ContainerInfo } from '../../../src/core/ports/docker.js';
import type { ExecResult } from '../../../src/core/ports/exec.js';

export const config = parseConfig(EXAMPLE_CONFIG_FILE, EXAMPLE_CONFIG);

export const ok = (stdout = ''): ExecResult => ({ exitCode: 0, stdout, stderr: '' });
export const err = (stderr: string, exitCode = 1): ExecResult => ({ exitCode, stdout: '', stderr });

/** `tailscale status --json` of a healthy subnet router whose route is approved (real field names). */
export function status(overrides: Record<string, unknown> = {}, self: Record<string, unknown> = {}) {
  return JSON.stringify({
    Version: '1.102.3-t0123456789-gabcdef012',
    TUN: false,
    BackendState: 'Running',
    HaveNodeKey: true,
    AuthURL: '',
    TailscaleIPs: ['100.101.102.103', 'fd7a:115c:a1e0::1234:5678'],
    Self: {
      ID: 'nTRUENAS1CNTRL',
      PublicKey: 'nodekey:0123',
      HostName: 'truenas',
      DNSName: 'truenas.tail1234.ts.net.',
      OS: 'linux',
      TailscaleIPs: ['100.101.102.103', 'fd7a:115c:a1e0::1234:5678'],
      AllowedIPs: ['100.101.102.103/32', 'fd7a:115c:a1e0::1234:5678/128', '192.168.20.0/24'],
      PrimaryRoutes: ['192.168.20.0/24'],
      Online: true,
      Tags: ['tag:homelab'],
      ExitNodeOption: false,
      ...self,
    },
    Health: [],
    MagicDNSSuffix: 'tail1234.ts.net',
    CurrentTailnet: { Name: 'example.com', MagicDNSSuffix: 'tail1234.ts.net', MagicDNSEnabled: true },
    CertDomains: ['truenas.tail1234.ts.net'],
    Peer: {},
    ...overrides,
  });
}

export function container(overrides: Partial<ContainerInfo> = {}): ContainerInfo {
  return {
    id: 'abc123',
    name: 'tailscale',
    image: 'tailscale/tailscale:v1.102.3',
    state: 'running',
    restartCount: 0,
    health: 'healthy',
    startedAt: '2026-08-22T10:00:00.000Z',
    labels: { 'com.docker.compose.project': 'tailscale', 'com.docker.compose.service': 'tailscale' },
    networkMode: 'tailscale_default',
    networks: {
      tailscale_default: { networkId: 'n1', ipv4: '172.30.0.2', aliases: [] },
      jellyfin_network: { networkId: 'n2', ipv4: '172.31.0.3', aliases: [] },
      arr_network: { networkId: 'n3', ipv4: '172.32.0.4', aliases: [] },
    },
    envNames: ['TS_HOSTNAME', 'TS_AUTHKEY'],
    tsSettings: { TS_HOSTNAME: 'truenas', TS_USERSPACE: 'true', TS_ROUTES: '192.168.20.0/24' },
    capAdd: [],
    devices: [],
    sysctls: {},
    publishedPorts: [],
    mounts: [],
    ...overrides,
  };
}
