import type { HomelabConfig } from '../model/config.js';
import { cidrContains, cidrWithin, ipInRange, rangeOverlapsCidr } from '../model/net.js';

export type ParentKind = 'ethernet' | 'bridge' | 'bond' | 'vlan' | 'veth' | 'wifi' | 'unknown';

/**
 * What is known about the Docker host. Every field is optional: `deriveEnvironment` fills what the
 * config implies, `discover` (against a real host) may override any field with an observation.
 * Plain data, JSON-serialisable.
 */
export interface EnvironmentFacts {
  /** Interface that carries the LAN (macvlan parent). */
  parentInterface?: string;
  parentKind?: ParentKind;
  /** The parent NIC is enslaved to a bridge (macvlan on it fails with EBUSY). */
  parentIsBridgePort?: boolean;
  /** The bridge the parent belongs to, e.g. br0. */
  parentBridge?: string;
  /** `/dev/net/tun` exists on the host (needed by kernel mode: macvlan, host). */
  tunDevice?: boolean;
  /** A LAN address is reserved for a macvlan container (lan.macvlan present). */
  freeLanAddress?: boolean;
  macvlanAddressInSubnet?: boolean;
  macvlanRangeInSubnet?: boolean;
  /** The macvlan address is outside the router's DHCP pool. */
  macvlanAddressOutsideDhcp?: boolean;
  /** The macvlan ip_range does not overlap the router's DHCP pool. */
  macvlanRangeOutsideDhcp?: boolean;
  /** The macvlan address is not among known used addresses (host, gateway, usedAddresses, discovered). */
  macvlanAddressUnused?: boolean;
  /** The shim address collides with nothing known (host, gateway, macvlan address, usedAddresses). */
  shimAddressUnused?: boolean;
  /** The shim address is outside the DHCP pool and outside the macvlan ip_range. */
  shimAddressOutsidePools?: boolean;
  /** Addresses seen in use on the LAN (e.g. ARP/neighbour table), merged with lan.macvlan.usedAddresses. */
  lanAddressesInUse?: string[];
  /** The host is a VM (its vSwitch must accept extra MACs for macvlan). */
  virtualized?: boolean;
  /** The hypervisor vSwitch accepts extra MACs / promiscuous mode. */
  vswitchAllowsExtraMacs?: boolean;
  /** TrueNAS SCALE version, e.g. 25.04.1. */
  truenasVersion?: string;
  composeFlavor?: 'v1' | 'v2';
  /** Host net.ipv4.ip_forward (bridge/macvlan namespaces inherit it). */
  hostIpForward?: boolean;
  /** Host net.ipv6.conf.all.forwarding. */
  hostIpv6Forward?: boolean;
  /** Subnets of existing Docker networks, checked against advertised routes. */
  dockerNetworkSubnets?: string[];
}

/** The environment the config implies; discovery results override these field by field. */
export function deriveEnvironment(config: HomelabConfig): EnvironmentFacts {
  const { lan, host } = config;
  const env: EnvironmentFacts = {
    parentInterface: lan.parentInterface,
    parentKind: lan.parentKind,
    freeLanAddress: lan.macvlan !== undefined,
  };
  if (host.truenasVersion !== undefined) env.truenasVersion = host.truenasVersion;
  const m = lan.macvlan;
  if (m) {
    const used = new Set([host.address, lan.gateway, ...m.usedAddresses]);
    env.macvlanAddressInSubnet = cidrContains(lan.subnet, m.address);
    env.macvlanRangeInSubnet = cidrWithin(m.ipRange, lan.subnet);
    env.macvlanAddressUnused = !used.has(m.address);
    env.shimAddressUnused = !used.has(m.shimAddress) && m.shimAddress !== m.address;
    const inDhcp = (ip: string) =>
      lan.dhcpRange !== undefined && ipInRange(ip, lan.dhcpRange.start, lan.dhcpRange.end);
    env.macvlanAddressOutsideDhcp = !inDhcp(m.address);
    env.macvlanRangeOutsideDhcp =
      lan.dhcpRange === undefined || !rangeOverlapsCidr(lan.dhcpRange.start, lan.dhcpRange.end, m.ipRange);
    env.shimAddressOutsidePools = !inDhcp(m.shimAddress) && !cidrContains(m.ipRange, m.shimAddress);
  }
  return env;
}

/**
 * Config-derived facts overlaid with observed ones. Observed address lists re-run the
 * "unused" checks so a discovered neighbour counts as used.
 */
export function resolveEnvironment(config: HomelabConfig, observed: EnvironmentFacts = {}): EnvironmentFacts {
  const env: EnvironmentFacts = { ...deriveEnvironment(config) };
  for (const [k, v] of Object.entries(observed)) {
    if (v !== undefined) (env as Record<string, unknown>)[k] = v;
  }
  const m = config.lan.macvlan;
  if (m && observed.lanAddressesInUse && observed.lanAddressesInUse.length > 0) {
    const seen = new Set(observed.lanAddressesInUse);
    if (seen.has(m.address)) env.macvlanAddressUnused = false;
    if (seen.has(m.shimAddress)) env.shimAddressUnused = false;
  }
  return env;
}

/** Compares dotted versions numerically: negative when a < b. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.-]/).map((p) => Number.parseInt(p, 10) || 0);
  const pb = b.split(/[.-]/).map((p) => Number.parseInt(p, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}
