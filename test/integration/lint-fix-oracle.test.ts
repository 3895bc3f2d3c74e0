/**
 * THE LINT --FIX ORACLE (issue 13, part 4). Needs a compose binary like the merge oracle. For
 * every lint fixture and every oracle case, whatever fixes `lint --fix` applies, the effective
 * configuration compose prints after them differs from the one before only in the keys whose own
 * YAML text the fixes edited (test/oracle/lint-oracle.ts); the fixed file must still be accepted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findComposeTool } from '../oracle/compose-cli.js';
import { type FixRun, renderFixTable, runFixOracle } from '../oracle/run-all.js';

const tool = await findComposeTool();
const ci = Boolean(process.env['CI']);
if (!tool && !ci)
  console.warn('lint --fix oracle skipped: no docker compose / docker-compose binary on this machine');

describe.skipIf(!tool && !ci)('lint --fix oracle: compose config before and after the fixes', () => {
  let run: FixRun;

  beforeAll(async () => {
    if (!tool) throw new Error('CI needs a compose binary for the lint --fix oracle');
    run = await runFixOracle(tool);
    console.info(renderFixTable(run).split('\n').slice(0, 2).join(' — '));
  }, 600_000);

  afterAll(async () => {
    await tool?.close();
  });

  it('changes the effective configuration only in the keys the fixes edit', () => {
    const failures = run.results.filter((r) => r.status === 'fail').map((r) => `${r.id}: ${r.detail}`);
    expect(failures, renderFixTable(run)).toEqual([]);
  });

  it('checks at least one fixed file per rule fixture that has a fix', () => {
    expect(run.results.filter((r) => r.status === 'pass').length).toBeGreaterThanOrEqual(7);
  });

  it('skips only files compose itself rejects', () => {
    for (const r of run.results.filter((x) => x.status === 'skipped'))
      expect(r.detail, r.id).toMatch(/^(compose rejects the original|env file .* outside)/);
  });
});
