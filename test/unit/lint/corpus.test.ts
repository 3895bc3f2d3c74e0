import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { CASES, lintCorpus } from '../../../scripts/corpus.js';
import { scoreCorpus } from '../../../src/core/lint/corpus-score.js';
import { ALL_RULE_META } from '../../../src/core/lint/rules/index.js';

describe('the public corpus (corpus/cases)', () => {
  const slugs = readdirSync(CASES, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name);

  it('has at least 80 cases, each with a source, a kind and expectations in the documented shape', () => {
    expect(slugs.length).toBeGreaterThanOrEqual(80);
    const known = new Set(ALL_RULE_META.map((r) => r.id));
    for (const slug of slugs) {
      const doc = parseDocument(readFileSync(path.join(CASES, slug, 'case.yaml'), 'utf8'));
      expect(doc.errors, slug).toEqual([]);
      const c = doc.toJS() as Record<string, unknown>;
      expect(String(c['source']), slug).toMatch(/^https:\/\//);
      expect(['broken', 'correct', 'malformed'], slug).toContain(c['kind']);
      const expect_ = c['expect'] as Record<string, unknown>[];
      expect(Array.isArray(expect_), slug).toBe(true);
      if (c['kind'] === 'correct') expect(expect_, slug).toEqual([]);
      for (const e of expect_) {
        expect(known.has(String(e['rule'])), `${slug}: ${String(e['rule'])}`).toBe(true);
        expect(['error', 'warning', 'info'], slug).toContain(e['severity']);
        expect(e['path'] !== undefined || e['line'] !== undefined, slug).toBe(true);
      }
    }
  });

  it('meets the bar: recall ≥ 95%, no false errors on correct files, every malformed file positioned', async () => {
    const score = scoreCorpus(await lintCorpus());
    expect(score.overall.recall).toBeGreaterThanOrEqual(0.95);
    expect(score.falseErrorsOnCorrect).toBe(0);
    expect(score.positionedMalformed).toBe(score.malformed);
  }, 30_000);
});
