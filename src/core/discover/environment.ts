import type { HomelabConfig } from '../model/config.js';
import type { EnvironmentFacts, ParentKind } from '../plan/environment.js';
import type { Discovery, UsedAddress } from './types.js';

const PARENT_KINDS = new Set<string>(['ethernet', 'bridge', 'bond', 'vlan', 'veth', 'wifi']);

/**
 * Addresses the config's own macvlan setup holds are not "in use" against it: the shim address on
 * the host's macvlan shim interface, and whatever the tailscale container being replaced holds (or
 * the host sees of it through the shim).
 */
function heldForTheConfig(u: UsedAddress, config: HomelabConfig | undefined): boolean {
  const m = config?.lan.macvlan;
  const h = u.holder;
  if (!config || !h) return false;
  if (h.kind === 'container') return h.name === config.tailscale.containerName;
  if (h.interfaceKind !== 'macvlan' || !m) return false;
  return h.kind === 'host-interface' ? u.address === m.shimAddress : u.address === m.address;
}

/**
 * The planner's view of what discover observed. With a config, the parent checked is the config's
 * `lan.parentInterface` (so a NIC that is a bridge port is reported as such); without one, the
 * parent discover recommends.
 */
export function toEnvironmentFacts(d: Discovery, config?: HomelabConfig): EnvironmentFacts {
  const env: EnvironmentFacts = {};
  const parentName =
    config?.lan.parentInterface ??
    d.parents.find((p) => p.recommended)?.name ??
    d.parents.find((p) => p.carriesLan)?.name;
  const parent = parentName ? d.interfaces.find((i) => i.name === parentName) : undefined;
  if (parentName) env.parentInterface = parentName;
  if (parent) {
    // A kind discover cannot name (veth, other) leaves the configured kind in place.
    if (PARENT_KINDS.has(parent.kind)) env.parentKind = parent.kind as ParentKind;
    env.parentIsBridgePort = parent.master !== undefined && parent.masterKind === 'bridge';
    if (env.parentIsBridgePort) env.parentBridge = parent.master!;
  }
  if (d.host.tunDevice !== undefined) env.tunDevice = d.host.tunDevice;
  if (d.host.ipForward !== undefined) env.hostIpForward = d.host.ipForward;
  if (d.host.ipv6Forward !== undefined) env.hostIpv6Forward = d.host.ipv6Forward;
  if (d.host.virtualized !== undefined) env.virtualized = d.host.virtualized;
  if (d.host.truenasVersion) env.truenasVersion = d.host.truenasVersion;
  if (d.docker.composeFlavor) env.composeFlavor = d.docker.composeFlavor;
  const subnet = config?.lan.subnet ?? d.lan?.subnet;
  if (subnet) {
    const inUse = d.usedAddresses
      .filter((u) => u.subnet === subnet && !heldForTheConfig(u, config))
      .map((u) => u.address);
    if (inUse.length > 0) env.lanAddressesInUse = [...new Set(inUse)];
  }
  if (!config?.lan.macvlan && d.lan) env.freeLanAddress = d.suggestion !== undefined;
  // Bridge networks only: a route into a bridge network's subnet is answered by the Docker bridge;
  // a macvlan/ipvlan network's subnet is the LAN itself.
  if (d.docker.reachable)
    env.dockerNetworkSubnets = [
      ...new Set(d.docker.networks.filter((n) => n.driver === 'bridge').flatMap((n) => n.subnets)),
    ];
  return env;
}
