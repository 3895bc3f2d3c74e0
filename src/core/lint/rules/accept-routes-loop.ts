import { defineRule } from '../rule.js';
import { flagValue, parseGoBool, splitArgs } from '../values.js';

export const acceptRoutesLoop = defineRule({
  id: 'accept-routes-loop',
  severity: 'warning',
  category: 'networking',
  description:
    'A kernel-mode subnet router also accepts routes, so a peer route for its own LAN (table 52) beats the directly connected route.',
  source: 'accept-routes-loop',
  check({ model }) {
    const out = [];
    for (const s of model.tailscaleServices()) {
      if (model.runsTailscaled(s)) continue;
      const extra = model.environment(s).get('TS_EXTRA_ARGS');
      if (extra?.value === undefined) continue;
      const accept = flagValue(splitArgs(extra.value), 'accept-routes');
      if (!(accept === true || (typeof accept === 'string' && parseGoBool(accept) === true))) continue;
      const routes = model.advertises(s).routes;
      if (routes.length === 0) continue;
      const mode = model.mode(s);
      if (mode === 'unknown') continue;
      if (mode === 'userspace') {
        out.push({
          path: extra.path,
          severity: 'info' as const,
          message: `service "${s.name}" advertises ${routes.join(', ')} and sets --accept-routes; in userspace mode no OS routes are installed, so this cannot take over the LAN — it only affects what the SOCKS5/HTTP proxy dials through the tailnet. Drop --accept-routes unless you use that proxy`,
        });
        continue;
      }
      out.push({
        path: extra.path,
        message: `service "${s.name}" advertises ${routes.join(', ')} and sets --accept-routes in kernel mode: accepted routes go into table 52, which is looked up before the main table, so when another peer (a second router, another site with the same range) advertises an overlapping prefix, this router's own LAN traffic goes into the tailnet (tailscale#6231, #1227); remove --accept-routes here (a router inside its own subnet does not need it)`,
      });
    }
    return out;
  },
});
