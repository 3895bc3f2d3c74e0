import { defineRule, type Report } from '../rule.js';
import { isSet } from './control-args.js';

const KEY_VARS = ['TS_AUTHKEY', 'TS_AUTH_KEY'];
const OAUTH_VARS = ['TS_CLIENT_ID', 'TS_CLIENT_SECRET', 'TS_ID_TOKEN', 'TS_AUDIENCE'];

export const authKeyWithOauth = defineRule({
  id: 'auth-key-with-oauth',
  severity: 'error',
  category: 'tailscale',
  description:
    'TS_AUTHKEY together with TS_CLIENT_ID/TS_CLIENT_SECRET/TS_ID_TOKEN/TS_AUDIENCE: containerboot refuses to start.',
  source: 'containerboot-oauth',
  check({ model }) {
    const out: Report[] = [];
    for (const s of model.tailscaleServices()) {
      if (model.runsTailscaled(s)) continue;
      const key = KEY_VARS.map((n) => ({ n, look: model.lookup(s, n) })).find((x) => isSet(x.look));
      const oauth = OAUTH_VARS.filter((n) => isSet(model.lookup(s, n)));
      if (!key || oauth.length === 0) continue;
      const where = (look: typeof key.look) => (look.kind === 'env_file' ? ` (from ${look.file})` : '');
      out.push({
        ...(key.look.kind === 'inline' ? { path: key.look.env.path } : { path: s.path, key: true }),
        message: `service "${s.name}" sets ${key.n}${where(key.look)} and ${oauth.join(', ')}: containerboot exits with "TS_AUTHKEY cannot be used with TS_CLIENT_ID, TS_CLIENT_SECRET, TS_ID_TOKEN, or TS_AUDIENCE."; keep one way to log in (an OAuth client mints tagged keys itself)`,
      });
    }
    return out;
  },
});
