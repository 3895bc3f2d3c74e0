import type { Rule } from '../rule.js';
import { macvlanAddressOutsideSubnet } from './macvlan-address-outside-subnet.js';
import { macvlanNoFixedAddress } from './macvlan-no-fixed-address.js';
import { macvlanParentMissing } from './macvlan-parent-missing.js';
import { macvlanPortsIgnored } from './macvlan-ports-ignored.js';
import { macvlanRangeInDhcp } from './macvlan-range-in-dhcp.js';
import { routeOverlapsDockerNetwork } from './route-overlaps-docker-network.js';
import { userspacePorts } from './userspace-ports.js';

/** Rules of the "networks" group; each lives in its own module next to this file. */
export const PACK_NETWORKS: readonly Rule[] = [
  userspacePorts,
  routeOverlapsDockerNetwork,
  macvlanParentMissing,
  macvlanNoFixedAddress,
  macvlanAddressOutsideSubnet,
  macvlanRangeInDhcp,
  macvlanPortsIgnored,
];
