import type { ComposeEdit } from '../../src/core/compose/edits.js';
import type { KeyPolicy, ServicePolicy } from '../../src/core/compose/managed.js';
import type { ComposeConfig } from './compose-cli.js';
import { contains, entriesOf, flagWords, implicitDefault, same, withEnvFiles } from './effective.js';

/**
 * The oracle's verdict on one merge: compose's effective configuration of the original (O), of
 * the merged file (M) and of the generated services alone (D, the desired state), compared
 * against the mode's managed keys (the policies the generator attaches to its puts):
 * - a service no edit touches is identical in O and M;
 * - a service the mode puts with a policy: a key it does not own is identical in O and M; an
 *   owned key equals D (absent when D has none); a default-only key equals O when O has it, else
 *   D; for owned entries, each named entry equals D's (a network or dependency keeps O's other
 *   settings) and every other entry equals O's; a flags variable has D's owned flags and O's others;
 * - a new service equals D;
 * - a service with key edits (a sidecar's app): edited keys hold the edit's value or are gone,
 *   every other key is identical;
 * - top-level networks/volumes/secrets/configs: entries the mode puts equal D (or O when put only
 *   if absent and O had it); all others are identical.
 * Returns one line per difference; empty means the merge kept everything it had to.
 *
 * Normalisations — only where compose prints the same meaning differently:
 * 1. the top-level `version` (v1 derives it from the features a file uses) and `name` are not
 *    compared: they are not configuration of any service;
 * 2. a network joined without settings is null or {} (v1 prints {} after `extends`) — effective.ts;
 * 3. a top-level network/volume/secret/config printed on one side only, which no service of the
 *    other side uses (v2 prints only used ones, and the implicit `default` network) — below;
 * 4. a service with neither networks: nor network_mode: is on `default` (v2 prints it, v1 does
 *    not) — effective.ts.
 * Env files the oracle creates hold one marker variable each; v1 inlines env files into
 * `environment`, so markers are read back as the service's env_file list (effective.ts).
 */
export function compareConfigs(
  O: ComposeConfig,
  M: ComposeConfig,
  D: ComposeConfig,
  edits: readonly ComposeEdit[],
  markers: Map<string, string>,
): string[] {
  const out: string[] = [];
  const service = (c: ComposeConfig, s: string) =>
    c['services']?.[s] === undefined ? undefined : implicitDefault(withEnvFiles(c['services'][s], markers));
  const puts = new Map(
    edits.flatMap((e) => (e.op === 'put' && e.path[0] === 'services' ? [[e.path[1], e] as const] : [])),
  );
  const names = new Set([...Object.keys(O['services'] ?? {}), ...Object.keys(M['services'] ?? {})]);
  for (const s of names) {
    const o = service(O, s);
    const m = service(M, s);
    const put = puts.get(s);
    if (put) {
      const d = service(D, s);
      if (o === undefined || !put.policy) {
        if (!same(m, d)) out.push(`services.${s}: ${diffKeys(m, d)} differ from the generated service`);
      } else out.push(...compareManaged(s, o, m ?? {}, d ?? {}, put.policy));
      continue;
    }
    const keyEdits = edits.filter((e) => e.op !== 'put' && e.path[0] === 'services' && e.path[1] === s);
    if (keyEdits.length > 0) out.push(...compareEdited(s, o ?? {}, m ?? {}, keyEdits));
    else if (!same(o, m))
      out.push(`services.${s}: ${diffKeys(o, m)} changed, but the mode does not touch this service`);
  }
  for (const section of ['networks', 'volumes', 'secrets', 'configs']) {
    const o = O[section] ?? {};
    const m = M[section] ?? {};
    for (const name of new Set([...Object.keys(o), ...Object.keys(m)])) {
      // Normalisation 3 (see the top): compose v2 prints only the networks and volumes some service uses (and
      // the implicit `default` network whenever one is attached to it); an entry printed on one
      // side only, that no service of the other side uses, is a consequence of an owned change.
      if (
        (o[name] === undefined && !uses(O, section, name)) ||
        (m[name] === undefined && !uses(M, section, name))
      )
        continue;
      const put = edits.find((e) => e.op === 'put' && e.path[0] === section && e.path[1] === name);
      const want =
        put && !(put.op === 'put' && put.ifAbsent && o[name] !== undefined) ? D[section]?.[name] : o[name];
      if (!same(m[name], want)) out.push(`${section}.${name}: ${show(m[name])}, expected ${show(want)}`);
    }
  }
  return out;
}

function compareManaged(
  s: string,
  o: ComposeConfig,
  m: ComposeConfig,
  d: ComposeConfig,
  policy: ServicePolicy,
): string[] {
  const out: string[] = [];
  for (const key of new Set([
    ...Object.keys(o),
    ...Object.keys(m),
    ...Object.keys(d),
    ...Object.keys(policy.keys),
  ])) {
    const p = policy.keys[key];
    const at = `services.${s}.${key}`;
    if (!p) {
      if (!same(o[key], m[key]))
        out.push(`${at}: not owned by the mode but changed from ${show(o[key])} to ${show(m[key])}`);
    } else if (p.own === 'value') {
      if (!same(m[key], d[key]))
        out.push(`${at}: owned, ${show(m[key])} instead of the generated ${show(d[key])}`);
    } else if (p.own === 'default') {
      // The user's value when compose shows one; otherwise the generated one, or none (a value
      // compose prints as nothing, like an empty ${VAR}, is still the user's).
      const ok = o[key] !== undefined ? same(m[key], o[key]) : m[key] === undefined || same(m[key], d[key]);
      if (!ok) out.push(`${at}: default-only, ${show(m[key])} instead of ${show(o[key] ?? d[key])}`);
    } else out.push(...compareEntries(at, key, o[key], m[key], d[key], p));
  }
  return out;
}

