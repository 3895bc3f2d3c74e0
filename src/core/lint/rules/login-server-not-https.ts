import { defineRule, type Report } from '../rule.js';
import { loginServerArg } from './control-args.js';

const LOOPBACK = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])$/i;

export const loginServerNotHttps = defineRule({
  id: 'login-server-not-https',
  severity: 'warning',
  category: 'security',
  description:
    '--login-server is a plain http:// URL: the node fetches the control server’s public key over it, so anyone on the path can impersonate the control server.',
  source: 'controlclient-server-key',
  check({ model }) {
    const out: Report[] = [];
    for (const s of model.tailscaleServices()) {
      const found = loginServerArg(model, s);
      if (!found) continue;
      let url: URL | undefined;
      try {
        url = new URL(found.url);
      } catch {}
      if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
        out.push({
          path: found.env.path,
          severity: 'error',
          message: `service "${s.name}": --login-server ${found.url} is not a URL; tailscale up needs https://host[:port] of the control server`,
        });
        continue;
      }
      if (url.protocol === 'https:' || LOOPBACK.test(url.hostname)) continue;
      out.push({
        path: found.env.path,
        message: `service "${s.name}" logs in to ${found.url} over ${url.protocol.replace(':', '')}: tailscaled fetches the control server's public key from ${url.origin}/key before the encrypted control channel starts, so on an untrusted path another server can pose as yours; serve Headscale over HTTPS (its own TLS or a reverse proxy) and use https://`,
      });
    }
    return out;
  },
});
