import type { Node } from 'yaml';
import type { ComposeEdit } from './edits.js';
import {
  type Entries,
  type Entry,
  entryKindOfKey,
  formFor,
  mergedEntry,
  mergeFlags,
  readEntries,
  sameEntry,
  splitFlags,
  writeEntries,
} from './entries.js';
import { type KeyPolicy, type MergeNote, namedIn, type Reason, type ServicePolicy } from './managed.js';
import { ServicesView } from './service-view.js';
import type { YamlSource } from './yaml-source.js';

/**
 * Turns a mode's edits into the edits that change only what the mode owns in the user's file.
 *
 * A `put` of a service that already exists, with a policy, becomes one edit per owned key whose
 * effective value must change; every key the policy does not own keeps its effective value,
 * wherever it comes from. Keys inherited from a `<<` merge key are overridden by a key written in
 * the service (the anchor is never edited: other services may use it); an alias is written out in
 * full; list or mapping form is kept unless the new entries need the other one. Removals and form
 * changes come back as notes, one per setting. What cannot be done without changing something
 * the mode does not own is refused with a one-line reason.
 */
export interface Reconciled {
  /** The edits to apply, each with the path of the edit it comes from (for MergeResult.changed). */
  edits: { edit: ComposeEdit; origin: string }[];
  notes: MergeNote[];
}

const DEFAULT_REASON: Reason = { text: 'not part of the generated configuration for this mode' };

/** A refusal at an offset of the text being reconciled. */
export class Refusal extends Error {
  constructor(
    readonly offset: number,
    message: string,
  ) {
    super(message);
  }
}

/** Edits in the groups they are reconciled in: a service put with a policy takes the key `set`s after it. */
export function groupEdits(edits: readonly ComposeEdit[]): ComposeEdit[][] {
  const groups: ComposeEdit[][] = [];
  for (let i = 0; i < edits.length; i++) {
    const edit = edits[i]!;
    const group = [edit];
    if (edit.op === 'put' && edit.path[0] === 'services' && edit.policy)
      while (i + 1 < edits.length && isKeySetOn(edits[i + 1]!, edit.path[1])) group.push(edits[++i]!);
    groups.push(group);
  }
  return groups;
}

/**
 * Reconciles one group of {@link groupEdits} against the file as it is now; `all` is every edit
 * of the merge (to know which services it puts).
 */
export function reconcileEdits(
  source: YamlSource,
  group: readonly ComposeEdit[],
  all: readonly ComposeEdit[] = group,
  baseDir?: string,
): Reconciled {
  const r = new Reconciler(source, baseDir);
  const [edit, ...sets] = group as [ComposeEdit, ...Extract<ComposeEdit, { op: 'set' }>[]];
  r.origin = edit.path.join('.');
  if (edit.op === 'put' && edit.path[0] === 'services' && edit.policy && r.view.map(edit.path[1]))
    r.service(edit.path[1], edit.value, edit.policy, sets);
  else {
    if (edit.op === 'put' && edit.path[0] !== 'services') r.topLevel(edit, all);
    else if (
      edit.op !== 'put' &&
      edit.path[0] === 'services' &&
      edit.path.length >= 3 &&
      r.view.map(edit.path[1]!)
    )
      r.keyEdit(edit);
    else r.emit(edit);
    for (const set of sets) {
      r.origin = set.path.join('.');
      r.emit(set);
    }
  }
  return { edits: r.out, notes: r.notes };
}

function isKeySetOn(edit: ComposeEdit, service: string): boolean {
  return (
    edit.op === 'set' && edit.path.length === 3 && edit.path[0] === 'services' && edit.path[1] === service
  );
}

class Reconciler {
  readonly view: ServicesView;
  readonly out: { edit: ComposeEdit; origin: string }[] = [];
  readonly notes: MergeNote[] = [];
  /** Path of the edit being reconciled. */
  origin = '';

  constructor(
    readonly source: YamlSource,
    /** Directory of the compose file, when known: relative env file paths are read against it. */
    private readonly baseDir?: string,
  ) {
    this.view = new ServicesView(source);
  }

