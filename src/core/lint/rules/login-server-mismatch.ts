import { DEFAULT_CONTROL_SERVER } from '../../model/control-kind.js';
import { defineRule, type Report } from '../rule.js';
import { bareUrl, loginServerArg } from './control-args.js';

export const loginServerMismatch = defineRule({
  id: 'login-server-mismatch',
  severity: 'error',
  category: 'tailscale',
  description:
    'A tailscale service logs in to another control server than tailscale.controlServer in tailbridge.yaml (needs the homelab config).',
  source: 'containerboot-extra-args',
  check({ model, config }) {
    if (!config) return [];
    const want = bareUrl(config.tailscale.controlServer);
    const out: Report[] = [];
    for (const s of model.tailscaleServices()) {
      if (model.runsTailscaled(s)) continue;
      const look = model.lookup(s, 'TS_EXTRA_ARGS');
      if (look.kind === 'maybe' || look.kind === 'env_file') continue;
      if (look.kind === 'inline' && look.env.value === undefined) continue;
      const found = loginServerArg(model, s);
      const got = bareUrl(found?.url ?? DEFAULT_CONTROL_SERVER);
      if (got === want) continue;
      out.push({
        ...(found
          ? { path: found.env.path }
          : look.kind === 'inline'
            ? { path: look.env.path }
            : { path: s.path, key: true }),
        message: found
          ? `service "${s.name}" logs in to ${found.url}, but tailbridge.yaml says the control server is ${config.tailscale.controlServer}: the node joins another tailnet than the one tailbridge verifies and approves routes on; make them the same`
          : `service "${s.name}" has no --login-server, so it logs in to Tailscale's control plane, but tailbridge.yaml says the control server is ${config.tailscale.controlServer}: add --login-server=${config.tailscale.controlServer} to TS_EXTRA_ARGS (tailbridge generate does)`,
      });
    }
    return out;
  },
});
