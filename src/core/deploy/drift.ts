import { parse } from 'yaml';
import type { Drift } from './target.js';

/**
 * Compares two compose documents as data, never as text: a target may re-dump the compose it was
 * given (TrueNAS writes it back with PyYAML: every string quoted, keys sorted, comments, anchors and
 * merge keys gone). Both sides are read like PyYAML's safe loader reads them (YAML 1.1, `<<` merged).
 */
export function composeDrift(key: string, local: string, deployed: string): Drift {
  if (local === deployed) return { drifted: false };
  const differences = differingPaths(load(local), load(deployed), []);
  return differences.length === 0 ? { drifted: false } : { drifted: true, key, differences };
}

function load(text: string): unknown {
  return parse(text, { version: '1.1', merge: true, maxAliasCount: -1 }) ?? {};
}

/** Dotted paths (`services.tailscale.network_mode`, `ports[0]`) where the two values differ. */
export function differingPaths(a: unknown, b: unknown, at: string[]): string[] {
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return [pathText(at)];
    return a.flatMap((v, i) => differingPaths(v, b[i], [...at, `[${i}]`]));
  }
  if (isRecord(a) && isRecord(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    return keys.flatMap((k) =>
      k in a && k in b ? differingPaths(a[k], b[k], [...at, k]) : [pathText([...at, k])],
    );
  }
  return sameScalar(a, b) ? [] : [pathText(at)];
}

function sameScalar(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  // PyYAML quotes every string it dumps; a number the user wrote unquoted comes back the same number.
  return (a === null || a === undefined) && (b === null || b === undefined);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** One line for the user: which deployed document differs from the local file, and where. */
export function driftMessage(drift: Extract<Drift, { drifted: true }>, localFile: string): string {
  const shown = drift.differences.slice(0, 5).join(', ');
  const more = drift.differences.length > 5 ? ` (+${drift.differences.length - 5} more)` : '';
  return `the deployed ${drift.key} differs from ${localFile} at ${shown}${more} (edited outside tailbridge?): make the file match what should run, then apply again`;
}

function pathText(at: string[]): string {
  return at.reduce((s, p) => (p.startsWith('[') ? `${s}${p}` : s ? `${s}.${p}` : p), '') || '(document)';
}
