import { z } from 'zod';
import { removeSeqItem } from '../edits.js';
import { defineRule, type Report } from '../rule.js';
import { capabilities } from './helpers.js';

/** Capabilities tailscaled uses (NET_ADMIN, SYS_MODULE for the modprobe fallback) or Docker grants anyway. */
const USED_OR_DEFAULT = new Set([
  'NET_ADMIN',
  'SYS_MODULE',
  // Docker's default set (moby oci/caps/defaults.go): adding them changes nothing.
  'CHOWN',
  'DAC_OVERRIDE',
  'FSETID',
  'FOWNER',
  'MKNOD',
  'NET_RAW',
  'SETGID',
  'SETUID',
  'SETFCAP',
  'SETPCAP',
  'NET_BIND_SERVICE',
  'SYS_CHROOT',
  'KILL',
  'AUDIT_WRITE',
]);

const Options = z
  .object({
    allow: z
      .array(z.string())
      .default([])
      .describe('Capabilities to accept anyway (e.g. SYS_ADMIN for a script that mounts something).'),
  })
  .strict();

export const capabilitiesUnused = defineRule({
  id: 'capabilities-unused',
  severity: 'warning',
  category: 'security',
  description:
    'A Tailscale service adds capabilities tailscaled never uses (anything beyond NET_ADMIN and SYS_MODULE that Docker does not grant by default, or ALL).',
  source: 'moby-default-caps',
  options: Options,
  check({ model, options }) {
    const allow = new Set(
      ((options as z.output<typeof Options> | undefined) ?? Options.parse({})).allow.map((c) =>
        c.toUpperCase().replace(/^CAP_/, ''),
      ),
    );
    const out: Report[] = [];
    for (const s of model.tailscaleServices()) {
      const userspace = model.mode(s) === 'userspace';
      for (const c of capabilities(model, s)) {
        if (USED_OR_DEFAULT.has(c.name) || allow.has(c.name) || c.raw.includes('$')) continue;
        // In userspace mode ALL is reported by userspace-unneeded-privileges.
        if (c.name === 'ALL' && userspace) continue;
        out.push({
          path: c.path,
          message:
            c.name === 'ALL'
              ? `service "${s.name}" adds every capability (cap_add: ALL); tailscaled needs only NET_ADMIN (and SYS_MODULE for the modprobe tun fallback): list those instead`
              : `service "${s.name}" adds ${c.raw}, which tailscaled never uses (it needs NET_ADMIN, and SYS_MODULE only for the modprobe tun fallback); remove it`,
        });
      }
    }
    return out;
  },
  fix({ model }, finding) {
    const p = finding.path;
    if (!p || typeof p.at(-1) !== 'number' || p.at(-2) !== 'cap_add') return undefined;
    if (
      model.locate(p).node &&
      String((model.locate(p).node as { value?: unknown }).value)
        .toUpperCase()
        .endsWith('ALL')
    )
      return undefined; // replacing ALL needs a choice (kernel or userspace mode), not a deletion
    return removeSeqItem(model, p.slice(0, -1), p.at(-1) as number);
  },
});
