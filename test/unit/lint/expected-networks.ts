/** Positions (line:col-endLine:endCol severity) the "networks" rules report on their bad.yaml fixtures. */
export const EXPECTED_NETWORKS: Record<string, string[]> = {
  'userspace-ports': ['11:9-11:20 warning'],
  'route-overlaps-docker-network': ['6:18-6:33 warning'],
  'macvlan-parent-missing': ['13:13-13:20 error'],
  'macvlan-no-fixed-address': ['9:9-9:12 warning'],
  'macvlan-address-outside-subnet': ['10:23-10:37 error', '15:23-15:36 warning'],
  // Needs ctx.config.lan.dhcpRange, so silent in the shared table; positions with a config: networks.test.ts.
  'macvlan-range-in-dhcp': [],
  'macvlan-ports-ignored': ['11:5-11:10 warning'],
};
