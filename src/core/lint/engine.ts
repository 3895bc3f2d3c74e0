import { isMap, isScalar, type Node, visit } from 'yaml';
import { validateCompose } from '../compose/validate.js';
import { type Position, parseYaml, type YamlSource } from '../compose/yaml-source.js';
import type { HomelabConfig } from '../model/config.js';
import { ComposeModel } from './compose-model.js';
import type { Finding, Rule, RuleContext, RuleMeta, Severity, TextEdit } from './rule.js';
import { ALL_RULE_META, RULES } from './rules/index.js';
import { composeSchema, invalidSuppression, notCompose, yamlSyntax } from './rules/meta.js';
import { effectiveSeverity, type RuleSettings, ruleOptions } from './settings.js';
import { parseSuppressions } from './suppress.js';

export interface LintOptions {
  /** Rules to run (default: all). */
  rules?: readonly Rule[];
  config?: HomelabConfig;
  /** env_file variable NAMES keyed by the path as written in the compose file (see ComposeModelOptions). */
  envFiles?: Readonly<Record<string, readonly string[]>>;
  /** Texts of scripts mounted and run as entrypoint/command, keyed by host path as written (see ComposeModelOptions). */
  scripts?: Readonly<Record<string, string>>;
  /**
   * Per-rule levels and options (lint: in tailbridge.yaml, .tailbridgerc, --rule), already merged and
   * validated (see ./settings.ts). A rule at `off` does not run.
   */
  settings?: RuleSettings;
}

export interface FileResult {
  file: string;
  /** False when the file could not be linted at all (unreadable, empty, not YAML, not compose). */
  linted: boolean;
  /** Sorted by line, then column. */
  findings: Finding[];
}

const COMPOSE_KEYS = [
  'services',
  'networks',
  'volumes',
  'secrets',
  'configs',
  'include',
  'name',
  'version',
  'models',
];

/** Lints one compose file's text. Pure: never throws for bad input; every problem is a positioned finding. */
export function lintSource(file: string, text: string, opts: LintOptions = {}): FileResult {
  if (text.trim() === '') return notLinted(file, meta(notCompose, 'empty file: nothing to lint', at(1, 1)));

  const { source } = parseYaml(file, text);
  const syntax = syntaxFindings(source);
  if (syntax.length > 0) return { file, linted: false, findings: syntax };

  const contents = source.doc.contents;
  if (contents === null)
    return notLinted(file, meta(notCompose, 'file has only comments: nothing to lint', at(1, 1)));
  if (!isMap(contents) || !contents.items.some((p) => isScalar(p.key) && isComposeKey(String(p.key.value)))) {
    const pos = positionOf(source, contents as Node);
    return notLinted(
      file,
      meta(notCompose, 'not a Compose file: no top-level services:, networks:, volumes: or include:', pos),
    );
  }

  let model: ComposeModel;
  try {
    model = new ComposeModel(source, {
      ...(opts.envFiles ? { envFiles: opts.envFiles } : {}),
      ...(opts.scripts ? { scripts: opts.scripts } : {}),
    });
  } catch (e) {
    return notLinted(file, meta(yamlSyntax, `cannot resolve the YAML: ${firstLine(e)}`, at(1, 1)));
  }

  const settings = opts.settings;
  const levelOf = (id: string) => settings?.get(id)?.level;
  const findings: Finding[] = [];
  if (levelOf(composeSchema.id) !== 'off')
    findings.push(...schemaFindings(source, model.root, levelOf(composeSchema.id)));

  const ctx: RuleContext = { file, source, model };
  if (opts.config) ctx.config = opts.config;
  for (const rule of opts.rules ?? RULES) {
    const setting = settings?.get(rule.id);
    if (setting?.level === 'off') continue;
    findings.push(...runRule(rule, ctx, setting?.level, ruleOptions(rule, setting)));
  }

  const all = applySuppressions(text, findings, levelOf(invalidSuppression.id));
  return { file, linted: true, findings: sortFindings(all) };
}

function schemaFindings(source: YamlSource, value: unknown, level: Severity | 'off' | undefined): Finding[] {
  const findings: Finding[] = [];
  const severity = level === undefined || level === 'off' ? composeSchema.severity : level;
  try {
    for (const p of validateCompose(source, value)) {
      const f = meta(composeSchema, p.message, at(p.line ?? 1, p.column ?? 1), severity);
      if (p.path) f.path = p.path;
      findings.push(f);
    }
  } catch (e) {
    findings.push(meta(composeSchema, `schema validation failed: ${firstLine(e)}`, at(1, 1), severity));
  }
  return findings;
}

