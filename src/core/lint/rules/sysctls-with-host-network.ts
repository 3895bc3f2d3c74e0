import { defineRule } from '../rule.js';

export const sysctlsWithHostNetwork = defineRule({
  id: 'sysctls-with-host-network',
  severity: 'error',
  category: 'networking',
  description: 'A service with network_mode: host sets net.* sysctls, which Docker refuses.',
  source: 'compose-sysctls',
  check({ model }) {
    return model
      .services()
      .filter((s) => model.networkMode(s) === 'host')
      .flatMap((s) => {
        const net = [...model.sysctls(s).keys()].filter((k) => k.startsWith('net.'));
        if (net.length === 0) return [];
        return [
          {
            path: [...s.path, 'sysctls'],
            key: true,
            message: `service "${s.name}" uses network_mode: host with ${net.join(', ')} under sysctls:; Docker rejects namespaced net.* sysctls in the host namespace, so the container does not start — set them on the host (e.g. TrueNAS System → Advanced → Sysctl) and remove them here`,
          },
        ];
      });
  },
});