  /** Entries with env file paths made comparable (`./a.env`, `a.env` and `<baseDir>/a.env` are one file). */
  private identified(
    kind: Extract<KeyPolicy, { own: 'entries' }>['kind'],
    e: Entries | undefined,
  ): Entries | undefined {
    if (!e || kind !== 'path') return e;
    return { ...e, items: e.items.map((i) => ({ ...i, id: this.samePath(i.id) })) };
  }

  private samePath(p: string): string {
    const rel = p.replace(/^(\.\/)+/, '');
    if (rel.startsWith('/') || !this.baseDir) return rel;
    return `${this.baseDir.replace(/\/+$/, '')}/${rel}`;
  }

  // -------------------------------------------------------------------------------------------
  // A whole service under a policy

  service(
    name: string,
    value: unknown,
    policy: ServicePolicy,
    sets: { path: string[]; value: unknown; comment?: string }[],
  ) {
    this.checkExtends(name);
    const heirs = this.view.extendedBy(name);
    if (heirs.length > 0)
      this.refuse(
        this.view.pair(name)?.key as Node | undefined,
        `services.${name} is extended by services.${heirs[0]}, which would inherit every change made here; point tailbridge.yaml (tailscale.service) at the service that extends it, or give it its own copy`,
      );
    const wanted = new Map<string, { value: unknown; comment?: string }>();
    for (const [k, v] of Object.entries((value ?? {}) as Record<string, unknown>))
      if (v !== undefined) wanted.set(k, { value: v });
    for (const s of sets)
      wanted.set(s.path[2]!, { value: s.value, ...(s.comment ? { comment: s.comment } : {}) });
    const keys = [...new Set([...wanted.keys(), ...Object.keys(policy.keys)])];
    const put = this.origin;
    for (const key of keys) {
      const set = sets.find((s) => s.path[2] === key);
      this.origin = set ? set.path.join('.') : put;
      const p: KeyPolicy = policy.keys[key] ?? { own: 'value' };
      const want = wanted.get(key);
      if (p.own === 'value') this.value(name, key, want, p.removed ?? DEFAULT_REASON);
      else if (p.own === 'default') {
        if (want && !this.present(name, key)) this.emitSet(name, key, want.value, want.comment);
      } else this.entries(name, key, want, p);
    }
  }

  /** A set or delete on a key of an existing service (outside a policy put). */
  keyEdit(edit: Extract<ComposeEdit, { op: 'set' | 'delete' }>) {
    const [, name, key, entry, ...deeper] = edit.path as [string, string, string, string?, ...string[]];
    const kind = entryKindOfKey(key);
    if (entry === undefined) {
      this.checkExtends(name);
      if (edit.op === 'set')
        this.value(
          name,
          key,
          { value: edit.value, ...(edit.comment ? { comment: edit.comment } : {}) },
          undefined,
          true,
        );
      else this.value(name, key, undefined, edit.reason);
      return;
    }
    if (deeper.length > 0 || !kind || !['variable', 'network', 'dependency'].includes(kind)) {
      this.emit(edit);
      return;
    }
    this.checkExtends(name);
    if (this.plainMapping(name, key, kind)) {
      // The key is a mapping written in the service (or absent): the edit applies as it is.
      const present = readEntries(kind, this.view.key(name, key).value)?.items.some((e) => e.id === entry);
      if (edit.op === 'delete' && edit.reason && present)
        this.note(`services.${name}.${key}`, `${entry} removed: ${edit.reason.text}`, edit.reason);
      this.emit(edit);
      return;
    }
    const policy: Extract<KeyPolicy, { own: 'entries' }> = {
      own: 'entries',
      kind,
      names: [entry],
      ...(edit.op === 'delete' && edit.reason ? { removed: { [entry]: edit.reason } } : {}),
    };
    const want =
      edit.op === 'set'
        ? { value: { [entry]: edit.value }, ...(edit.comment ? { comment: edit.comment } : {}) }
        : undefined;
    this.entries(name, key, want, policy);
  }

