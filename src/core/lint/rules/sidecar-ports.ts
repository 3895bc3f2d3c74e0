import type { ComposeModel, Service } from '../compose-model.js';
import { defineRule, type Report } from '../rule.js';

/** The namespace a `network_mode: service:x` / `container:y` service joins, and its owner service if in this file. */
export function namespaceOwner(
  model: ComposeModel,
  s: Service,
): { mode: string; owner?: Service } | undefined {
  const nm = model.networkMode(s);
  if (nm === undefined) return undefined;
  const m = /^(service|container):(.+)$/.exec(nm);
  if (!m) return undefined;
  const target = m[2]!;
  const owner =
    m[1] === 'service'
      ? model.service(target)
      : model.services().find((x) => x.value['container_name'] === target || x.name === target);
  return owner ? { mode: nm, owner } : { mode: nm };
}

export const sidecarPorts = defineRule({
  id: 'sidecar-ports',
  severity: 'error',
  category: 'networking',
  description:
    'A service that joins another network namespace (network_mode: service:/container:) publishes ports:.',
  source: 'compose-network-mode',
  check({ model }) {
    const out: Report[] = [];
    for (const s of model.services()) {
      const ns = namespaceOwner(model, s);
      if (!ns || model.list(s, 'ports').length === 0) continue;
      const owner = ns.owner ? `"${ns.owner.name}"` : 'the namespace owner';
      out.push({
        path: [...s.path, 'ports'],
        key: true,
        message: `service "${s.name}" uses network_mode: ${ns.mode} and publishes ports:; Docker refuses port publishing for a container that joins another namespace ("conflicting options: port publishing and the container type network mode") — move these ports to ${owner}`,
      });
    }
    return out;
  },
});
