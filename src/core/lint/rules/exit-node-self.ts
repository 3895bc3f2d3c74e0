import { defineRule, type Report } from '../rule.js';
import { parseGoBool } from '../values.js';
import { extraArgs, flags } from './extra-args.js';

export const exitNodeSelf = defineRule({
  id: 'exit-node-self',
  severity: 'error',
  category: 'tailscale',
  description:
    'One node both advertises an exit node (--advertise-exit-node) and uses one (--exit-node); tailscaled refuses the combination, so `tailscale up` fails.',
  source: 'ipn-exit-node-self',
  check({ model }) {
    const out: Report[] = [];
    for (const s of model.tailscaleServices()) {
      const x = extraArgs(model, s);
      if (!x) continue;
      const f = flags(x);
      const advertise = f.find(
        (a) => a.name === 'advertise-exit-node' && (a.value === undefined || parseGoBool(a.value) === true),
      );
      const use = f.find((a) => a.name === 'exit-node' && a.value !== undefined && a.value !== '');
      if (!advertise || !use) continue;
      out.push({
        path: x.env.path,
        message: `service "${s.name}": TS_EXTRA_ARGS both advertises this node as an exit node and routes its own traffic through exit node ${use.value}; tailscaled answers "Cannot advertise an exit node and use an exit node at the same time." and \`tailscale up\` fails, so containerboot exits; run the exit node and the client as two services`,
      });
    }
    return out;
  },
});
