import type { ComposeModel, Service } from '../compose-model.js';
import { addListItem, addMapItem } from '../edits.js';
import { defineRule, type Report } from '../rule.js';
import { isInterpolated, isUnderPath, serviceScripts, volumeTarget } from '../values.js';

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

/** True when a literal auth key asks for an ephemeral node (`…?ephemeral=true`). */
function ephemeralKey(model: ComposeModel, s: Service): boolean {
  const env = model.environment(s);
  return ['TS_AUTHKEY', 'TS_AUTH_KEY'].some((n) => /[?&]ephemeral=true\b/.test(env.get(n)?.value ?? ''));
}

/** The state location a hand-started tailscaled uses: --state / --statedir, or the default file. */
function tailscaledState(
  args: readonly string[],
): { kind: 'mem' } | { kind: 'dir'; dir: string } | { kind: 'unknown' } {
  let state: string | undefined;
  let statedir: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const m = /^--?(state|statedir)(?:=(.*))?$/.exec(a);
    if (!m) continue;
    const v = m[2] ?? args[++i];
    if (m[1] === 'state') state = v;
    else statedir = v;
  }
  const v = state ?? statedir;
  if (v !== undefined && (v.includes('$') || isInterpolated(v))) return { kind: 'unknown' };
  if (state?.startsWith('mem:')) return { kind: 'mem' };
  if (state !== undefined && !state.includes(':'))
    return { kind: 'dir', dir: state.replace(/\/[^/]*$/, '') || '/' };
  if (state !== undefined) return { kind: 'unknown' }; // kube:, arn: … stores
  if (statedir !== undefined) return { kind: 'dir', dir: statedir };
  return { kind: 'dir', dir: DEFAULT_STATE_DIR };
}

/** A hand-written command/entrypoint that starts tailscaled: is its state on a volume? */
function handStarted(model: ComposeModel, s: Service): Report[] {
  const script = serviceScripts(s.value).find((x) => x.key !== 'healthcheck');
  if (!script) return [];
  const args = script.commands
    .filter((c) => c.argv[0]?.replace(/^.*\//, '') === 'tailscaled')
    .flatMap((c) => c.argv.slice(1));
  const st = tailscaledState(args);
  const path = [...s.path, ...script.at];
  if (st.kind === 'unknown') return [];
  if (st.kind === 'mem')
    return [
      {
        path,
        message: `service "${s.name}" starts tailscaled with --state=mem:, so every restart registers a new ephemeral node (name-1, a new 100.x IP, routes to approve again); give it --statedir on a volume, or use an ephemeral auth key on purpose`,
      },
    ];
  const { targets, unknown } = mounts(model, s);
  if (unknown || (targets.some((t) => isUnderPath(st.dir, t)) && !underTmpfs(s, st.dir))) return [];
  return [
    {
      path,
      message: `service "${s.name}" starts tailscaled itself and it keeps its state in ${st.dir}${args.some((a) => /^--?state(dir)?\b/.test(a)) ? '' : ' (the default, as no --state/--statedir is given)'}, which no volume covers: the state lives in the container's writable layer and is lost when the container is recreated, so a new node (name-1) registers; mount a volume at ${st.dir}`,
    },
  ];
}

export const stateNotPersisted = defineRule({
  id: 'state-not-persisted',
  severity: 'error',
  category: 'reliability',
  description:
    'A Tailscale container keeps its node state in memory (TS_STATE_DIR unset) or in a directory no volume covers, so every restart registers a new node.',
  source: 'containerboot-state',
  check({ model }) {
    const out: Report[] = [];
    for (const s of model.tailscaleServices()) {
      if (model.launcher(s) === 'tailscaled') {
        out.push(...handStarted(model, s));
        continue;
      }
      if (model.launcher(s) !== 'containerboot') continue;
      if (ephemeralKey(model, s)) continue; // the key asks for an ephemeral node: memory state is the intent
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
