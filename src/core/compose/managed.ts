import type { SourceId } from '../facts/sources.js';

/**
 * What a mode owns in a service it puts. Merged into a user's file, only these keys (or these
 * entries of a key) take the generated value; every other key of the user's service keeps its
 * effective value, wherever it comes from (the service itself, a `<<` merge key, an alias or an
 * `extends`). The same data tells the compose-config oracle which keys may differ.
 */
export interface ServicePolicy {
  /** Per top-level key of the service; keys not listed belong to the user. */
  keys: Record<string, KeyPolicy>;
}

/** Why a user's setting is removed: one line, with the source of the fact when there is one. */
export interface Reason {
  text: string;
  source?: SourceId;
}

export type KeyPolicy =
  /**
   * The whole value is the generated one. When the generated service has no such key, a user's
   * key is removed and `removed` says why.
   */
  | { own: 'value'; removed?: Reason }
  /** The generated value is written only when the user's service has none (restart, healthcheck). */
  | { own: 'default' }
  /**
   * Only the entries named in `names` are the mode's (a trailing `*` matches a prefix): each takes
   * its generated value or, when the generated value has no such entry, is removed (`removed[name]`
   * says why). Other entries stay as the user wrote them.
   */
  | {
      own: 'entries';
      kind: EntryKind;
      names: string[];
      removed?: Record<string, Reason>;
      /** Variables holding command-line flags of which only some are the mode's (TS_EXTRA_ARGS). */
      flags?: Record<string, FlagPolicy>;
    };

/**
 * How entries of a key are told apart:
 * - `variable`: `KEY=value` list items or `KEY: value` mapping entries (environment, labels, sysctls);
 * - `network` / `dependency`: names in a list or keys of a mapping (networks, depends_on);
 * - `target`: the container path of a volume or device (`src:target[:mode]` or long syntax);
 * - `capability`: a capability name (`NET_ADMIN` = `CAP_NET_ADMIN`);
 * - `path`: an env file path (a string or a list);
 * - `secret`: a secret's source name (a string or `{source: …}`).
 */
export type EntryKind = 'variable' | 'network' | 'dependency' | 'target' | 'capability' | 'path' | 'secret';

/** Flags of one variable (split on blanks) that the mode owns; the user's other flags are kept. */
export interface FlagPolicy {
  /** Flag names without dashes, e.g. `advertise-tags`. */
  owned: string[];
  /** Owned flags that take a value (`--flag value` consumes the next word). */
  valued: string[];
  /** Why a user's owned flag goes when the mode does not set it. */
  removed: Reason;
}

/** Whether an entry name is one of a policy's names (exact, or a prefix pattern ending in `*`). */
export function namedIn(names: readonly string[], id: string): boolean {
  return names.some((n) => (n.endsWith('*') ? id.startsWith(n.slice(0, -1)) : n === id));
}

/** A line telling the user what the merge did beyond setting values: a removal or a form change. */
export interface MergeNote {
  /** Dotted path of the setting, e.g. `services.tailscale.cap_add`. */
  path: string;
  /** What happened and why, e.g. `NET_ADMIN removed: …`. */
  message: string;
  source?: SourceId;
}

export function formatNote(note: MergeNote): string {
  return `${note.path}: ${note.message}${note.source ? ` [${note.source}]` : ''}`;
}
