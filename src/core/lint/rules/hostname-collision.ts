import type { ComposeModel, Path, Service } from '../compose-model.js';
import { defineRule, type Report } from '../rule.js';
import { isInterpolated } from '../values.js';

/**
 * The name containerboot registers: TS_HOSTNAME, else the container's hostname (`hostname:`, or the
 * host's name under network_mode: host). Otherwise Docker uses the container ID, which is unique, so
 * undefined. Also undefined when the name is not a literal.
 */
function effectiveHostname(
  model: ComposeModel,
  s: Service,
): { name: string; shown: string; path: Path; key?: boolean } | undefined {
  const ts = model.lookup(s, 'TS_HOSTNAME');
  if (ts.kind === 'inline') {
    const v = ts.env.value;
    if (v === undefined) return undefined;
    if (v.trim() !== '')
      return { name: v.trim().toLowerCase(), shown: `TS_HOSTNAME=${v.trim()}`, path: ts.env.path };
  } else if (ts.kind !== 'unset') return undefined;
  const h = s.value['hostname'];
  if (typeof h === 'string' && h.trim() !== '') {
    if (isInterpolated(h)) return undefined;
    return { name: h.trim().toLowerCase(), shown: `hostname: ${h.trim()}`, path: [...s.path, 'hostname'] };
  }
  if (h === undefined && model.networkMode(s) === 'host')
    return {
      name: '\0host',
      shown: "the Docker host's hostname (network_mode: host)",
      path: [...s.path, 'network_mode'],
    };
  return undefined;
}

export const hostnameCollision = defineRule({
  id: 'hostname-collision',
  severity: 'error',
  category: 'tailscale',
  description:
    'Two Tailscale services in one file register the same hostname, so the second node gets a -1 suffix and its MagicDNS name changes.',
  source: 'ts-kb-1282',
  check({ model }) {
    const out: Report[] = [];
    const seen = new Map<string, { service: string; shown: string }>();
    for (const s of model.tailscaleServices()) {
      if (model.runsTailscaled(s)) continue;
      const h = effectiveHostname(model, s);
      if (!h) continue;
      const first = seen.get(h.name);
      if (!first) {
        seen.set(h.name, { service: s.name, shown: h.shown });
        continue;
      }
      const label = h.name === '\0host' ? "the host's name" : `"${h.name}"`;
      out.push({
        path: h.path,
        message: `services "${first.service}" (${first.shown}) and "${s.name}" (${h.shown}) both register as ${label} on the tailnet: whichever joins second becomes ${h.name === '\0host' ? '<name>' : h.name}-1 (and its MagicDNS name changes); give each service its own TS_HOSTNAME`,
      });
    }
    return out;
  },
});
