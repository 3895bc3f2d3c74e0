import { cidrsOverlap, cidrWithin, isIPv4Cidr } from '../../model/net.js';
import {
  type DeclaredNetwork,
  declaredNetworks,
  isMacvlanDriver,
  type Path,
  serviceNetworks,
} from '../compose-model.js';
import { defineRule, type Report } from '../rule.js';
import { flagValue, splitArgs } from '../values.js';

/** Advertised routes with the env entry they are written in (TS_ROUTES, and --advertise-routes in TS_EXTRA_ARGS). */
function routes(env: Map<string, { value?: string; path: Path }>): { route: string; path: Path }[] {
  const out: { route: string; path: Path }[] = [];
  const r = env.get('TS_ROUTES');
  if (r?.value !== undefined) for (const x of r.value.split(',')) out.push({ route: x.trim(), path: r.path });
  const x = env.get('TS_EXTRA_ARGS');
  const adv = x?.value === undefined ? undefined : flagValue(splitArgs(x.value), 'advertise-routes');
  if (x && typeof adv === 'string')
    for (const y of adv.split(',')) out.push({ route: y.trim(), path: x.path });
  return out.filter((o) => isIPv4Cidr(o.route));
}

export const routeOverlapsDockerNetwork = defineRule({
  id: 'route-overlaps-docker-network',
  severity: 'warning',
  category: 'networking',
  description:
    'An advertised route overlaps the subnet of a Docker network the Tailscale container is attached to.',
  source: 'docker-address-pools',
  check({ model, config }) {
    const declared = declaredNetworks(model);
    const byKey = new Map(declared.map((n) => [n.key, n]));
    const out: Report[] = [];
    for (const s of model.tailscaleServices()) {
      const mode = model.networkMode(s);
      let nets: DeclaredNetwork[];
      if (mode === 'host') nets = declared;
      else if (mode !== undefined) continue;
      else
        nets = (serviceNetworks(model, s) ?? [])
          .map((a) => byKey.get(a.key))
          .filter((n): n is DeclaredNetwork => n !== undefined);
      // macvlan/ipvlan: the network IS the LAN, advertising it is the point. External: subnet unknown here.
      nets = nets.filter((n) => !n.external && n.driver !== undefined && !isMacvlanDriver(n.driver));
      const seen = new Set<string>();
      for (const { route, path } of routes(model.environment(s)))
        for (const n of nets)
          for (const p of n.pools) {
            const subnet = p.subnet;
            if (subnet === undefined || !isIPv4Cidr(subnet) || !cidrsOverlap(route, subnet)) continue;
            const inside = cidrWithin(route, subnet);
            const onLan = config !== undefined && cidrsOverlap(subnet, config.lan.subnet);
            // A route inside the network's subnet advertises that Docker network on purpose — unless it sits on the LAN.
            if (inside && !onLan) continue;
            const id = `${route}|${n.key}|${subnet}|${path.join('.')}`;
            if (seen.has(id)) continue;
            seen.add(id);
            const lan = onLan ? ` (your LAN is ${config?.lan.subnet})` : '';
            out.push({
              path,
              message: `service "${s.name}" advertises ${route}, which overlaps the subnet ${subnet} of Docker network "${n.key}"${lan}: inside the container those addresses are routed to the Docker network, so tailnet traffic for them never reaches the LAN devices; give network "${n.key}" a subnet outside the advertised routes`,
            });
          }
    }
    return out;
  },
});
