import { defineRule, type Report } from '../rule.js';

const QUAD100 = '100.100.100.100';

export const magicdnsResolverUserspace = defineRule({
  id: 'magicdns-resolver-userspace',
  severity: 'error',
  category: 'networking',
  description:
    'A userspace-mode Tailscale service lists 100.100.100.100 under dns:, but without a TUN device the kernel cannot reach MagicDNS, so those lookups time out.',
  source: 'userspace-no-dns',
  check({ model }) {
    const out: Report[] = [];
    for (const s of model.tailscaleServices()) {
      if (model.mode(s) !== 'userspace') continue;
      const dns = s.value['dns'];
      const list = Array.isArray(dns) ? dns.map(String) : typeof dns === 'string' ? [dns] : [];
      const i = list.findIndex((d) => d.trim() === QUAD100);
      if (i === -1) continue;
      const only = list.length === 1;
      out.push({
        path: Array.isArray(dns) ? [...s.path, 'dns', i] : [...s.path, 'dns'],
        ...(only ? {} : { severity: 'warning' as const }),
        message: `service "${s.name}" (and every service in its network namespace) resolves through ${QUAD100}, but it runs Tailscale in userspace mode: there is no tailscale0 and no route to ${QUAD100} from the kernel, so ${only ? 'every DNS lookup times out' : 'each lookup waits for this server to time out before the next one is tried'}; set TS_USERSPACE=false (with NET_ADMIN and ${'/dev/net/tun'}) to use MagicDNS, or remove it from dns:`,
      });
    }
    return out;
  },
});
