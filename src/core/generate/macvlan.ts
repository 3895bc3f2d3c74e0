import { TailbridgeError } from '../../errors.js';
import { type ComposeEdit, renderStandalone } from '../compose/edits.js';
import type { Fact } from '../facts/sources.js';
import type { HomelabConfig } from '../model/config.js';
import { cidrContains, cidrWithin } from '../model/net.js';
import { renderHeader } from './header.js';
import { acceptRoutesLoopNote } from './kernel-notes.js';
import {
  approveRoutesStep,
  authStep,
  clientAcceptRoutesStep,
  compact,
  keyExpiryStep,
  viaSubnetRoute,
} from './manual-steps.js';
import { renderShimScript, shimPlan, shimScriptPath } from './shim-script.js';
import {
  authEdits,
  commonNotes,
  externalNetworkEdits,
  kernelModeKeys,
  mainServiceOptions,
  networkKey,
  serviceNetworks,
  tailscaleServiceEdits,
} from './tailscale-service.js';
import type { Generated } from './types.js';

export const LAN_NETWORK = 'lan';

export const MACVLAN_NOTES: Fact[] = [
  {
    text: 'The Docker host cannot reach its own macvlan containers (and the container cannot reach the host’s LAN IP) — the kernel keeps parent and children apart. tailscale-shim.sh fixes that; without it, tailnet → NAS IP through this router fails.',
    source: 'docker-macvlan',
  },
  {
    text: 'The shim is a host-side macvlan child with a /32 and a route to the container range.',
    source: 'macvlan-shim',
  },
  {
    text: 'Docker assigns macvlan addresses itself, with no DHCP and no conflict check: keep ip_range out of the router’s DHCP pool and list other used addresses in aux_addresses.',
    source: 'docker-ipam-static',
  },
  {
    text: '/dev/net/tun is passed under devices:, not volumes: a bind-mounted tun fails with "operation not permitted" since runc 1.2.',
    source: 'runc-tun',
  },
  {
    text: 'SYS_MODULE is not added: it is only used for a `modprobe tun` fallback, unneeded when the host has the tun module.',
    source: 'tstun-modprobe',
  },
  {
    text: 'Both forwarding sysctls are set: containerboot exits if it cannot enable forwarding for TS_ROUTES, and /proc/sys is read-only in the container.',
    source: 'containerboot-forwarding',
  },
  {
    text: 'ports: does nothing on a macvlan network; the container is reached at its own LAN address.',
    source: 'docker-macvlan',
  },
];

function requireMacvlan(config: HomelabConfig) {
  const macvlan = config.lan.macvlan;
  if (!macvlan)
    throw new TailbridgeError(
      'macvlan mode needs lan.macvlan (address, ipRange, shimAddress) in the config — reserve free LAN addresses first',
    );
  if (!cidrContains(config.lan.subnet, macvlan.address))
    throw new TailbridgeError(
      `lan.macvlan.address ${macvlan.address} is outside lan.subnet ${config.lan.subnet}`,
    );
  if (!cidrWithin(macvlan.ipRange, config.lan.subnet))
    throw new TailbridgeError(
      `lan.macvlan.ipRange ${macvlan.ipRange} is outside lan.subnet ${config.lan.subnet}`,
    );
  return macvlan;
}

function lanNetwork(config: HomelabConfig): ComposeEdit {
  const macvlan = requireMacvlan(config);
  const aux: Record<string, string> = { 'host-shim': macvlan.shimAddress };
  macvlan.usedAddresses
    .filter((a) => cidrContains(macvlan.ipRange, a))
    .forEach((a, i) => {
      aux[`in-use-${i + 1}`] = a;
    });
  return {
    op: 'put',
    path: ['networks', LAN_NETWORK],
    value: {
      driver: 'macvlan',
      driver_opts: { parent: config.lan.parentInterface },
      ipam: {
        config: [
          {
            subnet: config.lan.subnet,
            gateway: config.lan.gateway,
            ip_range: macvlan.ipRange,
            aux_addresses: aux,
          },
        ],
      },
    },
    comment: `The LAN itself: the container gets ${macvlan.address} on ${config.lan.parentInterface}`,
  };
}

export function generateMacvlan(config: HomelabConfig): Generated {
  const macvlan = requireMacvlan(config);
  const plan = shimPlan(config)!;
  const networks = serviceNetworks(config);
  const placement = {
    networks: {
      [LAN_NETWORK]: { ipv4_address: macvlan.address },
      ...Object.fromEntries(networks.map((n) => [networkKey(n), {}])),
    },
  };
  const edits: ComposeEdit[] = [
    ...tailscaleServiceEdits(
      config,
      { ...mainServiceOptions(config, false), placement, portsIgnored: networks.length === 0 },
      kernelModeKeys(true),
    ),
    lanNetwork(config),
    ...externalNetworkEdits(networks),
    ...authEdits(config),
  ];
  const dhcp = config.lan.dhcpRange;
  const manualSteps = compact([
    `Reserve ${macvlan.ipRange} and ${macvlan.shimAddress} in the router, outside the DHCP pool${dhcp ? ` (${dhcp.start}–${dhcp.end})` : ''}.`,
    `Install the shim: copy tailscale-shim.sh to ${shimScriptPath(config)}, run \`${shimScriptPath(config)} up\` and make it run at boot (see the script).`,
    config.lan.parentKind === 'wifi'
      ? `${config.lan.parentInterface} is Wi-Fi: macvlan needs one MAC per container and Wi-Fi allows one per station — use ethernet or another mode.`
      : undefined,
    authStep(config),
    networks.length > 0
      ? `Make sure the networks ${networks.join(', ')} exist (docker network ls).`
      : undefined,
    approveRoutesStep(config, config.tailscale.hostname),
    clientAcceptRoutesStep(config),
    keyExpiryStep(config, config.tailscale.hostname),
  ]);
  const notes = [
    ...MACVLAN_NOTES,
    ...acceptRoutesLoopNote(config, macvlan.address),
    ...commonNotes(config, true),
  ];
  const header = renderHeader({
    mode: 'macvlan',
    intro: [
      `Kernel-mode tailscale with its own LAN address ${macvlan.address} on ${config.lan.parentInterface} (macvlan), plus the app networks for Docker DNS.`,
    ],
    steps: manualSteps,
    sections: [{ title: 'How to reach your services from the tailnet', lines: viaSubnetRoute(config, true) }],
    notes,
  });
  return {
    mode: 'macvlan',
    header,
    edits,
    compose: renderStandalone(header, edits),
    files: [
      {
        path: 'tailscale-shim.sh',
        content: renderShimScript(config, plan),
        purpose: 'host-side macvlan shim so the Docker host and the macvlan container can reach each other',
        executable: true,
      },
    ],
    manualSteps,
    notes,
  };
}
