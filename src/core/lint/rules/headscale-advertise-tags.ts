import { defineRule, type Report } from '../rule.js';
import { flagValue } from '../values.js';
import { controlOf, extraArgsOf, isSet } from './control-args.js';

export const headscaleAdvertiseTags = defineRule({
  id: 'headscale-advertise-tags',
  severity: 'error',
  category: 'tailscale',
  description:
    '--advertise-tags with a pre-auth key on Headscale: Headscale rejects the login (tags come from the key).',
  source: 'headscale-tags',
  check({ model, config }) {
    const out: Report[] = [];
    for (const s of model.tailscaleServices()) {
      if (model.runsTailscaled(s)) continue;
      const control = controlOf(model, s, config);
      if (control?.kind !== 'headscale') continue;
      if (!isSet(model.lookup(s, 'TS_AUTHKEY')) && !isSet(model.lookup(s, 'TS_AUTH_KEY'))) continue;
      const extra = extraArgsOf(model, s);
      const tags = extra && flagValue(extra.args, 'advertise-tags');
      if (!extra?.env || typeof tags !== 'string' || tags.trim() === '') continue;
      out.push({
        path: extra.env.path,
        message: `service "${s.name}" logs in to ${control.url} (Headscale${control.known ? '' : ': any other login server than Tailscale’s is taken for Headscale; set tailscale.control.kind if not'}) with a pre-auth key and --advertise-tags=${tags}: Headscale refuses it ("requested tags … are invalid or not permitted"), the node gets its tags from the key; remove --advertise-tags and create the key with headscale preauthkeys create --tags ${tags}`,
      });
    }
    return out;
  },
});
