import { defineRule, type Report } from '../rule.js';
import { flagValue, parseGoBool, splitArgs } from '../values.js';
import { namespaceOwner } from './sidecar-ports.js';

export const sidecarAcceptDns = defineRule({
  id: 'sidecar-accept-dns',
  severity: 'warning',
  category: 'networking',
  description:
    'TS_ACCEPT_DNS=true on a kernel-mode Tailscale service whose network namespace other services share: it rewrites their /etc/resolv.conf.',
  source: 'userspace-no-dns',
  check({ model }) {
    const out: Report[] = [];
    for (const ts of model.tailscaleServices()) {
      const env = model.environment(ts);
      const accept = env.get('TS_ACCEPT_DNS');
      const extra = model.lookup(ts, 'TS_EXTRA_ARGS');
      let on: boolean | undefined;
      let at = accept?.path;
      if (extra.kind === 'inline' && extra.env.value !== undefined) {
        const f = flagValue(splitArgs(extra.env.value), 'accept-dns');
        if (f !== undefined) {
          on = f === true || parseGoBool(f) === true;
          at = extra.env.path;
        }
      } else if (extra.kind !== 'unset') continue; // TS_EXTRA_ARGS unknown: it may override
      if (on === undefined) {
        if (!accept || accept.value === undefined) continue;
        on = parseGoBool(accept.value) === true;
      }
      if (!on || !at) continue;
      const sharers = model.services().filter((x) => x !== ts && namespaceOwner(model, x)?.owner === ts);
      if (sharers.length === 0) continue;
      const names = sharers.map((x) => `"${x.name}"`).join(', ');
      const mode = model.mode(ts);
      if (mode === 'unknown') continue;
      if (mode === 'userspace') {
        out.push({
          path: at,
          severity: 'info',
          message: `service "${ts.name}" accepts tailnet DNS, but in userspace mode tailscaled does not configure the OS resolver: ${names} keep Docker's DNS (127.0.0.11) and resolve MagicDNS names only through the SOCKS5/HTTP proxy; the setting has no effect here`,
        });
        continue;
      }
      out.push({
        path: at,
        message: `service "${ts.name}" accepts tailnet DNS in kernel mode, so tailscaled rewrites /etc/resolv.conf of the namespace it shares with ${names} to 100.100.100.100; Docker's DNS (127.0.0.11), which resolves service names, is then reached only if tailscaled forwards to it (not with "Override local DNS") — keep TS_ACCEPT_DNS=false unless they need MagicDNS names`,
      });
    }
    return out;
  },
});