function runRule(
  rule: Rule,
  base: RuleContext,
  level: Severity | 'off' | undefined,
  options: unknown,
): Finding[] {
  const ctx = options === undefined ? base : { ...base, options };
  const configured = level === undefined || level === 'off' ? undefined : level;
  let reports: ReturnType<Rule['check']>;
  try {
    reports = rule.check(ctx);
  } catch (e) {
    return [
      {
        ruleId: rule.id,
        severity: 'error',
        message: `internal error in rule ${rule.id}: ${firstLine(e)} (please report this)`,
        ...at(1, 1),
        fixable: false,
      },
    ];
  }
  return reports.map((r) => {
    const pos = r.position ?? ctx.model.position(r.path, r.key ? { key: true } : {});
    const finding: Finding = {
      ruleId: rule.id,
      severity: effectiveSeverity(rule, r.severity ?? rule.severity, configured),
      message: r.message,
      ...pos,
      fixable: false,
      path: r.path,
    };
    if (r.data) finding.data = r.data;
    if (rule.fix) {
      let edits: TextEdit[] | undefined;
      try {
        edits = rule.fix(ctx, finding);
      } catch {
        edits = undefined;
      }
      if (edits && edits.length > 0) {
        finding.fix = edits;
        finding.fixable = true;
      }
    }
    return finding;
  });
}

/** One finding per YAML problem: parser errors (tabs, duplicate keys, indentation) and unknown aliases. */
function syntaxFindings(source: YamlSource): Finding[] {
  const out: Finding[] = source.doc.errors.map((e) => {
    const a = source.lines.linePos(e.pos[0]);
    const b = source.lines.linePos(e.pos[1]);
    return meta(yamlSyntax, yamlMessage(e.code, e.message), {
      line: a.line,
      column: a.col,
      endLine: b.line,
      endColumn: b.col,
    });
  });
  if (out.length > 0) return out;
  visit(source.doc, {
    Alias(_, node) {
      if (node.resolve(source.doc) === undefined) {
        out.push(
          meta(
            yamlSyntax,
            `unknown anchor: *${node.source} is not defined before it is used`,
            positionOf(source, node),
          ),
        );
      }
    },
  });
  return out;
}

function yamlMessage(code: string, message: string): string {
  const first = message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
  switch (code) {
    case 'TAB_AS_INDENT':
      return 'tab used for indentation: YAML allows only spaces';
    case 'DUPLICATE_KEY':
      return 'duplicate key: each key may appear once in a mapping';
    case 'BAD_INDENT':
      return `bad indentation: ${first}`;
    case 'MULTIPLE_DOCS':
      return 'several YAML documents (---) in one compose file; use one document per file';
    default:
      return first;
  }
}

function applySuppressions(text: string, findings: Finding[], level?: Severity | 'off'): Finding[] {
  const sups = parseSuppressions(text);
  if (sups.length === 0) return findings;
  const kept = applySuppressionComments(sups, findings);
  if (level === undefined) return kept;
  if (level === 'off') return kept.filter((f) => f.ruleId !== invalidSuppression.id);
  return kept.map((f) =>
    f.ruleId === invalidSuppression.id
      ? { ...f, severity: effectiveSeverity(invalidSuppression, f.severity, level) }
      : f,
  );
}

function applySuppressionComments(
  sups: ReturnType<typeof parseSuppressions>,
  findings: Finding[],
): Finding[] {
  const known = new Set(ALL_RULE_META.map((r) => r.id));
  const suppressed = new Set<Finding>();
  const extra: Finding[] = [];
  for (const s of sups) {
    const pos = { line: s.line, column: s.column, endLine: s.line, endColumn: s.endColumn };
    if (s.ruleIds.length === 0) {
      extra.push(
        meta(
          invalidSuppression,
          'tailbridge-disable-next-line names no rule; write "<rule-id> -- <reason>"',
          pos,
        ),
      );
      continue;
    }
    for (const id of s.ruleIds)
      if (!known.has(id)) extra.push(meta(invalidSuppression, `unknown rule "${id}" in suppression`, pos));
    if (!s.reason)
      extra.push(
        meta(
          invalidSuppression,
          'suppression without a reason: add "-- <why this is fine>" after the rule ids',
          pos,
        ),
      );
    let used = false;
    for (const f of findings) {
      if (f.line === s.target && s.ruleIds.includes(f.ruleId)) {
        suppressed.add(f);
        used = true;
      }
    }
    if (!used && s.ruleIds.every((id) => known.has(id)))
      extra.push(
        meta(
          invalidSuppression,
          `suppression of ${s.ruleIds.join(', ')} matches no finding on the next line`,
          pos,
          'info',
        ),
      );
  }
  return [...findings.filter((f) => !suppressed.has(f)), ...extra];
}

