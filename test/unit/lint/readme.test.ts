import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { RULES } from '../../../src/core/lint/rules/index.js';

it('README lists every lint rule with its docs page', () => {
  const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
  for (const r of RULES) expect(readme, r.id).toContain(`[\`${r.id}\`](${r.docs})`);
});
