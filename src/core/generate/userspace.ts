import { renderStandalone } from '../compose/edits.js';
import type { Fact } from '../facts/sources.js';
import type { HomelabConfig } from '../model/config.js';
import { renderHeader } from './header.js';
import {
  approveRoutesStep,
  authStep,
  clientAcceptRoutesStep,
  compact,
  keyExpiryStep,
  viaSubnetRoute,
} from './manual-steps.js';
import {
  authEdits,
  commonNotes,
  externalNetworkEdits,
  mainServiceOptions,
  networkKey,
  serviceNetworks,
  tailscaleServiceEdits,
} from './tailscale-service.js';
import type { Generated } from './types.js';

export const USERSPACE_NOTES: Fact[] = [
  {
    text: 'Subnet routing works in userspace mode: tailscaled terminates TCP/UDP (and relays ICMP echo) and re-dials the target, which sees the tailscale container as the source.',
    source: 'ts-kb-1177',
  },
  {
    text: '<tailscale-ip>:8096 lands on 127.0.0.1:8096 inside the tailscale container, not on Jellyfin. Reach apps via <host LAN IP>:<published port> over the subnet route, or use serve (mode B) or a sidecar.',
    source: 'netstack-loopback',
  },
  {
    text: 'No source measures a fixed percentage slowdown for userspace mode, so none is given here; each flow is terminated and re-dialed, so expect more CPU per byte.',
    source: 'ts-perf-netstack',
  },
  {
    text: 'The tailscale container joins each app network because Docker isolates bridge networks from each other; names resolve by Docker DNS there.',
    source: 'docker-bridge-dns',
  },
  {
    text: 'Processes in other containers or on the host cannot dial tailnet IPs through this container except via TS_SOCKS5_SERVER / TS_OUTBOUND_HTTP_PROXY_LISTEN.',
    source: 'netstack-proxy',
  },
];

/** Service placement, networks and edits shared by the userspace-based modes (A and B). */
export function userspaceEdits(
  config: HomelabConfig,
  extra: { environment?: Record<string, string>; volumes?: string[] } = {},
) {
  const networks = serviceNetworks(config);
  return [
    ...tailscaleServiceEdits(config, {
      ...mainServiceOptions(config, true),
      ...extra,
      placement: { networks: ['default', ...networks.map(networkKey)] },
    }),
    ...externalNetworkEdits(networks),
    ...authEdits(config),
  ];
}

export function userspaceSteps(config: HomelabConfig): string[] {
  const networks = serviceNetworks(config);
  return compact([
    authStep(config),
    networks.length > 0
      ? `Make sure the networks ${networks.join(', ')} exist (docker network ls); external networks are not created by compose.`
      : undefined,
    approveRoutesStep(config, config.tailscale.hostname),
    clientAcceptRoutesStep(config),
    keyExpiryStep(config, config.tailscale.hostname),
  ]);
}

export function generateUserspace(config: HomelabConfig): Generated {
  const edits = userspaceEdits(config);
  const manualSteps = userspaceSteps(config);
  const notes = [...USERSPACE_NOTES, ...commonNotes(config, false)];
  const header = renderHeader({
    mode: 'userspace',
    intro: [
      'The tailscale container runs in userspace (netstack): no TUN device, no NET_ADMIN, no sysctls. It joins the app networks so it can reach apps by container name.',
    ],
    steps: manualSteps,
    sections: [
      { title: 'How to reach your services from the tailnet', lines: viaSubnetRoute(config, false) },
    ],
    notes,
  });
  return {
    mode: 'userspace',
    header,
    edits,
    compose: renderStandalone(header, edits),
    files: [],
    manualSteps,
    notes,
  };
}
