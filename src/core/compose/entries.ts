import type { EntryKind, FlagPolicy } from './managed.js';

/**
 * Reading and writing the entries of a compose key in the form the user chose (list or mapping),
 * so a merge can change one entry without rewriting the others.
 */

/** One entry: its identity and its value (the variable's value, the network's settings, the list item…). */
export interface Entry {
  id: string;
  value: unknown;
}

export type EntryForm = 'map' | 'list' | 'scalar';

export interface Entries {
  form: EntryForm;
  items: Entry[];
}

/** The entries of a value, or undefined when its shape is not one compose accepts for the kind. */
export function readEntries(kind: EntryKind, value: unknown): Entries | undefined {
  if (value === null || value === undefined) return { form: defaultForm(kind), items: [] };
  if (Array.isArray(value)) {
    const items: Entry[] = [];
    for (const item of value) {
      const entry = listEntry(kind, item);
      if (!entry) return undefined;
      items.push(entry);
    }
    return { form: 'list', items };
  }
  if (isRecord(value)) {
    if (!mapForms(kind)) return undefined;
    return { form: 'map', items: Object.entries(value).map(([id, v]) => ({ id, value: v })) };
  }
  if (kind === 'path' && typeof value === 'string') return { form: 'scalar', items: [{ id: value, value }] };
  return undefined;
}

/** The value for entries in a form; undefined when the entries cannot be written in it. */
export function writeEntries(kind: EntryKind, form: EntryForm, items: readonly Entry[]): unknown {
  if (form === 'map')
    return Object.fromEntries(
      items.map((e) => [
        e.id,
        kind === 'dependency' && e.value === null ? { condition: 'service_started' } : e.value,
      ]),
    );
  if (form === 'scalar') return items.length === 1 ? items[0]!.value : undefined;
  const out: unknown[] = [];
  for (const e of items) {
    const item = listItem(kind, e);
    if (item === undefined) return undefined;
    out.push(item);
  }
  return out;
}

/** The form to write entries in: the user's, else the next one that can hold them. */
export function formFor(kind: EntryKind, current: EntryForm, items: readonly Entry[]): EntryForm {
  if (writeEntries(kind, current, items) !== undefined) return current;
  if (writeEntries(kind, 'list', items) !== undefined) return 'list';
  return 'map';
}

/** Whether two values of the same entry mean the same to compose. */
export function sameEntry(kind: EntryKind, a: unknown, b: unknown): boolean {
  if (kind === 'variable') return scalarText(a) === scalarText(b);
  if (kind === 'network' || kind === 'dependency') return sameData(trivialize(kind, a), trivialize(kind, b));
  return sameData(a, b);
}

/**
 * The value an owned entry takes: the generated one, except that the settings of a network or
 * dependency the user had (aliases, restart…) are kept under the generated ones.
 */
export function mergedEntry(kind: EntryKind, existing: unknown, wanted: unknown): unknown {
  if ((kind === 'network' || kind === 'dependency') && isRecord(existing)) {
    if (trivialize(kind, wanted) === null) return existing;
    if (isRecord(wanted)) return { ...existing, ...wanted };
  }
  return wanted;
}

