import { cidrWithin, isIPv4Cidr } from '../../model/net.js';
import { declaredNetworks, isRecord } from '../compose-model.js';
import { addMapItem } from '../edits.js';
import { defineRule } from '../rule.js';

const SAFE_INTERFACE = /^[A-Za-z0-9][A-Za-z0-9_.@-]*$/;

export const macvlanParentMissing = defineRule({
  id: 'macvlan-parent-missing',
  severity: 'error',
  category: 'networking',
  description:
    'A macvlan/ipvlan network has no driver_opts.parent, so Docker attaches it to a dummy interface.',
  source: 'macvlan-dummy-parent',
  check({ model }) {
    return declaredNetworks(model)
      .filter(
        (n) =>
          !n.external && n.value['internal'] !== true && (n.driver === 'macvlan' || n.driver === 'ipvlan'),
      )
      .filter((n) => {
        const opts = n.value['driver_opts'];
        const parent = isRecord(opts) ? opts['parent'] : undefined;
        return (
          parent === undefined || parent === null || (typeof parent === 'string' && parent.trim() === '')
        );
      })
      .map((n) => ({
        path: [...n.path, 'driver'],
        data: { network: n.key },
        message: `network "${n.key}" uses the ${n.driver} driver without driver_opts.parent: Docker then creates a dummy interface as parent, so containers on it can reach only each other, not the LAN; set driver_opts.parent to the host interface that carries the LAN (e.g. eno1, br0 or a VLAN interface)`,
      }));
  },
  fix({ model, config }, finding) {
    // Only with a homelab config whose LAN holds every subnet of this network: then its parent is known.
    const key = finding.data?.['network'];
    const parent = config?.lan.parentInterface;
    if (typeof key !== 'string' || !config || !parent || !SAFE_INTERFACE.test(parent)) return undefined;
    const net = declaredNetworks(model).find((n) => n.key === key);
    const opts = net?.value['driver_opts'];
    if (!net || (opts !== undefined && !isRecord(opts))) return undefined;
    if (isRecord(opts) && 'parent' in opts) return undefined; // present but empty: the user decides
    const subnets = net.pools.map((p) => p.subnet);
    if (net.pools.some((p) => p.interpolated) || subnets.length === 0) return undefined;
    if (!subnets.every((s) => s !== undefined && isIPv4Cidr(s) && cidrWithin(s, config.lan.subnet)))
      return undefined;
    return addMapItem(model, net.path, 'driver_opts', 'parent', parent);
  },
});
