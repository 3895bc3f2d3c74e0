import { defineRule, type Report } from '../rule.js';
import { controlOf, isSet } from './control-args.js';

export const oauthWithHeadscale = defineRule({
  id: 'oauth-with-headscale',
  severity: 'error',
  category: 'tailscale',
  description:
    'An OAuth client (TS_CLIENT_SECRET) with a Headscale login server: the client mints its key at api.tailscale.com, which Headscale does not accept.',
  source: 'containerboot-oauth',
  check({ model, config }) {
    const out: Report[] = [];
    for (const s of model.tailscaleServices()) {
      if (model.runsTailscaled(s)) continue;
      const secret = model.lookup(s, 'TS_CLIENT_SECRET');
      if (!isSet(secret)) continue;
      const control = controlOf(model, s, config);
      if (control?.kind !== 'headscale') continue;
      out.push({
        ...(secret.kind === 'inline' ? { path: secret.env.path } : { path: s.path, key: true }),
        message: `service "${s.name}" logs in to ${control.url} (Headscale) with an OAuth client: tailscale up mints the auth key at api.tailscale.com, a key Headscale does not know; use a Headscale pre-auth key in TS_AUTHKEY (headscale preauthkeys create --reusable --tags …)`,
      });
    }
    return out;
  },
});
