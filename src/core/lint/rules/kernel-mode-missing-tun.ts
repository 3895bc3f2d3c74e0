import { addListItem } from '../edits.js';
import { defineRule } from '../rule.js';
import { cgroupAllowsTun, envPath, TUN, tunDeviceIndex, tunVolumeIndex } from './helpers.js';

export const kernelModeMissingTun = defineRule({
  id: 'kernel-mode-missing-tun',
  severity: 'warning',
  category: 'tailscale',
  description: 'A kernel-mode Tailscale service (TS_USERSPACE=false) has no /dev/net/tun under devices:.',
  source: 'runc-tun',
  check({ model }) {
    return model
      .tailscaleServices()
      .filter((s) => model.mode(s) === 'kernel' && !model.privileged(s))
      .filter((s) => tunDeviceIndex(model, s) === -1 && !cgroupAllowsTun(model, s))
      .map((s) => {
        const vol = tunVolumeIndex(model, s);
        if (vol !== -1)
          return {
            path: [...s.path, 'volumes', vol],
            message: `service "${s.name}" mounts ${TUN} as a volume, which is not enough for kernel mode (TS_USERSPACE=false): the device cgroup must allow it, runc 1.2.0–1.2.3 do not, and tailscaled then fails with "operation not permitted"; declare it under devices:`,
          };
        return {
          ...envPath(model, s, 'TS_USERSPACE'),
          message: `service "${s.name}" runs Tailscale in kernel mode (TS_USERSPACE=false) without ${TUN} under devices:; whether tailscaled can create tailscale0 then depends on the container runtime's default device list`,
        };
      });
  },
  fix({ model }, finding) {
    const name = finding.path?.[1];
    const s = typeof name === 'string' ? model.service(name) : undefined;
    return s ? addListItem(model, s.path, 'devices', `${TUN}:${TUN}`) : undefined;
  },
});
