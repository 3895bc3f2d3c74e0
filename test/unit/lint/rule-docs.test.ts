import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  optionNames,
  plan,
  README_END,
  README_START,
  renderTable,
  tableCells,
} from '../../../scripts/rule-docs.js';
import { ALL_RULE_META, RULES } from '../../../src/core/lint/rules/index.js';

describe('rule docs are generated from the rule metadata', () => {
  it('every page and the README table match the metadata (run `npm run docs:rules`)', () => {
    const { updates, problems } = plan();
    expect(problems).toEqual([]);
    expect(updates.map((u) => u.file)).toEqual([]);
  });

  it('each page states the rule’s severity, category, fix and options', () => {
    for (const meta of ALL_RULE_META) {
      const page = readFileSync(new URL(`../../../${meta.docs}`, import.meta.url), 'utf8');
      const header = page.split('\n').find((l) => l.startsWith('**Severity:**'))!;
      expect(header, meta.id).toMatch(new RegExp(`^\\*\\*Severity:\\*\\* ${meta.severity}\\b`));
      expect(header, meta.id).toContain(`**Category:** ${meta.category}`);
      const rule = RULES.find((r) => r.id === meta.id);
      if (rule) expect(/\*\*Fix:\*\* none\b/.test(header), meta.id).toBe(!rule.fix);
      for (const o of optionNames(rule)) expect(header, meta.id).toContain(`\`${o}\``);
    }
  });

  it('the README table lists every rule with its severity, category and fix', () => {
    const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
    const table = readme.slice(readme.indexOf(README_START), readme.indexOf(README_END));
    const rows = tableCells(table).slice(1);
    expect(rows.map((r) => r.slice(0, 4))).toEqual(
      RULES.map((r) => [`[\`${r.id}\`](${r.docs})`, r.severity, r.category, r.fix ? 'yes' : '—']),
    );
    expect(tableCells(renderTable()).slice(1)).toEqual(rows);
  });
});