function compareEntries(
  at: string,
  key: string,
  ov: unknown,
  mv: unknown,
  dv: unknown,
  p: Extract<KeyPolicy, { own: 'entries' }>,
): string[] {
  const o = entriesOf(key, ov);
  const m = entriesOf(key, mv);
  const d = entriesOf(key, dv);
  if (!o || !m || !d) return [`${at}: compose printed a form the oracle cannot read`];
  const out: string[] = [];
  const owned = (id: string) =>
    p.names.some((n) => (n.endsWith('*') ? id.startsWith(n.slice(0, -1)) : n === id));
  for (const id of new Set([...o.keys(), ...m.keys(), ...d.keys()])) {
    const flags = p.flags?.[id];
    if (flags) {
      const [fo, fm, fd] = [o, m, d].map((e) => flagWords(e.get(id), flags.owned, flags.valued));
      if (!same(fm!.owned, fd!.owned) || !same(fm!.other, fo!.other))
        out.push(
          `${at}.${id}: ${show(m.get(id))}, expected the generated flags ${show(fd!.owned)} and the user's ${show(fo!.other)}`,
        );
    } else if (owned(id)) {
      const want =
        key === 'networks' || key === 'depends_on'
          ? mergedSettings(o.get(id), d.get(id), d.has(id))
          : d.get(id);
      if (!same(m.get(id), want)) out.push(`${at}.${id}: owned, ${show(m.get(id))} instead of ${show(want)}`);
    } else if (!same(m.get(id), o.get(id)))
      out.push(
        `${at}.${id}: not owned by the mode but changed from ${show(o.get(id))} to ${show(m.get(id))}`,
      );
  }
  return out;
}

/** An owned network/dependency: the generated settings over the user's other settings. */
function mergedSettings(user: unknown, generated: unknown, wanted: boolean): unknown {
  if (!wanted) return undefined;
  const u = isRecord(user) ? user : {};
  const g = isRecord(generated) ? generated : {};
  const merged = { ...u, ...g };
  return Object.keys(merged).length === 0 ? (user === undefined ? generated : user) : merged;
}

function compareEdited(
  s: string,
  o: ComposeConfig,
  m: ComposeConfig,
  edits: readonly ComposeEdit[],
): string[] {
  const out: string[] = [];
  for (const key of new Set([...Object.keys(o), ...Object.keys(m)])) {
    const at = `services.${s}.${key}`;
    const mine = edits.filter((e) => e.path[2] === key);
    if (mine.length === 0) {
      if (!same(o[key], m[key]))
        out.push(`${at}: not edited but changed from ${show(o[key])} to ${show(m[key])}`);
      continue;
    }
    for (const e of mine) {
      const sub = e.path[3];
      const got = sub === undefined ? m[key] : (m[key] as Record<string, unknown> | undefined)?.[sub];
      if (e.op === 'delete' ? got !== undefined : !contains(got, e.op === 'set' ? e.value : undefined))
        out.push(`${e.path.join('.')}: ${show(got)} after ${e.op} ${e.op === 'set' ? show(e.value) : ''}`);
    }
    const subs = new Set(mine.map((e) => e.path[3]).filter((x) => x !== undefined));
    if (subs.size > 0 && !mine.some((e) => e.path.length === 3)) {
      const [eo, em] = [entriesOf(key, o[key]), entriesOf(key, m[key])];
      for (const id of new Set([...(eo?.keys() ?? []), ...(em?.keys() ?? [])]))
        if (!subs.has(id) && !same(eo?.get(id), em?.get(id))) out.push(`${at}.${id}: not edited but changed`);
    }
  }
  return out;
}

function diffKeys(a: unknown, b: unknown): string {
  const ra = isRecord(a) ? a : {};
  const rb = isRecord(b) ? b : {};
  const keys = [...new Set([...Object.keys(ra), ...Object.keys(rb)])].filter((k) => !same(ra[k], rb[k]));
  return keys.length > 0 ? keys.join(', ') : 'the values';
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function show(v: unknown): string {
  const s = v === undefined ? '(absent)' : JSON.stringify(v);
  return s.length > 160 ? `${s.slice(0, 157)}...` : s;
}

/** Whether any service of a printed configuration refers to a top-level network/volume/secret/config. */
function uses(c: ComposeConfig, section: string, name: string): boolean {
  return Object.values(c['services'] ?? {}).some((s) => {
    const service = s as ComposeConfig;
    if (section === 'volumes')
      return ((service['volumes'] as unknown[] | undefined) ?? []).some((v) =>
        typeof v === 'string' ? v.split(':')[0] === name : (v as { source?: unknown })?.source === name,
      );
    const e = entriesOf(section, service[section]);
    return e?.has(name) ?? false;
  });
}
