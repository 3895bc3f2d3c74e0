import { TailbridgeError } from '../../errors.js';
import { type ComposeEdit, renderStandalone } from '../compose/edits.js';
import type { Fact } from '../facts/sources.js';
import { type HomelabConfig, type ServiceTarget, serviceName } from '../model/config.js';
import { renderHeader } from './header.js';
import { authStep, compact, keyExpiryStep } from './manual-steps.js';
import {
  authEdits,
  commonNotes,
  externalNetworkEdits,
  networkKey,
  serviceNetworks,
  tailscaleServiceEdits,
} from './tailscale-service.js';
import type { Generated } from './types.js';

export const SIDECAR_FILE = 'tailscale.sidecar.yaml';

export const SIDECAR_NOTES: Fact[] = [
  {
    text: 'Each app shares the network namespace of its own ts-<app> container, so <node>:<port> on the tailnet reaches the app on 127.0.0.1 in that shared namespace.',
    source: 'netstack-loopback',
  },
  {
    text: 'Published ports belong on the namespace owner (ts-<app>), and network_mode excludes networks:, so both move off the app. Restarting or recreating ts-<app> leaves the app in a dead namespace until the app is restarted too.',
    source: 'compose-network-mode',
  },
  {
    text: 'ts-<app> joins the app’s network with the app’s name as alias, so other containers still reach the app by its old name.',
    source: 'docker-bridge-dns',
  },
];

export const sidecarService = (s: ServiceTarget): string => `ts-${s.name}`;

/** A DNS label for the tailnet machine name, e.g. truenas-jellyfin. */
export function sidecarHostname(config: HomelabConfig, s: ServiceTarget): string {
  const label = `${config.tailscale.hostname}-${s.name}`
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return label.slice(0, 63).replace(/-+$/, '');
}

function sidecarEdits(config: HomelabConfig, s: ServiceTarget): ComposeEdit[] {
  const ts = sidecarService(s);
  const app = serviceName(s);
  const placement: Record<string, unknown> = {
    networks: { [networkKey(s.network)]: { aliases: [app] } },
  };
  if (s.publishedOnHost) placement.ports = [`${s.port}:${s.port}`];
  return [
    ...tailscaleServiceEdits(config, {
      service: ts,
      containerName: ts,
      hostname: sidecarHostname(config, s),
      stateDir: `${config.tailscale.stateDir}/${s.name}`,
      userspace: true,
      // Routes and exit node stay with the main router; a sidecar only exposes its app.
      routes: [],
      acceptRoutes: false,
      exitNode: false,
      placement,
    }),
    {
      op: 'set',
      path: ['services', app, 'network_mode'],
      value: `service:${ts}`,
      comment: `${app} lives in ${ts}'s network namespace; its ports and networks moved there`,
    },
    { op: 'set', path: ['services', app, 'depends_on', ts], value: { condition: 'service_healthy' } },
    {
      op: 'delete',
      path: ['services', app, 'networks'],
      reason: {
        text: `moved to ${ts}: network_mode: service: cannot be combined with networks:`,
        source: 'compose-network-mode',
      },
    },
    {
      op: 'delete',
      path: ['services', app, 'ports'],
      reason: {
        text: `moved to ${ts}, which owns the network namespace the app now shares`,
        source: 'compose-network-mode',
      },
    },
  ];
}

function movedPortsStep(config: HomelabConfig): string | undefined {
  const moved = config.services.filter((s) => s.publishedOnHost).map((s) => `${s.port}:${s.port}`);
  return moved.length > 0
    ? `Check that the ports moved to the ts- containers (${moved.join(', ')}) match what the apps published before.`
    : undefined;
}

export function generateSidecar(config: HomelabConfig): Generated {
  if (config.services.length === 0)
    throw new TailbridgeError('sidecar mode needs at least one entry in services (one sidecar per app)');
  const networks = serviceNetworks(config);
  const edits: ComposeEdit[] = [
    ...config.services.flatMap((s) => sidecarEdits(config, s)),
    ...externalNetworkEdits(networks),
    ...authEdits(config),
  ];
  const apps = config.services.map(serviceName);
  const machines = config.services.map((s) => sidecarHostname(config, s)).join(', ');
  const manualSteps = compact([
    `Remove networks: and ports: from ${apps.join(', ')} in your app compose file (or let tailbridge apply do it): override files merge and cannot delete keys, and network_mode cannot be combined with networks:.`,
    `If docker then reports a conflict with network_mode, also remove hostname:, dns: or extra_hosts: from those apps.`,
    movedPortsStep(config),
    `${authStep(config)} One key logs in ${config.services.length} nodes, so it must be reusable${config.tailscale.tags.length > 0 ? ' and allowed to use the tags' : ''}.`,
    keyExpiryStep(config, machines),
    config.tailscale.advertiseRoutes.length > 0
      ? `Sidecars do not advertise ${config.tailscale.advertiseRoutes.join(', ')}; keep a subnet router (mode A or C) for that.`
      : undefined,
  ]);
  const notes = [
    ...SIDECAR_NOTES,
    ...commonNotes(config, false).filter((n) => n.source !== 'containerboot-forwarding'),
  ];
  const header = renderHeader({
    mode: 'sidecar',
    intro: [
      `An override file: run \`docker compose -f <your app compose file> -f ${SIDECAR_FILE} up -d\`. One userspace tailscale container per app; each app joins its namespace.`,
    ],
    steps: manualSteps,
    sections: [
      {
        title: 'How to reach your services from the tailnet',
        lines: config.services.map(
          (s) =>
            `${s.name}: ${s.protocol === 'tcp' ? 'tcp' : s.protocol}://${sidecarHostname(config, s)}:${s.port}`,
        ),
      },
    ],
    notes,
  });
  return {
    mode: 'sidecar',
    header,
    edits,
    compose: renderStandalone(header, edits),
    files: [],
    manualSteps,
    notes,
  };
}
