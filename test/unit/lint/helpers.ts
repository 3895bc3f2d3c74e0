import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type LintOptions, lintSource } from '../../../src/core/lint/engine.js';

export const FIXTURES = fileURLToPath(new URL('../../fixtures/lint/', import.meta.url));

export function fixture(rel: string): string {
  return readFileSync(`${FIXTURES}${rel}`, 'utf8');
}

export function lintFixture(rel: string, opts: LintOptions = {}) {
  return lintSource(`test/fixtures/lint/${rel}`, fixture(rel), opts);
}

export function lintText(text: string, opts: LintOptions = {}) {
  return lintSource('compose.yaml', text, opts);
}

/** `line:col ruleId` of each finding, compact for assertions. */
export function where(findings: { line: number; column: number; ruleId: string }[]): string[] {
  return findings.map((f) => `${f.line}:${f.column} ${f.ruleId}`);
}
