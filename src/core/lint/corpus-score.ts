import type { Severity } from './rule.js';

/**
 * Scoring of lint findings against a reviewer's expectations (the public corpus, corpus/cases).
 * Pure: the caller reads the cases, lints them and normalises finding paths to the corpus notation.
 */

export type CaseKind = 'broken' | 'correct' | 'malformed';

/** One expected finding: a rule at a dotted path (`services.ts.cap_add.1`), or at a line for malformed files. */
export interface Expectation {
  rule: string;
  severity: Severity;
  path?: string;
  line?: number;
}

/** A finding reduced to what the corpus compares. */
export interface ScoredFinding {
  rule: string;
  severity: Severity;
  /** Dotted corpus path, when the finding has one. */
  path?: string;
  line: number;
}

export interface CaseInput {
  slug: string;
  kind: CaseKind;
  expect: readonly Expectation[];
  findings: readonly ScoredFinding[];
}

export interface CaseScore {
  slug: string;
  kind: CaseKind;
  matched: { expected: Expectation; found: ScoredFinding }[];
  /** Expectations no finding met (a severity mismatch lands here too, with `severityOf` set). */
  missed: (Expectation & { severityOf?: Severity })[];
  /** Findings that met no expectation. */
  unexpected: ScoredFinding[];
  /** True when every expectation was met. */
  complete: boolean;
}

export interface RuleScore {
  rule: string;
  expected: number;
  found: number;
  matched: number;
  /** matched / expected; undefined when nothing was expected. */
  recall?: number;
  /** matched / found; undefined when nothing was found. */
  precision?: number;
}

export interface CorpusScore {
  cases: CaseScore[];
  rules: RuleScore[];
  overall: RuleScore;
  /** Broken files whose every expectation was met. */
  completeBroken: number;
  broken: number;
  /** Error-severity findings on files a reviewer found correct. */
  falseErrorsOnCorrect: number;
  correct: number;
  /** Malformed files that got an error at the expected line. */
  positionedMalformed: number;
  malformed: number;
  /** Expectations missed only because the severity differed. */
  severityMismatches: number;
}

/** Scores one case: each expectation takes at most one finding (same rule and place; severity must agree). */
export function scoreCase(input: CaseInput): CaseScore {
  const left = [...input.findings];
  const matched: CaseScore['matched'] = [];
  const missed: CaseScore['missed'] = [];
  for (const e of input.expect) {
    const at = left.findIndex((f) => samePlace(e, f) && f.severity === e.severity);
    if (at !== -1) {
      matched.push({ expected: e, found: left[at]! });
      left.splice(at, 1);
      continue;
    }
    const other = left.find((f) => samePlace(e, f));
    missed.push(other ? { ...e, severityOf: other.severity } : { ...e });
  }
  return {
    slug: input.slug,
    kind: input.kind,
    matched,
    missed,
    unexpected: left,
    complete: missed.length === 0,
  };
}

function samePlace(e: Expectation, f: ScoredFinding): boolean {
  if (e.rule !== f.rule) return false;
  if (e.path !== undefined) return f.path === e.path;
  return e.line !== undefined && f.line === e.line;
}

export function scoreCorpus(inputs: readonly CaseInput[]): CorpusScore {
  const cases = inputs.map(scoreCase);
  const byRule = new Map<string, RuleScore>();
  const rule = (id: string) => {
    const r = byRule.get(id) ?? { rule: id, expected: 0, found: 0, matched: 0 };
    byRule.set(id, r);
    return r;
  };
  for (const c of cases) {
    for (const m of c.matched) {
      const r = rule(m.expected.rule);
      r.expected++;
      r.found++;
      r.matched++;
    }
    for (const m of c.missed) rule(m.rule).expected++;
    // An unexpected info finding is a note, not a claim: it does not count against precision.
    for (const u of c.unexpected) if (u.severity !== 'info') rule(u.rule).found++;
  }
  const rules = [...byRule.values()].map(ratios).sort((a, b) => a.rule.localeCompare(b.rule));
  const overall = ratios(
    rules.reduce(
      (t, r) => ({
        rule: 'overall',
        expected: t.expected + r.expected,
        found: t.found + r.found,
        matched: t.matched + r.matched,
      }),
      { rule: 'overall', expected: 0, found: 0, matched: 0 } as RuleScore,
    ),
  );
  const of = (kind: CaseKind) => cases.filter((c) => c.kind === kind);
  return {
    cases,
    rules,
    overall,
    completeBroken: of('broken').filter((c) => c.complete).length,
    broken: of('broken').length,
    falseErrorsOnCorrect: of('correct').reduce(
      (n, c) => n + c.unexpected.filter((f) => f.severity === 'error').length,
      0,
    ),
    correct: of('correct').length,
    positionedMalformed: of('malformed').filter((c) => c.complete && c.matched.length > 0).length,
    malformed: of('malformed').length,
    severityMismatches: cases.reduce((n, c) => n + c.missed.filter((m) => m.severityOf).length, 0),
  };
}

function ratios(r: RuleScore): RuleScore {
  const out: RuleScore = { rule: r.rule, expected: r.expected, found: r.found, matched: r.matched };
  if (r.expected > 0) out.recall = r.matched / r.expected;
  if (r.found > 0) out.precision = r.matched / r.found;
  return out;
}

/**
 * The corpus notation of a finding path: dotted, list items by index, and `environment:` list items
 * by variable name (`services.ts.environment.TS_AUTHKEY`), the way map-form environments read.
 * `envName(servicePath, index)` returns the variable name of a list item, when it has one.
 */
export function corpusPath(
  path: readonly (string | number)[],
  envName: (path: readonly (string | number)[]) => string | undefined,
): string {
  const out: string[] = [];
  for (let i = 0; i < path.length; i++) {
    const seg = path[i]!;
    if (typeof seg === 'number' && path[i - 1] === 'environment') {
      out.push(envName(path.slice(0, i + 1)) ?? String(seg));
    } else out.push(String(seg));
  }
  return out.join('.');
}
