import type { ComposeConfig } from './compose-cli.js';

/**
 * Reading compose's own output (`config`) as entries, written independently of src/ so that the
 * oracle does not share the merge's assumptions. Only shapes compose itself prints are handled:
 * v1 prints environment/networks/depends_on as mappings and volumes/devices as strings, v2 prints
 * long syntax objects; both are read.
 */

export type Entries = Map<string, unknown>;

/** The entries of one service key as compose printed it, or undefined for keys read whole. */
export function entriesOf(key: string, value: unknown): Entries | undefined {
  if (value === undefined || value === null) return new Map();
  switch (key) {
    case 'networks': {
      // Normalisation 2 (compare.ts): compose v1 prints a network joined without settings as null, but as {}
      // when the service got its networks through `extends` (merge_networks); both mean the same.
      const e = mapOrList(value, (item) => [String(item), null]);
      for (const [k, v] of e) if (isEmptyObject(v)) e.set(k, null);
      return e;
    }
    case 'environment':
    case 'labels':
    case 'sysctls':
    case 'depends_on':
      return mapOrList(value, (item) => {
        const s = String(item);
        const eq = s.indexOf('=');
        return eq === -1 ? [s, null] : [s.slice(0, eq), s.slice(eq + 1)];
      });
    case 'volumes':
    case 'devices':
      return listBy(value, (item) => {
        if (typeof item === 'object' && item !== null)
          return String((item as Record<string, unknown>)['target']);
        const parts = String(item).split(':');
        return parts.length === 1 ? parts[0]! : parts[1]!;
      });
    case 'cap_add':
    case 'cap_drop':
      return listBy(value, (item) => String(item).toUpperCase().replace(/^CAP_/, ''));
    case 'secrets':
    case 'configs':
      return listBy(value, (item) =>
        typeof item === 'object' && item !== null
          ? String((item as Record<string, unknown>)['source'])
          : String(item),
      );
    case 'env_file':
      return listBy(typeof value === 'string' ? [value] : value, (item) =>
        typeof item === 'object' && item !== null
          ? String((item as Record<string, unknown>)['path'])
          : String(item),
      );
    default:
      return undefined;
  }
}

function mapOrList(value: unknown, split: (item: unknown) => [string, unknown]): Entries {
  if (Array.isArray(value)) return new Map(value.map(split));
  if (typeof value === 'object' && value !== null) return new Map(Object.entries(value));
  return new Map([[String(value), null]]);
}

function listBy(value: unknown, id: (item: unknown) => string): Entries {
  const out: Entries = new Map();
  for (const item of Array.isArray(value) ? value : [value]) out.set(id(item), item);
  return out;
}

/**
 * A service as compose printed it, with the marker variables of env files moved out of
 * `environment` into an `env_file` of their paths (v1 inlines env files into environment).
 */
export function withEnvFiles(service: ComposeConfig, markers: Map<string, string>): ComposeConfig {
  const env = service['environment'];
  if (!env || typeof env !== 'object' || Array.isArray(env)) return service;
  const rest: Record<string, unknown> = {};
  const files: string[] = [];
  for (const [k, v] of Object.entries(env)) {
    const file = markers.get(k);
    if (file) files.push(file);
    else rest[k] = v;
  }
  if (files.length === 0) return service;
  const out: ComposeConfig = { ...service, environment: rest };
  if (Object.keys(rest).length === 0) delete out['environment'];
  out['env_file'] = [...new Set([...((service['env_file'] as string[] | undefined) ?? []), ...files])];
  return out;
}

export function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(sortKeys(a)) === JSON.stringify(sortKeys(b));
}

/** Every field of `want` is in `got` with the same value (compose may add defaults of its own). */
export function contains(got: unknown, want: unknown): boolean {
  if (typeof want !== 'object' || want === null || Array.isArray(want)) return same(got, want);
  if (typeof got !== 'object' || got === null) return false;
  return Object.entries(want).every(([k, v]) => contains((got as Record<string, unknown>)[k], v));
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (typeof v === 'object' && v !== null)
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]),
    );
  return v;
}

/** Words of a flags variable split on blanks into the owned flags (with their values) and the rest. */
export function flagWords(
  value: unknown,
  owned: readonly string[],
  valued: readonly string[],
): { owned: string[]; other: string[] } {
  const words = value === null || value === undefined ? [] : String(value).split(/\s+/).filter(Boolean);
  const out = { owned: [] as string[], other: [] as string[] };
  for (let i = 0; i < words.length; i++) {
    const m = /^--?([A-Za-z0-9-]+)(=.*)?$/.exec(words[i]!);
    if (!m || !owned.includes(m[1]!)) {
      out.other.push(words[i]!);
      continue;
    }
    let flag = words[i]!;
    if (m[2] === undefined && valued.includes(m[1]!) && words[i + 1] && !words[i + 1]!.startsWith('-'))
      flag += ` ${words[++i]}`;
    out.owned.push(flag);
  }
  return out;
}

function isEmptyObject(v: unknown): boolean {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).length === 0;
}

/**
 * Normalisation 4: a service with neither networks: nor network_mode: is on the `default` network.
 * Compose v2 prints that (`networks: {default: null}`), v1 prints nothing; both are read as v2 does.
 */
export function implicitDefault(service: ComposeConfig): ComposeConfig {
  if (service['networks'] !== undefined || service['network_mode'] !== undefined) return service;
  return { ...service, networks: { default: null } };
}
