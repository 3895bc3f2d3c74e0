import { parseCidr } from '../../model/net.js';
import { declaredNetworks, isMacvlanDriver, serviceNetworks } from '../compose-model.js';
import { defineRule } from '../rule.js';

export const macvlanNoFixedAddress = defineRule({
  id: 'macvlan-no-fixed-address',
  severity: 'warning',
  category: 'networking',
  description: 'A service joins a macvlan/ipvlan network without an ipv4_address for it.',
  source: 'docker-ipam-static',
  check({ model }) {
    const nets = new Map(declaredNetworks(model).map((n) => [n.key, n]));
    return model.services().flatMap((s) =>
      (serviceNetworks(model, s) ?? []).flatMap((a) => {
        const n = nets.get(a.key);
        if (!n || n.external || !isMacvlanDriver(n.driver) || a.ipv4Address) return [];
        if (n.value['enable_ipv4'] === false) return [];
        // A single-address ip_range (/32) leaves Docker no choice: the address is fixed anyway.
        const ranges = n.pools.map((p) => (p.ipRange ? parseCidr(p.ipRange) : undefined));
        if (ranges.length > 0 && ranges.every((r) => r?.bits === 32)) return [];
        return [
          {
            path: a.path,
            key: a.pointAtKey,
            message: `service "${s.name}" joins ${n.driver} network "${n.key}" without ipv4_address: Docker's IPAM picks an address from the ${n.pools.some((p) => p.ipRange) ? 'ip_range' : 'subnet'} itself, with no DHCP and no check against other LAN devices, and may pick another one when the container is recreated; set networks.${n.key}.ipv4_address to an address you reserved outside the router's DHCP pool`,
          },
        ];
      }),
    );
  },
});
