import { z } from 'zod';
import type { Rule, RuleMeta, Severity } from './rule.js';
import { RULES } from './rules/index.js';
import { composeSchema, invalidSuppression } from './rules/meta.js';

/**
 * Per-rule configuration, as in dclint/ESLint: a level (`off`, `info`, `warning`, `error`) and the
 * rule's options. Written in tailbridge.yaml (`lint:`), in `.tailbridgerc`, and as `--rule id=level`.
 */
export const LEVELS = ['off', 'info', 'warning', 'error'] as const;
export type Level = (typeof LEVELS)[number];
export const Level = z.enum(LEVELS);

/** The engine's own checks that can be configured (a file that cannot be parsed is always an error). */
const CONFIGURABLE_META: readonly RuleMeta[] = [composeSchema, invalidSuppression];

export interface RuleSetting {
  level?: Level;
  options?: unknown;
}

function ruleEntry(rule: RuleMeta & { options?: z.ZodType }) {
  const long = z
    .object({
      level: Level.optional().describe('off, info, warning or error (default: the rule’s own severity).'),
      ...(rule.options
        ? { options: rule.options.describe('Options of this rule (see its docs page).') }
        : {}),
    })
    .strict();
  return z.union([Level, long]).describe(`${rule.description} ${rule.docs}`);
}

/** The `lint:` section of tailbridge.yaml and the content of `.tailbridgerc`. */
export function lintSettingsSchema(rules: readonly (RuleMeta & { options?: z.ZodType })[] = RULES) {
  const all = [...CONFIGURABLE_META, ...rules];
  return z
    .object({
      rules: z
        .object(Object.fromEntries(all.map((r) => [r.id, ruleEntry(r).optional()])))
        .strict()
        .default({})
        .describe('Rule id → level (off, info, warning, error), or { level, options }.'),
    })
    .strict();
}

export const LintSettings = lintSettingsSchema();
export type LintSettingsInput = z.input<typeof LintSettings>;
export type LintSettings = z.output<typeof LintSettings>;

/** One layer of settings, normalised: rule id → level and/or options. */
export type RuleSettings = ReadonlyMap<string, RuleSetting>;

export function normalise(settings: LintSettings | undefined): Map<string, RuleSetting> {
  const out = new Map<string, RuleSetting>();
  for (const [id, v] of Object.entries(settings?.rules ?? {})) {
    if (v === undefined) continue;
    if (typeof v === 'string') out.set(id, { level: v });
    else {
      const s: RuleSetting = {};
      if (v.level !== undefined) s.level = v.level;
      if ('options' in v && v.options !== undefined) s.options = v.options;
      out.set(id, s);
    }
  }
  return out;
}

/** Later layers win per field (level, options). Precedence: defaults < tailbridge.yaml < .tailbridgerc < --rule. */
export function mergeSettings(...layers: (RuleSettings | undefined)[]): Map<string, RuleSetting> {
  const out = new Map<string, RuleSetting>();
  for (const layer of layers) {
    for (const [id, s] of layer ?? []) out.set(id, { ...out.get(id), ...s });
  }
  return out;
}

/** `--rule id=level` → a one-rule layer, or the reason it is not valid. */
export function parseRuleFlag(flag: string): { id: string; level: Level } | { error: string } {
  const eq = flag.indexOf('=');
  const id = (eq === -1 ? flag : flag.slice(0, eq)).trim();
  const level = eq === -1 ? '' : flag.slice(eq + 1).trim();
  if (!id || !level) return { error: `--rule ${flag}: write --rule <rule-id>=<${LEVELS.join('|')}>` };
  if (!isConfigurable(id)) return { error: `--rule ${flag}: unknown rule "${id}"${suggest(id)}` };
  if (!(LEVELS as readonly string[]).includes(level))
    return { error: `--rule ${flag}: level must be one of ${LEVELS.join(', ')}` };
  return { id, level: level as Level };
}

export function isConfigurable(id: string): boolean {
  return [...CONFIGURABLE_META, ...RULES].some((r) => r.id === id);
}

/** A " (did you mean …?)" hint for a mistyped rule id. */
export function suggest(id: string): string {
  const ids = [...CONFIGURABLE_META, ...RULES].map((r) => r.id);
  const near =
    ids.find((c) => c.includes(id) || id.includes(c)) ??
    ids.find((c) => c.split('-')[0] === id.split('-')[0]);
  return near ? ` (did you mean "${near}"?)` : '';
}

/**
 * The level a finding gets under a configured level: the configured one, except that a note the rule
 * itself marks as info (a documented fallback, a login-time flag) stays info.
 */
export function effectiveSeverity(
  rule: RuleMeta,
  reported: Severity,
  configured: Exclude<Level, 'off'> | undefined,
): Severity {
  if (!configured) return reported;
  return reported === 'info' && rule.severity !== 'info' ? 'info' : configured;
}

const DEFAULT_OPTIONS = new WeakMap<Rule, unknown>();
const SET_OPTIONS = new WeakMap<RuleSetting, unknown>();

/**
 * Options for a rule after its schema's defaults, or undefined when it has none. Parsed once per
 * rule and setting (the engine asks for every file).
 */
export function ruleOptions(rule: Rule, setting: RuleSetting | undefined): unknown {
  if (!rule.options) return undefined;
  const cache = setting?.options === undefined ? undefined : setting;
  if (cache === undefined) {
    if (!DEFAULT_OPTIONS.has(rule)) DEFAULT_OPTIONS.set(rule, rule.options.parse({}));
    return DEFAULT_OPTIONS.get(rule);
  }
  if (!SET_OPTIONS.has(cache)) SET_OPTIONS.set(cache, rule.options.parse(cache.options));
  return SET_OPTIONS.get(cache);
}
