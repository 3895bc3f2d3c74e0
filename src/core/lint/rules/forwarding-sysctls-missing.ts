import type { ComposeModel, Service } from '../compose-model.js';
import { addListItem, addMapEntry, addMapItem, indentStep, replaceValue } from '../edits.js';
import { defineRule, type TextEdit } from '../rule.js';
import { isInterpolated } from '../values.js';
import { envPath } from './helpers.js';

export const FORWARDING_SYSCTLS = ['net.ipv4.ip_forward', 'net.ipv6.conf.all.forwarding'] as const;

/** Forwarding sysctls that are absent or not 1 (interpolated values count as set). */
function missing(model: ComposeModel, s: Service): string[] {
  const sysctls = model.sysctls(s);
  return FORWARDING_SYSCTLS.filter((k) => {
    const v = sysctls.get(k)?.value;
    return v === undefined || (v.trim() !== '1' && !isInterpolated(v));
  });
}

export const forwardingSysctlsMissing = defineRule({
  id: 'forwarding-sysctls-missing',
  severity: 'warning',
  category: 'tailscale',
  description:
    'A kernel-mode subnet router or exit node outside host networking lacks the IPv4 and IPv6 forwarding sysctls.',
  source: 'containerboot-forwarding',
  check({ model }) {
    const out = [];
    for (const s of model.tailscaleServices()) {
      if (model.mode(s) !== 'kernel' || model.extendsOther(s)) continue;
      const nm = model.networkMode(s);
      if (nm === 'host' || nm?.startsWith('service:') || nm?.startsWith('container:')) continue;
      const adv = model.advertises(s);
      if (adv.routes.length === 0 && !adv.exitNode) continue;
      const keys = missing(model, s);
      if (keys.length === 0) continue;
      const what = adv.exitNode ? 'an exit node' : `a subnet router (${adv.routes.join(', ')})`;
      const at = model.environment(s).has('TS_ROUTES')
        ? envPath(model, s, 'TS_ROUTES')
        : envPath(model, s, 'TS_EXTRA_ARGS');
      out.push({
        ...at,
        message: `service "${s.name}" is ${what} in kernel mode but does not set ${keys.map((k) => `${k}=1`).join(' and ')} under sysctls:; a new network namespace starts with IPv6 forwarding off and containerboot cannot write /proc/sys itself`,
        data: { missing: keys },
      });
    }
    return out;
  },
  fix({ model }, finding) {
    const name = finding.path?.[1];
    const s = typeof name === 'string' ? model.service(name) : undefined;
    if (!s) return undefined;
    const keys = missing(model, s);
    const existing = s.value['sysctls'];
    const edits: TextEdit[] = [];
    if (existing === undefined) {
      const step = ' '.repeat(indentStep(model, s.path));
      return addMapEntry(
        model,
        s.path,
        'sysctls:',
        keys.map((k) => `${step}- ${k}=1`),
      );
    }
    const sysctls = model.sysctls(s);
    for (const k of keys) {
      const present = sysctls.get(k);
      const e = present
        ? replaceValue(model, present.path, Array.isArray(existing) ? `${k}=1` : '1')
        : Array.isArray(existing)
          ? addListItem(model, s.path, 'sysctls', `${k}=1`)
          : addMapItem(model, s.path, 'sysctls', k, '1');
      if (!e) return undefined;
      edits.push(...e);
    }
    return edits;
  },
});
