import { defineRule } from '../rule.js';
import { parseGoBool } from '../values.js';
import { extraArgsRoutes, routeList } from './routes-in-extra-args.js';

export const routesDuplicated = defineRule({
  id: 'routes-duplicated',
  severity: 'error',
  category: 'tailscale',
  description:
    'Routes are set both in TS_ROUTES and with --advertise-routes in TS_EXTRA_ARGS, so `tailscale up` gets the flag twice: since Tailscale 1.84 it refuses that ("flag provided multiple times"), before that the later one won.',
  source: 'containerboot-up-args',
  check({ model }) {
    const out = [];
    for (const s of model.tailscaleServices()) {
      if (model.runsTailscaled(s)) continue;
      const found = extraArgsRoutes(model, s);
      const tsRoutes = model.environment(s).get('TS_ROUTES');
      if (!found || tsRoutes?.value === undefined) continue;
      const a = routeList(tsRoutes.value);
      const b = routeList(found.routes);
      const same = a.length === b.length && [...a].sort().join(',') === [...b].sort().join(',');
      const show = (r: string[]) => (r.length > 0 ? r.join(',') : '(empty: no routes)');
      const once = model.environment(s).get('TS_AUTH_ONCE')?.value;
      const later =
        once !== undefined && parseGoBool(once) === true
          ? `; with TS_AUTH_ONCE=true later starts run \`tailscale set --advertise-routes=${show(a)}\`, so TS_ROUTES wins after the first login`
          : '';
      const diff = same
        ? 'they are the same, so the flag is redundant'
        : `they differ: TS_ROUTES=${show(a)} vs --advertise-routes=${show(b)}`;
      out.push({
        path: found.env.path,
        message: `service "${s.name}" sets routes twice: containerboot passes --advertise-routes from TS_ROUTES first and TS_EXTRA_ARGS after it on the \`tailscale up\` line; since Tailscale 1.84 \`tailscale up\` refuses a repeated flag ("flag provided multiple times") and containerboot exits, and older versions advertise the last value (${show(b)})${later}; ${diff}. Keep only TS_ROUTES (it also drives the forwarding setup) and remove --advertise-routes from TS_EXTRA_ARGS`,
      });
    }
    return out;
  },
});
