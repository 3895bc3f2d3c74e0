import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { applyFixes, lintSource } from '../../../src/core/lint/engine.js';
import { RULES } from '../../../src/core/lint/rules/index.js';
import { EXAMPLE_CONFIG, EXAMPLE_CONFIG_FILE } from '../../../src/core/model/example.js';
import { parseConfig } from '../../../src/core/model/load.js';
import { FIXTURES, fixture } from './helpers.js';

/**
 * The fixed-output contract (like ESLint's RuleTester `output`): every rule with a fix has
 * `<id>/fixed.yaml`, the exact text after applying that rule's fixes to `<id>/bad.yaml` once; the
 * fixed text no longer has a fixable finding of the rule. Rules without a fix have no fixed.yaml.
 */
const config = parseConfig(EXAMPLE_CONFIG_FILE, EXAMPLE_CONFIG);

describe('fixed-output fixtures', () => {
  for (const rule of RULES) {
    if (!rule.fix) {
      it(`${rule.id}: no fix, so no fixed.yaml`, () => {
        expect(existsSync(`${FIXTURES}${rule.id}/fixed.yaml`)).toBe(false);
      });
      continue;
    }
    it(`${rule.id}: bad.yaml + its fixes = fixed.yaml`, () => {
      expect(existsSync(`${FIXTURES}${rule.id}/fixed.yaml`), `${rule.id}/fixed.yaml`).toBe(true);
      const bad = fixture(`${rule.id}/bad.yaml`);
      const mine = lintSource('bad.yaml', bad, { config }).findings.filter((f) => f.ruleId === rule.id);
      expect(
        mine.some((f) => f.fixable),
        'at least one finding is fixable',
      ).toBe(true);
      const fixed = applyFixes(bad, mine);
      expect(fixed).toBe(fixture(`${rule.id}/fixed.yaml`));
      const again = lintSource('fixed.yaml', fixed, { config });
      expect(again.linted).toBe(true);
      expect(again.findings.filter((f) => f.ruleId === rule.id && f.fixable)).toEqual([]);
      expect(again.findings.filter((f) => f.ruleId === 'compose-schema')).toEqual([]);
    });
  }
});
