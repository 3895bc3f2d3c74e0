import type { z } from 'zod';
import type { Position, YamlSource } from '../compose/yaml-source.js';
import type { SourceId } from '../facts/sources.js';
import type { HomelabConfig } from '../model/config.js';
import type { ComposeModel, Path } from './compose-model.js';

export type Severity = 'error' | 'warning' | 'info';
export type Category = 'networking' | 'security' | 'reliability' | 'tailscale' | 'schema';

/** Replace `text[start, end)` with `text` (offsets into the ORIGINAL file text). Insert: start === end. */
export interface TextEdit {
  start: number;
  end: number;
  text: string;
}

/** What every rule can read. Build nothing yourself: the engine creates one per file. */
export interface RuleContext {
  /** The file as given on the command line (used in messages only). */
  file: string;
  /** Parsed YAML with comments, ranges and a LineCounter. */
  source: YamlSource;
  /** Resolved compose view: services, environment, mode, positions of paths. */
  model: ComposeModel;
  /** The homelab config when the user has one (e.g. lan.dhcpRange); rules must work without it. */
  config?: HomelabConfig;
  /** This rule's options from the lint configuration, already validated against `Rule.options`. */
  options?: unknown;
}

/**
 * What `check` returns. The engine turns it into a {@link Finding}: it adds the rule id, the
 * severity (the rule's default unless overridden here) and the position of `path`.
 */
export interface Report {
  message: string;
  /** The YAML path the finding is about, e.g. ['services', 'ts', 'network_mode']. */
  path: Path;
  /** Point at the key of the last path segment instead of its value. */
  key?: boolean;
  /** Override the rule's default severity for this one finding (e.g. info for a documented fallback). */
  severity?: Severity;
  /** Explicit position, when no path fits (rare). */
  position?: Position;
  /** Anything `fix` needs later (JSON-serialisable). */
  data?: Record<string, unknown>;
}

/** A positioned finding (1-based lines and columns). */
export interface Finding {
  ruleId: string;
  severity: Severity;
  message: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  /** True when `--fix` can fix it. */
  fixable: boolean;
  path?: Path;
  data?: Record<string, unknown>;
  /** The fix's edits, computed by the engine; not part of the output formats. */
  fix?: TextEdit[];
}

/** Static description of a rule; the engine's own checks (schema, syntax, suppressions) have only this. */
export interface RuleMeta {
  /** kebab-case, unique, stable: users write it in suppressions. */
  id: string;
  severity: Severity;
  category: Category;
  /** One sentence: what is wrong (SARIF shortDescription, docs title). */
  description: string;
  /** Repository-relative docs page: `docs/rules/<id>.md` (why, the source, how to fix). */
  docs: string;
  /** The fact this rule relies on (src/core/facts/sources.ts); only the engine's own checks may omit it. */
  source?: SourceId;
}

export interface Rule extends RuleMeta {
  source: SourceId;
  /** The options a user may set for this rule (lint.rules.<id>.options); validated before the run. */
  options?: z.ZodType;
  /** Pure: read `ctx`, return reports. Never throw for odd input; return [] when unsure. */
  check(ctx: RuleContext): Report[];
  /**
   * Optional safe fix: text edits computed from node ranges (see ./edits.ts), so every other byte
   * (comments included) is unchanged. Return [] / undefined when the fix would not be safe (e.g. the
   * value comes from a shared anchor).
   */
  fix?(ctx: RuleContext, finding: Finding): TextEdit[] | undefined;
}

/** Where rule docs are published; helpUri in SARIF = DOCS_BASE_URL + rule.docs. */
export const DOCS_BASE_URL = 'https://github.com/tailbridge/tailbridge/blob/main/';

export function docsPath(id: string): string {
  return `docs/rules/${id}.md`;
}

/** Declares a rule with `docs` filled in from the id. */
export function defineRule(rule: Omit<Rule, 'docs'> & { docs?: string }): Rule {
  return { ...rule, docs: rule.docs ?? docsPath(rule.id) };
}