  // -------------------------------------------------------------------------------------------
  // Whole values

  /** `commentAlways`: the set's comment goes above the key even when it is the user's (a plain `set`). */
  private value(
    name: string,
    key: string,
    want: { value: unknown; comment?: string } | undefined,
    removed?: Reason,
    commentAlways = false,
  ) {
    const cur = this.view.key(name, key);
    const inherited = this.view.inheritedValues(name, key);
    const path = `services.${name}.${key}`;
    if (want !== undefined) {
      const effective = cur.from !== 'none' ? cur.value : inherited[0];
      if (effective !== undefined && sameData(effective, want.value)) return;
      if (inherited.length > 0 && isCollection(want.value))
        this.refuse(
          cur.node ?? this.extendsNode(name),
          `${path} is also set by the service it extends, and compose merges the two, so tailbridge cannot make it exactly the generated value; remove it there`,
        );
      if (cur.from === 'alias')
        this.note(
          path,
          `written out in full (it was the alias *${cur.anchor}, whose anchor is left as it is)`,
        );
      this.emitSet(name, key, want.value, cur.from === 'local' && !commentAlways ? undefined : want.comment);
      return;
    }
    if (cur.from === 'none' && inherited.length === 0) return;
    const why = removed ?? { text: 'the edit deletes it' };
    if (inherited.length > 0)
      this.refuse(
        cur.node ?? this.extendsNode(name),
        `${path} comes from the service it extends and cannot be removed here (${why.text}); remove it there first`,
      );
    if (cur.from === 'merge')
      this.refuse(
        cur.node!,
        `${path} comes from <<: *${cur.anchor ?? 'a merge key'} and cannot be removed without changing the anchor (${why.text}); move it out of the anchor first`,
      );
    const merged = this.view.mergeProvides(name, key);
    if (merged)
      this.refuse(
        cur.node!,
        `${path} is also set by <<: *${merged.anchor ?? 'a merge key'}, which would take over once it is removed (${why.text}); move it out of the anchor first`,
      );
    this.emit({ op: 'delete', path: ['services', name, key] });
    if (removed) this.note(path, `removed: ${why.text}`, why);
  }

  // -------------------------------------------------------------------------------------------
  // Entries of a key

