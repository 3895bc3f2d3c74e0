import { type Alias, isAlias, isMap, isScalar, isSeq, type Node, type Pair, type YAMLMap } from 'yaml';
import type { YamlSource } from './yaml-source.js';

/** Where a service key's effective value comes from, at the YAML level. */
export interface KeySource {
  /** `local`: written in the service; `alias`: written as `*name`; `merge`: from a `<<` merge key; `none`: absent. */
  from: 'local' | 'alias' | 'merge' | 'none';
  value: unknown;
  /** The anchor name for `alias` and `merge`. */
  anchor?: string;
  /** The node to point at in a message. */
  node?: Node;
}

/** The `extends` of a service, resolved within the same file. */
export type Extends =
  | { kind: 'none' }
  | { kind: 'same-file'; chain: string[]; node: Node }
  | { kind: 'other-file'; file: string; node: Node };

/**
 * A read-only view of the services of a parsed compose file that tells, for every key of a
 * service, where its value comes from: the service itself, an alias, a `<<` merge key or a
 * same-file `extends`.
 */
export class ServicesView {
  constructor(readonly source: YamlSource) {}

  private get servicesMap(): YAMLMap | undefined {
    const root = this.source.doc.contents;
    if (!isMap(root)) return undefined;
    const pair = findPair(root, 'services');
    return isMap(pair?.value) ? pair.value : undefined;
  }

  pair(service: string): Pair<Node, Node | null> | undefined {
    const map = this.servicesMap;
    return map ? findPair(map, service) : undefined;
  }

  /** The service's own mapping, or undefined when it is absent, empty or not a mapping. */
  map(service: string): YAMLMap | undefined {
    const value = this.pair(service)?.value;
    return isMap(value) && value.items.length > 0 ? value : undefined;
  }

  names(): string[] {
    return (this.servicesMap?.items ?? [])
      .map((p) => (isScalar(p.key) ? String(p.key.value) : undefined))
      .filter((n): n is string => n !== undefined);
  }

  /** The service's whole value with merge keys resolved (aliases followed). */
  resolved(service: string): Record<string, unknown> {
    const value = this.pair(service)?.value;
    if (!value) return {};
    const js = (value as Node).toJS(this.source.doc, { maxAliasCount: -1 }) as unknown;
    return typeof js === 'object' && js !== null && !Array.isArray(js) ? (js as Record<string, unknown>) : {};
  }

  /** Where `key` of the service gets its YAML-level value. */
  key(service: string, key: string): KeySource {
    const map = this.map(service);
    if (!map) return { from: 'none', value: undefined };
    const local = findPair(map, key);
    if (local) {
      const node = local.value as Node | null;
      const value = node ? node.toJS(this.source.doc, { maxAliasCount: -1 }) : null;
      if (isAlias(node)) return { from: 'alias', value, anchor: node.source, node: local.key as Node };
      return { from: 'local', value, node: local.key as Node };
    }
    const merged = this.mergeProvides(service, key);
    if (merged) return merged;
    return { from: 'none', value: undefined };
  }

  /** Whether a `<<` merge key of the service provides `key` (whether or not the service overrides it). */
  mergeProvides(service: string, key: string): KeySource | undefined {
    const map = this.map(service);
    if (!map) return undefined;
    for (const src of this.mergeSources(map)) {
      const js = src.node.toJS(this.source.doc, { maxAliasCount: -1 }) as unknown;
      if (typeof js === 'object' && js !== null && Object.hasOwn(js, key))
        return {
          from: 'merge',
          value: (js as Record<string, unknown>)[key],
          ...(src.anchor ? { anchor: src.anchor } : {}),
          node: src.at,
        };
    }
    return undefined;
  }

  extends(service: string): Extends {
    const chain: string[] = [];
    let current = service;
    let node: Node | undefined;
    for (;;) {
      const src = this.key(current, 'extends');
      if (src.from === 'none') break;
      node ??= src.node;
      const ext = src.value;
      const base =
        typeof ext === 'string'
          ? { service: ext }
          : typeof ext === 'object' && ext !== null
            ? (ext as { service?: unknown; file?: unknown })
            : {};
      if (typeof base.file === 'string') return { kind: 'other-file', file: base.file, node: src.node! };
      if (typeof base.service !== 'string' || chain.includes(base.service) || base.service === service) break;
      chain.push(base.service);
      current = base.service;
    }
    return chain.length > 0 && node ? { kind: 'same-file', chain, node } : { kind: 'none' };
  }

  /** Services of this file that extend `service` (same file), so inherit whatever changes in it. */
  extendedBy(service: string): string[] {
    return this.names().filter((n) => {
      if (n === service) return false;
      const ext = this.extends(n);
      return ext.kind === 'same-file' && ext.chain.includes(service);
    });
  }

  /** The values a same-file `extends` chain gives `key`, nearest first. */
  inheritedValues(service: string, key: string): unknown[] {
    const ext = this.extends(service);
    if (ext.kind !== 'same-file') return [];
    return ext.chain.map((base) => this.resolved(base)[key]).filter((v) => v !== undefined);
  }

  private mergeSources(map: YAMLMap): { node: Node; anchor?: string; at: Node }[] {
    const out: { node: Node; anchor?: string; at: Node }[] = [];
    for (const item of map.items) {
      if (!isScalar(item.key) || typeof item.key.value !== 'symbol') continue;
      const value = item.value as Node | null;
      const sources = isSeq(value) ? (value.items as Node[]) : value ? [value] : [];
      for (const s of sources) {
        const anchor = isAlias(s) ? (s as Alias).source : undefined;
        out.push({ node: s, ...(anchor ? { anchor } : {}), at: item.key as Node });
      }
    }
    return out;
  }
}

export function findPair(map: YAMLMap, key: string): Pair<Node, Node | null> | undefined {
  for (const item of map.items) {
    const k = item.key;
    if (isScalar(k) && typeof k.value !== 'symbol' && String(k.value) === key)
      return item as Pair<Node, Node | null>;
  }
  return undefined;
}
