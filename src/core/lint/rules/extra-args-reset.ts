import { defineRule, type Report } from '../rule.js';
import { parseGoBool } from '../values.js';
import { extraArgs, flags } from './extra-args.js';

export const extraArgsReset = defineRule({
  id: 'extra-args-reset',
  severity: 'info',
  category: 'tailscale',
  description:
    'TS_EXTRA_ARGS contains --reset: every start resets each setting not on containerboot’s `tailscale up` line, so changes made with `tailscale set` do not survive a restart.',
  source: 'tailscale-up-flags',
  check({ model }) {
    const out: Report[] = [];
    for (const s of model.tailscaleServices()) {
      const x = extraArgs(model, s);
      const reset = x && flags(x).find((f) => f.name === 'reset');
      if (!x || !reset || (reset.value !== undefined && parseGoBool(reset.value) !== true)) continue;
      const once = model.lookup(s, 'TS_AUTH_ONCE');
      const authOnce =
        once.kind === 'inline' && once.env.value !== undefined && parseGoBool(once.env.value) === true;
      out.push({
        path: x.env.path,
        message: authOnce
          ? `service "${s.name}": --reset in TS_EXTRA_ARGS only matters for the first login: with TS_AUTH_ONCE=true later starts run \`tailscale set\`, which ignores TS_EXTRA_ARGS; remove it`
          : `service "${s.name}": --reset makes every start's \`tailscale up\` reset each setting not on its line to the default, so anything set at runtime (\`docker exec … tailscale set --ssh\`, an exit node, accept-routes) is silently undone at the next restart; keep every setting in the compose file (TS_EXTRA_ARGS/TS_ROUTES/TS_HOSTNAME), or drop --reset and use TS_AUTH_ONCE=true`,
      });
    }
    return out;
  },
});
