import { addListItem } from '../edits.js';
import { defineRule } from '../rule.js';
import { envPath, grantsCap } from './helpers.js';

export const kernelModeMissingNetAdmin = defineRule({
  id: 'kernel-mode-missing-net-admin',
  severity: 'error',
  category: 'tailscale',
  description: 'A kernel-mode Tailscale service (TS_USERSPACE=false) does not add the NET_ADMIN capability.',
  source: 'ts-kb-1282',
  check({ model }) {
    return model
      .tailscaleServices()
      .filter((s) => model.mode(s) === 'kernel' && !model.privileged(s) && !grantsCap(model, s, 'NET_ADMIN'))
      .map((s) => {
        const hasCapAdd = model.locate([...s.path, 'cap_add']).found;
        return {
          ...(hasCapAdd ? { path: [...s.path, 'cap_add'], key: true } : envPath(model, s, 'TS_USERSPACE')),
          message: `service "${s.name}" runs Tailscale in kernel mode (TS_USERSPACE=false) without NET_ADMIN in cap_add: tailscaled needs it to create the TUN device, routes and firewall rules`,
        };
      });
  },
  fix({ model }, finding) {
    const name = finding.path?.[1];
    const s = typeof name === 'string' ? model.service(name) : undefined;
    return s ? addListItem(model, s.path, 'cap_add', 'NET_ADMIN') : undefined;
  },
});