  private entries(
    name: string,
    key: string,
    want: { value: unknown; comment?: string } | undefined,
    p: Extract<KeyPolicy, { own: 'entries' }>,
  ) {
    const path = `services.${name}.${key}`;
    const cur = this.view.key(name, key);
    const current = this.identified(p.kind, readEntries(p.kind, cur.value));
    if (!current) {
      if (cur.value === undefined) return;
      this.refuse(
        cur.node!,
        `${path} has a form tailbridge cannot merge entry by entry; write it as a list or mapping`,
      );
    }
    const wanted =
      want === undefined
        ? { form: current.form, items: [] }
        : this.identified(p.kind, readEntries(p.kind, want.value));
    if (!wanted) throw new Error(`internal: generated ${path} has an unexpected form`);
    const inherited = this.inheritedEntries(name, key, p.kind);
    if (key === 'networks' && this.onDefaultNetworkImplicitly(name))
      // Without networks: and network_mode: compose attaches the service to `default`; listing
      // networks ends that, so the implicit entry is written out and stays.
      current.items.push({ id: 'default', value: null });
    const names = p.kind === 'path' ? p.names.map((n) => this.samePath(n)) : p.names;
    const owned = (id: string) => namedIn(names, id) || (p.flags !== undefined && Object.hasOwn(p.flags, id));
    const items: Entry[] = [];
    let changed = false;
    const seen = new Set<string>();
    for (const item of current.items) {
      if (!owned(item.id)) {
        items.push(item);
        continue;
      }
      seen.add(item.id);
      const w = wanted.items.find((e) => e.id === item.id);
      const next = this.ownedEntry(path, p, item, w);
      if (next === undefined) {
        changed = true;
        continue;
      }
      if (p.kind === 'path' || sameEntry(p.kind, item.value, next.value)) items.push(item);
      else {
        items.push(next);
        changed = true;
      }
    }
    for (const b of inherited) {
      if (!owned(b.id) || seen.has(b.id)) continue;
      seen.add(b.id);
      const w = wanted.items.find((e) => e.id === b.id);
      const next = this.ownedEntry(path, p, b, w, true);
      if (next === undefined)
        this.refuse(
          cur.node ?? this.extendsNode(name),
          `${path} ${b.id} comes from the service it extends and cannot be removed here (${(p.removed?.[b.id] ?? DEFAULT_REASON).text}); remove it there first`,
        );
      if (!sameEntry(p.kind, b.value, next.value)) {
        items.push(next);
        changed = true;
      }
    }
    for (const w of wanted.items) {
      if (seen.has(w.id)) continue;
      const flags = p.flags?.[w.id];
      const value = flags ? mergeFlags(undefined, scalarOrUndefined(w.value), flags) : w.value;
      items.push({ id: w.id, value });
      changed = true;
    }
    if (!changed) return;
    const form = formFor(p.kind, current.form, items);
    if (form !== current.form && cur.from !== 'none' && current.items.length > 0)
      this.note(
        path,
        `rewritten as a ${form === 'map' ? 'mapping' : 'list'}: the generated entries need settings the ${current.form === 'map' ? 'mapping' : current.form === 'list' ? 'list' : 'single value'} form cannot hold`,
      );
    if (cur.from === 'alias')
      this.note(path, `written out in full (it was the alias *${cur.anchor}, whose anchor is left as it is)`);
    if (cur.from === 'merge')
      this.note(
        path,
        `written in the service, overriding the one from <<: *${cur.anchor ?? 'a merge key'} (the anchor is left as it is; other services may use it)`,
      );
    const value = writeEntries(p.kind, form, items);
    if (items.length === 0 && cur.from === 'local') {
      this.emit({ op: 'delete', path: ['services', name, key] });
      return;
    }
    this.emitSet(name, key, value, cur.from === 'local' ? undefined : want?.comment);
  }

  /** The value an owned entry takes (undefined: it goes), noting what the user loses. */
  private ownedEntry(
    path: string,
    p: Extract<KeyPolicy, { own: 'entries' }>,
    item: Entry,
    w: Entry | undefined,
    inherited = false,
  ): Entry | undefined {
    const flags = p.flags?.[item.id];
    if (flags) {
      const user = scalarOrUndefined(item.value);
      const mine = scalarOrUndefined(w?.value);
      const ours = new Set(
        mine === undefined ? [] : splitFlags(mine, flags).owned.map((f) => f.words.join(' ')),
      );
      if (user !== undefined)
        for (const f of splitFlags(user, flags).owned)
          if (!ours.has(f.words.join(' ')))
            this.note(
              `${path}.${item.id}`,
              `--${f.name} ${inherited ? 'overridden' : 'removed'}: ${flags.removed.text}`,
              flags.removed,
            );
      const value = mergeFlags(user, mine, flags);
      return value === undefined ? undefined : { id: item.id, value };
    }
    if (w) return { id: item.id, value: mergedEntry(p.kind, item.value, w.value) };
    if (!inherited) {
      const why = p.removed?.[item.id] ?? matchingReason(p.removed, item.id) ?? DEFAULT_REASON;
      this.note(path, `${item.id} removed: ${why.text}`, why);
    }
    return undefined;
  }

  private inheritedEntries(
    name: string,
    key: string,
    kind: Extract<KeyPolicy, { own: 'entries' }>['kind'],
  ): Entry[] {
    const out: Entry[] = [];
    for (const v of this.view.inheritedValues(name, key)) {
      const e: Entries | undefined = this.identified(kind, readEntries(kind, v));
      for (const item of e?.items ?? []) if (!out.some((o) => o.id === item.id)) out.push(item);
    }
    return out;
  }

  // -------------------------------------------------------------------------------------------
  // Top-level entries (networks, secrets…)

