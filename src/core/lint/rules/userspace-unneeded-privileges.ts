import type { Path } from '../compose-model.js';
import { defineRule } from '../rule.js';
import { capabilities, TUN, tunDeviceIndex, tunVolumeIndex } from './helpers.js';

const KERNEL_ONLY_CAPS = new Set(['NET_ADMIN', 'SYS_MODULE', 'ALL']);

export const userspaceUnneededPrivileges = defineRule({
  id: 'userspace-unneeded-privileges',
  severity: 'warning',
  category: 'security',
  description:
    'A userspace-mode Tailscale service is given NET_ADMIN, SYS_MODULE, /dev/net/tun or privileged mode it does not use.',
  source: 'containerboot-env',
  check({ model }) {
    const out = [];
    for (const s of model.tailscaleServices()) {
      if (model.mode(s) !== 'userspace' || model.runsTailscaled(s)) continue;
      const why = model.environment(s).has('TS_USERSPACE')
        ? 'TS_USERSPACE is true (userspace networking)'
        : 'TS_USERSPACE is not set, so containerboot uses userspace networking (default true)';
      const hint = 'remove it, or set TS_USERSPACE=false if you meant kernel mode';
      const items: { path: Path; what: string; key?: boolean }[] = [];
      for (const c of capabilities(model, s))
        if (KERNEL_ONLY_CAPS.has(c.name)) items.push({ path: c.path, what: c.raw });
      const dev = tunDeviceIndex(model, s);
      if (dev !== -1) items.push({ path: [...s.path, 'devices', dev], what: `device ${TUN}` });
      const vol = tunVolumeIndex(model, s);
      if (vol !== -1) items.push({ path: [...s.path, 'volumes', vol], what: `${TUN} mount` });
      if (model.privileged(s)) items.push({ path: [...s.path, 'privileged'], what: 'privileged: true' });
      for (const i of items)
        out.push({
          path: i.path,
          message: `service "${s.name}": ${why}, which does not use the ${i.what}; ${hint}`,
        });
    }
    return out;
  },
});
