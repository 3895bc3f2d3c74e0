import { defineRule, type Report } from '../rule.js';

export const serveConfigWithDestIp = defineRule({
  id: 'serve-config-with-dest-ip',
  severity: 'error',
  category: 'tailscale',
  description: 'TS_SERVE_CONFIG and TS_DEST_IP are set together; containerboot documents them as exclusive.',
  source: 'containerboot-main',
  check({ model }) {
    const out: Report[] = [];
    for (const s of model.tailscaleServices()) {
      const env = model.environment(s);
      const serve = env.get('TS_SERVE_CONFIG');
      const dest = env.get('TS_DEST_IP');
      if (!serve?.value || !dest?.value) continue; // unset, empty or interpolated: unknown
      const mode = model.mode(s);
      if (mode === 'userspace') {
        out.push({
          path: dest.path,
          message: `service "${s.name}" sets TS_DEST_IP in userspace mode: containerboot exits with "TS_DEST_IP is not supported with TS_USERSPACE"; with TS_SERVE_CONFIG set, drop TS_DEST_IP and proxy through the serve config`,
        });
      } else {
        out.push({
          path: dest.path,
          ...(mode === 'unknown' ? { severity: 'warning' as const } : {}),
          message: `service "${s.name}" sets both TS_SERVE_CONFIG and TS_DEST_IP, which containerboot documents as not usable together: TS_DEST_IP forwards every inbound tailnet port to ${dest.value} while serve answers its own ports in tailscaled; keep one (serve for per-port proxies, TS_DEST_IP for a whole-IP forward)`,
        });
      }
    }
    return out;
  },
});
