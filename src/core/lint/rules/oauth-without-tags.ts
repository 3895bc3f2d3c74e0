import { defineRule, type Report } from '../rule.js';
import { flagValue } from '../values.js';
import { extraArgsOf, isSet } from './control-args.js';

export const oauthWithoutTags = defineRule({
  id: 'oauth-without-tags',
  severity: 'error',
  category: 'tailscale',
  description:
    'TS_CLIENT_SECRET (an OAuth client) without --advertise-tags: tailscale up refuses to mint an auth key without tags, so the node never logs in.',
  source: 'containerboot-oauth',
  check({ model }) {
    const out: Report[] = [];
    for (const s of model.tailscaleServices()) {
      if (model.runsTailscaled(s)) continue;
      const secret = model.lookup(s, 'TS_CLIENT_SECRET');
      if (!isSet(secret)) continue;
      const extra = extraArgsOf(model, s);
      if (!extra) continue;
      const tags = flagValue(extra.args, 'advertise-tags');
      if (typeof tags === 'string' && tags.trim() !== '') continue;
      out.push({
        ...(secret.kind === 'inline' ? { path: secret.env.path } : { path: s.path, key: true }),
        message: `service "${s.name}" logs in with an OAuth client (TS_CLIENT_SECRET) but TS_EXTRA_ARGS has no --advertise-tags: tailscale up mints an auth key from the client only for tagged nodes ("oauth authkeys require --advertise-tags"); add --advertise-tags=tag:<name> with a tag the OAuth client may use`,
      });
    }
    return out;
  },
});
