import { z } from 'zod';
import { defineRule, type Report } from '../rule.js';
import { isInterpolated, volumeSource, volumeTarget } from '../values.js';

/** Host directories that hold the whole system (or a large part of it). */
export const SYSTEM_DIRS = [
  '/',
  '/bin',
  '/boot',
  '/dev',
  '/etc',
  '/home',
  '/lib',
  '/lib64',
  '/opt',
  '/proc',
  '/root',
  '/run',
  '/sbin',
  '/srv',
  '/sys',
  '/usr',
  '/var',
  '/var/lib',
  '/var/log',
  '/var/run',
] as const;

const Options = z
  .object({
    allow: z.array(z.string()).default([]).describe('Host directories to accept anyway.'),
  })
  .strict();

function norm(p: string): string {
  return p.length > 1 ? p.replace(/\/+$/, '') : p;
}

export const systemDirMounted = defineRule({
  id: 'system-dir-mounted',
  severity: 'warning',
  category: 'security',
  description:
    'A whole host system directory (/, /etc, /var/lib …) is mounted into a Tailscale container instead of a directory of its own for the state.',
  source: 'docker-bind-mounts',
  options: Options,
  check({ model, options }) {
    const allow = new Set(
      ((options as z.output<typeof Options> | undefined) ?? Options.parse({})).allow.map(norm),
    );
    const out: Report[] = [];
    for (const s of model.tailscaleServices()) {
      model.list(s, 'volumes').forEach((v, i) => {
        const src = volumeSource(v);
        if (src === undefined || isInterpolated(src)) return;
        const dir = norm(src);
        if (!(SYSTEM_DIRS as readonly string[]).includes(dir) || allow.has(dir)) return;
        const target = volumeTarget(v) ?? dir;
        const state =
          dir === '/var/lib' || dir === '/var'
            ? ` — the host's own /var/lib/tailscale (if the host runs Tailscale), /var/lib/docker and every other service's data`
            : '';
        out.push({
          path: [...s.path, 'volumes', i],
          message: `service "${s.name}" mounts the host's whole ${dir} at ${target}${state}, writable by a container that is reachable from the tailnet; mount a directory of its own instead, e.g. ./tailscale/state:/var/lib/tailscale with TS_STATE_DIR=/var/lib/tailscale`,
        });
      });
    }
    return out;
  },
});
