import { Document } from 'yaml';
import type { Reason, ServicePolicy } from './managed.js';

/**
 * Generators describe their compose output as edits; the same edits render a standalone file
 * (applied to an empty document) or are merged into the user's file keeping every other byte.
 */
export type ComposeEdit =
  /**
   * Put a whole entry (e.g. services.tailscale, networks.lan). On an existing service with a
   * `policy`, only what the policy owns changes (the `set`s on the service that follow the put
   * belong to it); with `ifAbsent`, an existing entry is left as it is; otherwise it is replaced.
   */
  | {
      op: 'put';
      path: [section: string, name: string];
      value: unknown;
      comment?: string;
      policy?: ServicePolicy;
      ifAbsent?: boolean;
    }
  /** Set one key deep inside an existing entry (e.g. services.jellyfin.network_mode). */
  | { op: 'set'; path: string[]; value: unknown; comment?: string }
  /** Delete a key (e.g. services.jellyfin.ports when it moves to the tailscale service); `reason` says why. */
  | { op: 'delete'; path: string[]; reason?: Reason };

const SECTION_ORDER = ['services', 'networks', 'volumes', 'secrets', 'configs'];

/** Renders edits as a standalone compose document with a leading comment block. */
export function renderStandalone(header: string, edits: readonly ComposeEdit[]): string {
  const root: Record<string, Record<string, unknown>> = {};
  for (const section of SECTION_ORDER)
    if (edits.some((e) => e.op !== 'delete' && e.path[0] === section)) root[section] = {};
  for (const edit of edits) {
    if (edit.op === 'delete') continue;
    setDeep(root, edit.path, structuredClone(edit.value));
  }
  const doc = new Document(root);
  doc.commentBefore = header
    .trimEnd()
    .split('\n')
    .map((l) => (l ? ` ${l}` : ''))
    .join('\n');
  for (const edit of edits) {
    if (edit.op !== 'delete' && edit.comment) {
      const node = doc.getIn(edit.path, true) as { commentBefore?: string } | undefined;
      const pair = doc.getIn(edit.path.slice(0, -1), true) as
        | { items?: { key: { value: unknown; commentBefore?: string } }[] }
        | undefined;
      const keyNode = pair?.items?.find((p) => p.key?.value === edit.path.at(-1))?.key;
      if (keyNode) keyNode.commentBefore = ` ${edit.comment}`;
      else if (node) node.commentBefore = ` ${edit.comment}`;
    }
  }
  return doc.toString({ lineWidth: 0, flowCollectionPadding: false });
}

function setDeep(root: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let cur = root;
  for (const seg of path.slice(0, -1)) {
    if (typeof cur[seg] !== 'object' || cur[seg] === null) cur[seg] = {};
    cur = cur[seg] as Record<string, unknown>;
  }
  cur[path.at(-1)!] = value;
}
