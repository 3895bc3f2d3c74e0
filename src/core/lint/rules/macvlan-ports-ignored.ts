import { declaredNetworks, isMacvlanDriver, serviceNetworks } from '../compose-model.js';
import { defineRule } from '../rule.js';

export const macvlanPortsIgnored = defineRule({
  id: 'macvlan-ports-ignored',
  severity: 'warning',
  category: 'networking',
  description:
    'A service publishes ports: but is attached only to macvlan/ipvlan networks, where Docker ignores port mappings.',
  source: 'docker-macvlan-no-ports',
  check({ model }) {
    const nets = new Map(declaredNetworks(model).map((n) => [n.key, n]));
    return model
      .services()
      .filter((s) => model.list(s, 'ports').length > 0)
      .flatMap((s) => {
        const attached = serviceNetworks(model, s);
        if (!attached || attached.length === 0) return [];
        const all = attached.map((a) => nets.get(a.key));
        if (!all.every((n) => n !== undefined && !n.external && isMacvlanDriver(n.driver))) return [];
        const names = [...new Set(all.map((n) => `"${n?.key}"`))].join(', ');
        return [
          {
            path: [...s.path, 'ports'],
            key: true,
            message: `service "${s.name}" publishes ports: but is attached only to macvlan/ipvlan network ${names}: Docker sets up no port publishing there and ignores the mappings; reach the container at its own LAN address on the port it listens on, and remove ports:`,
          },
        ];
      });
  },
});
