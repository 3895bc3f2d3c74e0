import { defineRule, type Report } from '../rule.js';
import { parseGoBool } from '../values.js';
import { parseAddrPort } from './health-addr.js';

/** Address variables containerboot parses with netip.ParseAddrPort, and when it does. */
const ADDR_VARS: { name: string; when: 'always' | 'local' }[] = [
  { name: 'TS_HEALTHCHECK_ADDR_PORT', when: 'always' },
  { name: 'TS_DEBUG_ADDR_PORT', when: 'always' },
  { name: 'TS_LOCAL_ADDR_PORT', when: 'local' },
];

export const addrPortInvalid = defineRule({
  id: 'addr-port-invalid',
  severity: 'error',
  category: 'tailscale',
  description:
    'TS_LOCAL_ADDR_PORT, TS_HEALTHCHECK_ADDR_PORT or TS_DEBUG_ADDR_PORT is not an IP:port (a host name, a bare port, a missing address), so containerboot refuses to start.',
  source: 'containerboot-settings',
  check({ model }) {
    const out: Report[] = [];
    for (const s of model.tailscaleServices()) {
      if (model.launcher(s) !== 'containerboot') continue;
      const env = model.environment(s);
      const on = (n: string) => {
        const v = env.get(n)?.value;
        return v !== undefined && parseGoBool(v) === true;
      };
      const localUsed = on('TS_ENABLE_HEALTH_CHECK') || on('TS_ENABLE_METRICS');
      for (const { name, when } of ADDR_VARS) {
        const v = env.get(name);
        if (v?.value === undefined || v.interpolated || v.value === '') continue;
        if (when === 'local' && !localUsed) continue;
        if (parseAddrPort(v.value.trim()) !== undefined) continue;
        out.push({
          path: v.path,
          message: `service "${s.name}": ${name}=${v.value} is not an IP address and port (containerboot parses it with netip.ParseAddrPort: no host names, no bare ports, IPv6 in brackets) and exits with "error parsing ${name} value"; write e.g. 127.0.0.1:9002 or [::]:9002`,
        });
      }
    }
    return out;
  },
});
