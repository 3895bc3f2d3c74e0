import { defineRule } from '../rule.js';
import { flagNames, parseGoBool, splitArgs } from '../values.js';

/**
 * `tailscale up` flags whose effect belongs to the login itself: after the first login there is
 * nothing to re-apply (tags are changed in the admin console, the control URL stays in the node's
 * state; --reset/--force-reauth/--timeout only shape one `up` run). Only these → info, not warning.
 */
const LOGIN_ONLY = new Set([
  '--login-server',
  '--advertise-tags',
  '--reset',
  '--force-reauth',
  '--timeout',
  '--qr',
  '--json',
]);

export const authOnceExtraArgs = defineRule({
  id: 'auth-once-extra-args',
  severity: 'warning',
  category: 'tailscale',
  description:
    'TS_AUTH_ONCE=true with TS_EXTRA_ARGS: after the first login containerboot runs `tailscale set`, so changes to TS_EXTRA_ARGS are ignored.',
  source: 'containerboot-auth-once',
  check({ model }) {
    const out = [];
    for (const s of model.tailscaleServices()) {
      if (model.runsTailscaled(s)) continue;
      const once = model.environment(s).get('TS_AUTH_ONCE');
      if (once?.value === undefined || parseGoBool(once.value) !== true) continue;
      // Without persisted state every start needs a login, so `tailscale up` (with TS_EXTRA_ARGS) always runs.
      const state = model.lookup(s, 'TS_STATE_DIR');
      if (state.kind === 'unset' || (state.kind === 'inline' && state.env.value?.trim() === '')) continue;
      const extra = model.environment(s).get('TS_EXTRA_ARGS');
      if (extra?.value === undefined) continue;
      const flags = flagNames(splitArgs(extra.value));
      if (flags.length === 0) continue;
      const lasting = flags.filter((f) => !LOGIN_ONLY.has(f.replace(/^-(?=[^-])/, '--')));
      const loginOnly = lasting.length === 0;
      out.push({
        path: extra.path,
        ...(loginOnly ? { severity: 'info' as const } : {}),
        message: loginOnly
          ? `service "${s.name}": with TS_AUTH_ONCE=true, TS_EXTRA_ARGS (${flags.join(' ')}) is used only at the first login; that is fine for login-time flags, but a later change here is ignored (change tags in the admin console)`
          : `service "${s.name}": with TS_AUTH_ONCE=true, containerboot runs \`tailscale up\` with TS_EXTRA_ARGS only at the first login and then \`tailscale set\` with only TS_ACCEPT_DNS, TS_ROUTES and TS_HOSTNAME (tailscale#20728): later changes to TS_EXTRA_ARGS (${flags.join(', ')}) are ignored; use TS_ROUTES/TS_HOSTNAME/TS_ACCEPT_DNS where they exist, change the rest with \`docker exec <container> tailscale set …\`, or set TS_AUTH_ONCE=false`,
      });
    }
    return out;
  },
});
