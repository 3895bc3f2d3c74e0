import { cidrContains, isIPv4Cidr, parseIPv4 } from '../../model/net.js';
import { declaredNetworks, isMacvlanDriver, serviceNetworks } from '../compose-model.js';
import { defineRule, type Report } from '../rule.js';

export const macvlanAddressOutsideSubnet = defineRule({
  id: 'macvlan-address-outside-subnet',
  severity: 'error',
  category: 'networking',
  description:
    "A service's ipv4_address on a macvlan/ipvlan network is outside the network's ipam subnet (or its ip_range).",
  source: 'compose-ipv4-address',
  check({ model }) {
    const nets = new Map(declaredNetworks(model).map((n) => [n.key, n]));
    const out: Report[] = [];
    for (const s of model.services()) {
      for (const a of serviceNetworks(model, s) ?? []) {
        const n = nets.get(a.key);
        const ip = a.ipv4Address?.value;
        if (!n || n.external || !isMacvlanDriver(n.driver) || ip === undefined || parseIPv4(ip) === undefined)
          continue;
        if (n.pools.some((p) => p.interpolated)) continue;
        const pools = n.pools.filter((p) => p.subnet !== undefined && isIPv4Cidr(p.subnet));
        const path = a.ipv4Address?.path ?? a.path;
        if (pools.length === 0) {
          // IPv6-only pools or an unparsable subnet: not ours to judge; no ipam.config at all: Docker refuses the address.
          if (n.pools.length > 0) continue;
          out.push({
            path,
            message: `service "${s.name}" sets ipv4_address ${ip} on network "${n.key}", which declares no ipam subnet: Docker accepts a static address only on a network with a configured subnet that contains it; add ipam.config with the LAN subnet to network "${n.key}"`,
          });
          continue;
        }
        const pool = pools.find((p) => cidrContains(p.subnet as string, ip));
        if (!pool) {
          out.push({
            path,
            message: `service "${s.name}" sets ipv4_address ${ip}, outside the subnet ${pools.map((p) => p.subnet).join(', ')} of network "${n.key}": Docker refuses to start the container; use an address inside the subnet`,
          });
          continue;
        }
        if (pool.ipRange !== undefined && isIPv4Cidr(pool.ipRange) && !cidrContains(pool.ipRange, ip))
          out.push({
            path,
            severity: 'warning',
            message: `service "${s.name}" sets ipv4_address ${ip}, outside the ip_range ${pool.ipRange} of network "${n.key}": Docker accepts it, but it is not in the slice you set aside for containers, so it may collide with a LAN device or the router's DHCP pool; use an address inside ${pool.ipRange} or widen ip_range`,
          });
      }
    }
    return out;
  },
});
