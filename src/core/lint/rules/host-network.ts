import { defineRule } from '../rule.js';

/** The marker that documents host networking as a deliberate fallback (file header or comment above the service). */
export const FALLBACK_MARKER = /tailbridge:\s*fallback\b/i;

export const hostNetwork = defineRule({
  id: 'host-network',
  severity: 'warning',
  category: 'networking',
  description: 'A Tailscale service uses network_mode: host.',
  source: 'docker-host-network',
  check({ model }) {
    const hosts = model.tailscaleServices().filter((s) => model.networkMode(s) === 'host');
    if (hosts.length === 0) return [];
    const header = FALLBACK_MARKER.test(model.headerComment());
    return hosts.map((s) => {
      const fallback = header || FALLBACK_MARKER.test(model.commentAbove(s.path));
      return fallback
        ? {
            path: [...s.path, 'network_mode'],
            severity: 'info' as const,
            message: `service "${s.name}" uses network_mode: host as the documented fallback ("tailbridge: fallback")`,
          }
        : {
            path: [...s.path, 'network_mode'],
            message: `service "${s.name}" runs Tailscale with network_mode: host: it shares the host's network namespace (no Docker DNS by service name, no isolation); run \`tailbridge plan\` for a bridge, serve or macvlan setup, or add a "# tailbridge: fallback" comment if host mode is your documented choice`,
          };
    });
  },
});
