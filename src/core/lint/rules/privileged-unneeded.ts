import { defineRule, type Report } from '../rule.js';
import { grantsCap, TUN, tunDeviceIndex } from './helpers.js';

export const privilegedUnneeded = defineRule({
  id: 'privileged-unneeded',
  severity: 'warning',
  category: 'security',
  description:
    'A Tailscale service runs privileged: true, although tailscaled needs only NET_ADMIN and the /dev/net/tun device (and nothing in userspace mode).',
  source: 'docker-privileged',
  check({ model }) {
    const out: Report[] = [];
    for (const s of model.tailscaleServices()) {
      // Userspace mode has its own rule (userspace-unneeded-privileges), which says "nothing is needed".
      if (!model.privileged(s) || model.mode(s) === 'userspace') continue;
      const missing = [
        ...(grantsCap(model, s, 'NET_ADMIN') ? [] : ['cap_add: [NET_ADMIN]']),
        ...(tunDeviceIndex(model, s) !== -1 ? [] : [`devices: [${TUN}:${TUN}]`]),
      ];
      const routes = model.lookup(s, 'TS_ROUTES').kind !== 'unset';
      const forwarding =
        routes && model.networkMode(s) === 'host'
          ? '; on the host network, enable IP forwarding on the host (sysctl net.ipv4.ip_forward=1) instead of letting the container write /proc/sys'
          : routes
            ? '; for TS_ROUTES add the forwarding sysctls (net.ipv4.ip_forward=1, net.ipv6.conf.all.forwarding=1) instead'
            : '';
      out.push({
        path: [...s.path, 'privileged'],
        message: `service "${s.name}" runs privileged: every capability and every host device for a container reachable from the tailnet, while tailscaled needs only NET_ADMIN and ${TUN}; remove privileged: true${missing.length > 0 ? ` and add ${missing.join(' and ')}` : ''}${forwarding}`,
      });
    }
    return out;
  },
});