/**
 * Applies the fixes of `findings` to `text`: each finding's edits are all-or-nothing; a finding whose
 * edits overlap an already accepted one is skipped (run again to pick it up). Edits are applied from
 * the end so offsets stay valid; edits at the same offset keep their order.
 */
export function applyFixes(text: string, findings: readonly Finding[]): string {
  const accepted: TextEdit[] = [];
  const overlaps = (a: TextEdit, b: TextEdit) => a.start < b.end && b.start < a.end;
  for (const f of findings) {
    if (!f.fix || f.fix.length === 0) continue;
    if (f.fix.some((e) => accepted.some((a) => overlaps(a, e)))) continue;
    accepted.push(...f.fix);
  }
  const ordered = accepted.map((e, i) => ({ e, i })).sort((x, y) => y.e.start - x.e.start || y.i - x.i);
  let out = text;
  for (const { e } of ordered) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return out;
}

export interface FixResult {
  /** The fixed text (equal to the input when nothing was fixable). */
  text: string;
  /** How many findings were fixed. */
  fixed: number;
  /** The lint result of the fixed text. */
  result: FileResult;
}

/**
 * Lints, applies the fixes, and re-lints to confirm (up to `maxPasses` rounds, for fixes that touched
 * the same spot). A round whose output no longer parses, or has more schema errors than before, is
 * discarded and the previous text is kept.
 */
export function fixSource(file: string, text: string, opts: LintOptions = {}, maxPasses = 5): FixResult {
  let current = text;
  let result = lintSource(file, current, opts);
  let fixed = 0;
  for (let pass = 0; pass < maxPasses; pass++) {
    const fixable = result.findings.filter((f) => f.fix);
    if (!result.linted || fixable.length === 0) break;
    const next = applyFixes(current, fixable);
    if (next === current) break;
    const again = lintSource(file, next, opts);
    const schemaBefore = result.findings.filter((f) => f.ruleId === composeSchema.id).length;
    const schemaAfter = again.findings.filter((f) => f.ruleId === composeSchema.id).length;
    if (!again.linted || schemaAfter > schemaBefore) break;
    const before = new Set(result.findings.map(signature));
    const after = new Set(again.findings.map(signature));
    fixed += [...before].filter((s) => !after.has(s)).length;
    current = next;
    result = again;
  }
  return { text: current, fixed, result };
}

function signature(f: Finding): string {
  return `${f.ruleId}\u0000${f.message}`;
}

export function sortFindings(findings: Finding[]): Finding[] {
  return [...findings].sort(
    (a, b) => a.line - b.line || a.column - b.column || a.ruleId.localeCompare(b.ruleId),
  );
}

/** A file-level finding for a file that could not be read (the adapter's binary / too large / missing cases). */
export function unreadable(file: string, message: string, line = 1, column = 1): FileResult {
  return notLinted(file, {
    ruleId: 'unreadable-file',
    severity: 'error',
    message,
    ...at(line, column),
    fixable: false,
  });
}

function notLinted(file: string, finding: Finding): FileResult {
  return { file, linted: false, findings: [finding] };
}

function meta(rule: RuleMeta, message: string, pos: Position, severity: Severity = rule.severity): Finding {
  return { ruleId: rule.id, severity, message, ...pos, fixable: false };
}

function at(line: number, column: number): Position {
  return { line, column, endLine: line, endColumn: column };
}

function positionOf(source: YamlSource, node: Node | null | undefined): Position {
  const r = node?.range;
  if (!r) return at(1, 1);
  const a = source.lines.linePos(r[0]);
  const b = source.lines.linePos(r[1]);
  return { line: a.line, column: a.col, endLine: b.line, endColumn: b.col };
}

function isComposeKey(key: string): boolean {
  return COMPOSE_KEYS.includes(key) || key.startsWith('x-');
}

function firstLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0]!;
}