export function entryKindOfKey(key: string): EntryKind | undefined {
  switch (key) {
    case 'environment':
    case 'labels':
    case 'sysctls':
      return 'variable';
    case 'networks':
      return 'network';
    case 'depends_on':
      return 'dependency';
    case 'volumes':
    case 'devices':
      return 'target';
    case 'cap_add':
    case 'cap_drop':
      return 'capability';
    case 'env_file':
      return 'path';
    case 'secrets':
      return 'secret';
    default:
      return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// Flags inside a variable (TS_EXTRA_ARGS)

export interface FlagSplit {
  /** The owned flags, each with its words (`--hostname x` is two words). */
  owned: { name: string; words: string[] }[];
  /** The other words, in order. */
  other: string[];
}

/** Splits a flags string on blanks (as containerboot does) into owned flags and the rest. */
export function splitFlags(value: string, policy: FlagPolicy): FlagSplit {
  const words = value.split(/\s+/).filter(Boolean);
  const out: FlagSplit = { owned: [], other: [] };
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    const m = /^--?([A-Za-z0-9-]+)(=.*)?$/.exec(word);
    const name = m?.[1];
    if (!name || !policy.owned.includes(name)) {
      out.other.push(word);
      continue;
    }
    const flag = { name, words: [word] };
    const next = words[i + 1];
    if (m[2] === undefined && policy.valued.includes(name) && next !== undefined && !next.startsWith('-'))
      flag.words.push(words[++i]!);
    out.owned.push(flag);
  }
  return out;
}

/** The generated flags followed by the user's flags the mode does not own; undefined when none. */
export function mergeFlags(
  user: string | undefined,
  wanted: string | undefined,
  policy: FlagPolicy,
): string | undefined {
  const kept = user === undefined ? [] : splitFlags(user, policy).other;
  const ours = wanted === undefined ? [] : wanted.split(/\s+/).filter(Boolean);
  const words = [...ours, ...kept];
  return words.length > 0 ? words.join(' ') : undefined;
}

// ---------------------------------------------------------------------------------------------

function defaultForm(kind: EntryKind): EntryForm {
  return kind === 'variable' || kind === 'dependency' ? 'map' : 'list';
}

function mapForms(kind: EntryKind): boolean {
  return kind === 'variable' || kind === 'network' || kind === 'dependency';
}

function listEntry(kind: EntryKind, item: unknown): Entry | undefined {
  switch (kind) {
    case 'variable': {
      if (typeof item !== 'string') return undefined;
      const eq = item.indexOf('=');
      return eq === -1 ? { id: item, value: null } : { id: item.slice(0, eq), value: item.slice(eq + 1) };
    }
    case 'network':
    case 'dependency':
      return typeof item === 'string' ? { id: item, value: null } : undefined;
    case 'target': {
      const id = mountTarget(item);
      return id === undefined ? undefined : { id, value: item };
    }
    case 'capability':
      return typeof item === 'string' ? { id: capabilityName(item), value: item } : undefined;
    case 'path': {
      const path = typeof item === 'string' ? item : isRecord(item) ? item['path'] : undefined;
      return typeof path === 'string' ? { id: path, value: item } : undefined;
    }
    case 'secret': {
      const source = typeof item === 'string' ? item : isRecord(item) ? item['source'] : undefined;
      return typeof source === 'string' ? { id: source, value: item } : undefined;
    }
  }
}

function listItem(kind: EntryKind, e: Entry): unknown {
  switch (kind) {
    case 'variable':
      if (e.value === null || e.value === undefined) return e.id;
      return typeof e.value === 'object' ? undefined : `${e.id}=${scalarText(e.value)}`;
    case 'network':
    case 'dependency':
      return trivialize(kind, e.value) === null ? e.id : undefined;
    default:
      return e.value;
  }
}

/** Container path of a volume or device: `src:target[:mode]`, `target`, or `{target: …}`. */
function mountTarget(item: unknown): string | undefined {
  if (isRecord(item)) return typeof item['target'] === 'string' ? item['target'] : undefined;
  if (typeof item !== 'string') return undefined;
  const parts = item.split(':');
  return parts.length === 1 ? parts[0] : parts[1];
}

function capabilityName(cap: string): string {
  return cap.toUpperCase().replace(/^CAP_/, '');
}

/** Settings that mean "nothing special": null for a network, service_started for a dependency. */
function trivialize(kind: EntryKind, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (isRecord(value) && Object.keys(value).length === 0) return null;
  if (
    kind === 'dependency' &&
    isRecord(value) &&
    Object.keys(value).length === 1 &&
    value['condition'] === 'service_started'
  )
    return null;
  return value;
}

function scalarText(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function sameData(a: unknown, b: unknown): boolean {
  return JSON.stringify(sorted(a)) === JSON.stringify(sorted(b));
}

function sorted(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sorted);
  if (isRecord(v))
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, sorted(v[k])]),
    );
  return v;
}
