import { formatIPv4, ipInRange, isIPv4Cidr, parseCidr, rangeOverlapsCidr } from '../../model/net.js';
import { declaredNetworks, isMacvlanDriver, serviceNetworks } from '../compose-model.js';
import { defineRule, type Report } from '../rule.js';

export const macvlanRangeInDhcp = defineRule({
  id: 'macvlan-range-in-dhcp',
  severity: 'error',
  category: 'networking',
  description:
    "A macvlan/ipvlan ip_range or fixed ipv4_address lies inside the router's DHCP range (needs lan.dhcpRange in the homelab config).",
  source: 'docker-ipam-static',
  check({ model, config }) {
    const dhcp = config?.lan.dhcpRange;
    if (!dhcp) return [];
    const pool = `${dhcp.start}–${dhcp.end}`;
    const out: Report[] = [];
    const nets = declaredNetworks(model).filter((n) => !n.external && isMacvlanDriver(n.driver));
    for (const n of nets)
      for (const p of n.pools) {
        if (
          p.ipRange === undefined ||
          !isIPv4Cidr(p.ipRange) ||
          !rangeOverlapsCidr(dhcp.start, dhcp.end, p.ipRange)
        )
          continue;
        const c = parseCidr(p.ipRange);
        const span = c ? `${formatIPv4(c.first)}–${formatIPv4(c.last)}` : p.ipRange;
        out.push({
          path: [...p.path, 'ip_range'],
          message: `ip_range ${p.ipRange} (${span}) of network "${n.key}" overlaps the router's DHCP pool ${pool}: Docker hands these addresses out itself, without DHCP or a conflict check, so a container can get the address of a LAN device; move ip_range outside the DHCP pool (or shrink the pool in the router)`,
        });
      }
    const byKey = new Map(nets.map((n) => [n.key, n]));
    for (const s of model.services())
      for (const a of serviceNetworks(model, s) ?? []) {
        const ip = a.ipv4Address?.value;
        if (!byKey.has(a.key) || ip === undefined || !ipInRange(ip, dhcp.start, dhcp.end)) continue;
        out.push({
          path: a.ipv4Address?.path ?? a.path,
          message: `service "${s.name}" uses ipv4_address ${ip} on network "${a.key}", inside the router's DHCP pool ${pool}: the router can lease the same address to another device; pick an address outside the pool and reserve it`,
        });
      }
    return out;
  },
});
