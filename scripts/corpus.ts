/**
 * The public corpus (corpus/README.md): lints every case in corpus/cases/ and compares the findings
 * with the reviewer's expectations — recall and precision per rule and overall, false errors on
 * correct files, positioned errors on malformed ones.
 *
 *   npm run corpus                   # table
 *   npm run corpus -- --case SLUG    # one case in detail (repeatable)
 *   npm run corpus -- --details      # every case that is not exactly as expected
 *   npm run corpus -- --markdown     # the table as Markdown (for corpus/README.md)
 *   npm run corpus -- --json
 *
 * Exit code 0 always (it measures; the thresholds are checked by test/unit/lint/corpus.test.ts).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isScalar, parseDocument } from 'yaml';
import { readLintInputs } from '../src/adapters/lint-files.js';
import {
  type CaseInput,
  type CaseKind,
  type CorpusScore,
  corpusPath,
  type Expectation,
  type ScoredFinding,
  scoreCorpus,
} from '../src/core/lint/corpus-score.js';
import { lintSource } from '../src/core/lint/engine.js';
import type { Finding } from '../src/core/lint/rule.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const CASES = path.join(ROOT, 'corpus/cases');

interface CaseFile {
  source: string;
  retrieved: string;
  description: string;
  kind: CaseKind;
  expect: Expectation[];
}

/** Reads, lints and reduces every case (or the named ones) to the scorer's input. */
export async function lintCorpus(only: readonly string[] = []): Promise<CaseInput[]> {
  const slugs = readdirSync(CASES, { withFileTypes: true })
    .filter((e) => e.isDirectory() && (only.length === 0 || only.includes(e.name)))
    .map((e) => e.name)
    .sort();
  const out: CaseInput[] = [];
  for (const slug of slugs) {
    const dir = path.join(CASES, slug);
    const meta = parseDocument(readFileSync(path.join(dir, 'case.yaml'), 'utf8')).toJS() as CaseFile;
    const [input] = await readLintInputs([path.join(dir, 'compose.yaml')], dir);
    const text = input?.text ?? '';
    const result = lintSource('compose.yaml', text, {
      envFiles: input?.envFiles ?? {},
      ...(input?.scripts ? { scripts: input.scripts } : {}),
    });
    out.push({ slug, kind: meta.kind, expect: meta.expect ?? [], findings: reduce(text, result.findings) });
  }
  return out;
}

function reduce(text: string, findings: readonly Finding[]): ScoredFinding[] {
  const doc = parseDocument(text, { merge: true, uniqueKeys: false });
  const envName = (p: readonly (string | number)[]) => {
    const node = doc.getIn(p, true);
    const raw = isScalar(node) ? String(node.value) : undefined;
    return raw?.split('=')[0];
  };
  return findings.map((f) => {
    const s: ScoredFinding = { rule: f.ruleId, severity: f.severity, line: f.line };
    if (f.path) s.path = corpusPath(f.path, envName);
    return s;
  });
}

const pct = (v: number | undefined) => (v === undefined ? '—' : `${(v * 100).toFixed(1)}%`);

export function table(score: CorpusScore, markdown = false): string {
  const head = ['rule', 'expected', 'found', 'matched', 'recall', 'precision'];
  const rows = [...score.rules, score.overall].map((r) => [
    r.rule,
    String(r.expected),
    String(r.found),
    String(r.matched),
    pct(r.recall),
    pct(r.precision),
  ]);
  const summary = [
    `cases: ${score.cases.length} (${score.broken} broken, ${score.correct} correct, ${score.malformed} malformed)`,
    `recall ${pct(score.overall.recall)}, precision ${pct(score.overall.precision)}; broken files with every expected finding: ${score.completeBroken}/${score.broken}`,
    `false errors on correct files: ${score.falseErrorsOnCorrect}; malformed files with a positioned error: ${score.positionedMalformed}/${score.malformed}; severity mismatches: ${score.severityMismatches}`,
  ];
  if (markdown) {
    const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
    return [
      line(head),
      line(head.map((_, i) => (i === 0 ? '---' : '---:'))),
      ...rows.map((r, i) => line(i === rows.length - 1 ? r.map((c) => `**${c}**`) : r)),
      '',
      ...summary,
      '',
    ].join('\n');
  }
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const fmt = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [fmt(head), ...rows.map(fmt), '', ...summary, ''].join('\n');
}

function details(score: CorpusScore, all: boolean): string {
  const out: string[] = [];
  for (const c of score.cases) {
    if (!all && c.complete && c.unexpected.length === 0) continue;
    out.push(`${c.slug} (${c.kind})`);
    for (const m of c.matched)
      out.push(`  ok        ${m.expected.rule} ${m.expected.severity} ${where(m.expected)}`);
    for (const m of c.missed)
      out.push(
        `  MISSED    ${m.rule} ${m.severity} ${where(m)}${m.severityOf ? ` (reported as ${m.severityOf})` : ''}`,
      );
    for (const u of c.unexpected)
      out.push(`  UNEXPECTED ${u.rule} ${u.severity} ${u.path ?? `line ${u.line}`}`);
  }
  return out.length > 0 ? `${out.join('\n')}\n` : '';
}

const where = (e: Expectation) => e.path ?? `line ${e.line}`;

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const only = args.flatMap((a, i) => (a === '--case' && args[i + 1] ? [args[i + 1]!] : []));
  const score = scoreCorpus(await lintCorpus(only));
  if (args.includes('--json')) {
    process.stdout.write(`${JSON.stringify(score, null, 2)}\n`);
    return;
  }
  process.stdout.write(table(score, args.includes('--markdown')));
  if (only.length > 0 || args.includes('--details'))
    process.stdout.write(`\n${details(score, only.length > 0)}`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) await main();
