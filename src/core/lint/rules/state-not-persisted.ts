import type { ComposeModel, Service } from '../compose-model.js';
import { addListItem, addMapItem } from '../edits.js';
import { defineRule } from '../rule.js';
import { isInterpolated, isUnderPath, volumeTarget } from '../values.js';

const DEFAULT_STATE_DIR = '/var/lib/tailscale';

/** Non-tmpfs volume targets of a service; `unknown` when an entry is interpolated or volumes_from is used. */
function mounts(model: ComposeModel, s: Service): { targets: string[]; unknown: boolean } {
  let unknown = s.value['volumes_from'] !== undefined;
  const targets: string[] = [];
  for (const v of model.list(s, 'volumes')) {
    if (typeof v === 'string' && isInterpolated(v)) {
      unknown = true;
      continue;
    }
    if (typeof v === 'object' && v !== null && (v as Record<string, unknown>)['type'] === 'tmpfs') continue;
    const t = volumeTarget(v);
    if (t === undefined || isInterpolated(t)) unknown = true;
    else targets.push(t);
  }
  return { targets, unknown };
}

/** True when the path is under a `tmpfs:` mount of the service (memory, lost on restart). */
function underTmpfs(s: Service, dir: string): boolean {
  const t = s.value['tmpfs'];
  const items = Array.isArray(t) ? t : typeof t === 'string' ? [t] : [];
  return items.some((i) => typeof i === 'string' && isUnderPath(dir, i.split(':')[0]!));
}

export const stateNotPersisted = defineRule({
  id: 'state-not-persisted',
  severity: 'error',
  category: 'reliability',
  description:
    'A Tailscale container keeps its node state in memory (TS_STATE_DIR unset) or in a directory no volume covers, so every restart registers a new node.',
  source: 'containerboot-state',
  check({ model }) {
    const out = [];
    for (const s of model.tailscaleServices()) {
      if (model.runsTailscaled(s)) continue; // containerboot does not start tailscaled: TS_STATE_DIR is not read
      const look = model.lookup(s, 'TS_STATE_DIR');
      if (look.kind === 'env_file' || look.kind === 'maybe') continue;
      const { targets, unknown } = mounts(model, s);
      const consequence =
        'tailscaled runs with --state=mem:, so every restart registers a new ephemeral node (name-1, name-2, a new 100.x IP, routes to approve again)';
      if (look.kind === 'unset' || look.env.value?.trim() === '') {
        if (look.kind === 'inline' && look.env.value === undefined) continue;
        const mounted = targets.find((t) => isUnderPath(t, DEFAULT_STATE_DIR));
        const hint = mounted
          ? `a volume is mounted at ${mounted}, but that alone is not enough (tailscale#6362): set TS_STATE_DIR=${mounted}`
          : `set TS_STATE_DIR=${DEFAULT_STATE_DIR} and mount a volume there`;
        const env = model.environment(s);
        const at =
          look.kind === 'inline'
            ? { path: look.env.path }
            : env.size > 0 || s.value['environment'] !== undefined
              ? { path: [...s.path, 'environment'], key: true }
              : { path: s.path, key: true };
        out.push({
          ...at,
          message: `service "${s.name}" does not set TS_STATE_DIR: ${consequence}; ${hint}`,
          ...(mounted && targets.filter((t) => t === mounted).length === 1
            ? { data: { stateDir: mounted } }
            : {}),
        });
        continue;
      }
      const dir = look.env.value;
      if (dir === undefined || !dir.startsWith('/')) continue; // interpolated, from the shell, or relative
      if (underTmpfs(s, dir)) {
        out.push({
          path: look.env.path,
          message: `service "${s.name}": TS_STATE_DIR=${dir} is on a tmpfs mount, so the node state is lost on every restart and a new node (name-1) registers; mount a volume at ${dir} instead`,
        });
        continue;
      }
      if (unknown || targets.some((t) => isUnderPath(dir, t))) continue;
      out.push({
        path: look.env.path,
        message: `service "${s.name}": TS_STATE_DIR=${dir} is not on any volume, so the state lives in the container's writable layer and is lost when the container is recreated (image update, compose change): a new node (name-1) registers; add a volume, e.g. ./tailscale-state:${dir}`,
      });
    }
    return out;
  },
  fix({ model }, finding) {
    const dir = finding.data?.['stateDir'];
    const name = finding.path?.[1];
    const s = typeof name === 'string' ? model.service(name) : undefined;
    if (typeof dir !== 'string' || !s || model.lookup(s, 'TS_STATE_DIR').kind !== 'unset') return undefined;
    const env = s.value['environment'];
    if (Array.isArray(env)) return addListItem(model, s.path, 'environment', `TS_STATE_DIR=${dir}`);
    if (env === undefined || (typeof env === 'object' && env !== null))
      return addMapItem(model, s.path, 'environment', 'TS_STATE_DIR', dir);
    return undefined;
  },
});