  topLevel(edit: Extract<ComposeEdit, { op: 'put' }>, all: readonly ComposeEdit[]) {
    const [section, entry] = edit.path;
    const root = this.source.doc.toJS({ maxAliasCount: -1 }) as Record<
      string,
      Record<string, unknown> | null
    > | null;
    const existing = root?.[section]?.[entry];
    if (existing === undefined) {
      this.emit(edit);
      return;
    }
    if (edit.ifAbsent || sameData(existing, edit.value)) return;
    const ours = new Set(all.filter((e) => e.op === 'put' && e.path[0] === 'services').map((e) => e.path[1]));
    const users = this.view
      .names()
      .filter((s) => !ours.has(s) && refersTo(this.view.resolved(s), section, entry));
    if (users.length > 0) {
      const node = this.source.doc.getIn([section, entry], true) as Node | undefined;
      this.refuse(
        node,
        `${section}.${entry} is already defined differently and used by services.${users[0]}; changing it would change that service too. Rename one of them first`,
      );
    }
    this.emit(edit);
  }

  // -------------------------------------------------------------------------------------------

  private onDefaultNetworkImplicitly(name: string): boolean {
    return (
      !this.present(name, 'networks') &&
      !this.present(name, 'network_mode') &&
      this.view.extends(name).kind === 'none'
    );
  }

  /** A mapping written in the service itself, or a key nothing provides, with no extends. */
  private plainMapping(
    name: string,
    key: string,
    kind: Extract<KeyPolicy, { own: 'entries' }>['kind'],
  ): boolean {
    if (this.view.extends(name).kind !== 'none') return false;
    const cur = this.view.key(name, key);
    if (cur.from === 'none') return true;
    return cur.from === 'local' && readEntries(kind, cur.value)?.form === 'map';
  }

  private present(name: string, key: string): boolean {
    return this.view.key(name, key).from !== 'none' || this.view.inheritedValues(name, key).length > 0;
  }

  emit(edit: ComposeEdit, origin = this.origin) {
    this.out.push({ edit, origin });
  }

  private emitSet(name: string, key: string, value: unknown, comment: string | undefined) {
    this.emit({ op: 'set', path: ['services', name, key], value, ...(comment ? { comment } : {}) });
  }

  private note(path: string, message: string, reason?: Reason) {
    this.notes.push({ path, message, ...(reason?.source ? { source: reason.source } : {}) });
  }

  private checkExtends(name: string) {
    const ext = this.view.extends(name);
    if (ext.kind === 'other-file')
      this.refuse(
        ext.node,
        `services.${name} extends a service in ${ext.file}; tailbridge reads only this file, so it cannot keep what that brings in. Copy that service's keys into services.${name} first`,
      );
  }

  private extendsNode(name: string): Node | undefined {
    const ext = this.view.extends(name);
    return ext.kind === 'none' ? undefined : ext.node;
  }

  private refuse(node: Node | undefined, message: string): never {
    throw new Refusal(node?.range?.[0] ?? 0, message);
  }
}

function matchingReason(reasons: Record<string, Reason> | undefined, id: string): Reason | undefined {
  if (!reasons) return undefined;
  const key = Object.keys(reasons).find((k) => namedIn([k], id));
  return key ? reasons[key] : undefined;
}

function refersTo(service: Record<string, unknown>, section: string, entry: string): boolean {
  const kind = section === 'networks' ? 'network' : section === 'secrets' ? 'secret' : undefined;
  const key = section === 'networks' ? 'networks' : section === 'secrets' ? 'secrets' : undefined;
  if (!kind || !key)
    return section === 'volumes' && JSON.stringify(service['volumes'] ?? []).includes(`"${entry}:`);
  return (readEntries(kind, service[key])?.items ?? []).some((e) => e.id === entry);
}

function scalarOrUndefined(v: unknown): string | undefined {
  return v === null || v === undefined ? undefined : String(v);
}

function isCollection(v: unknown): boolean {
  return typeof v === 'object' && v !== null;
}

export function sameData(a: unknown, b: unknown): boolean {
  return JSON.stringify(sortKeys(a)) === JSON.stringify(sortKeys(b));
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
