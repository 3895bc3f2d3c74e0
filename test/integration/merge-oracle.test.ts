/**
 * THE MERGE ORACLE (issue 13). Needs a compose binary — `docker compose` (v2) or `docker-compose`
 * (v1, which .ci/run installs) — but not the Docker engine: only `config` runs. For every stress
 * fixture, merge fixture and corpus file with a tailscale service, in every mode that applies, the
 * effective configuration compose prints for the merged file must differ from the original only
 * in the keys the mode owns, and those must equal the generated ones (test/oracle/compare.ts).
 * A merge tailbridge refuses (one line, file:line:col) is an accepted outcome; a wrong one is not.
 * `npx tsx scripts/merge-oracle.ts` prints the table.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ComposeEdit } from '../../src/core/compose/edits.js';
import { configFor, discoverCases } from '../oracle/cases.js';
import { type ComposeTool, findComposeTool } from '../oracle/compose-cli.js';
import { checkEdit } from '../oracle/lint-oracle.js';
import { runCase } from '../oracle/merge-oracle.js';
import { counts, type OracleRun, renderTable, runMergeOracle } from '../oracle/run-all.js';

const tool = await findComposeTool();
const ci = Boolean(process.env['CI']);
if (!tool && !ci)
  console.warn('merge oracle skipped: no docker compose / docker-compose binary on this machine');

describe.skipIf(!tool && !ci)(
  'merge oracle: compose config of every stress and corpus file × every mode',
  () => {
    let run: OracleRun;

    beforeAll(async () => {
      if (!tool)
        throw new Error(
          'CI needs a compose binary for the merge oracle (docker-compose v1 or docker compose v2)',
        );
      run = await runMergeOracle(tool as ComposeTool);
      const c = counts(run);
      console.info(
        `merge oracle (${tool.argv.join(' ')} ${tool.flavor} ${tool.version}): ${run.rows.length} files, ${c.pass} pass, ${c.refused} refused, ${c.skipped} skipped, ${c.fail} fail; ${run.skippedFiles.length} files without a tailscale service or malformed`,
      );
    }, 600_000);

    afterAll(async () => {
      await tool?.close();
    });

    it('no merge changes what the mode does not own, nor misses what it owns', () => {
      const failures = run.rows.flatMap((r) =>
        r.results.filter((m) => m.status === 'fail').map((m) => `${r.id} ${m.mode}: ${m.detail}`),
      );
      expect(failures, renderTable(run)).toEqual([]);
    });

    it('runs every stress fixture in every mode that applies', () => {
      const stress = run.rows.filter((r) => r.id.startsWith('stress/'));
      expect(stress.length).toBeGreaterThanOrEqual(19);
      for (const row of stress) expect(row.results.length, row.id).toBeGreaterThanOrEqual(3);
      expect(counts(run).pass).toBeGreaterThanOrEqual(70);
    });

    it('refuses only with one line that says where and why', () => {
      for (const row of run.rows)
        for (const r of row.results.filter((x) => x.status === 'refused')) {
          expect(r.detail, row.id).toMatch(/^[^\n]+:\d+:\d+ \S[^\n]+$/);
        }
    });

    it('skips only what compose itself rejects or the oracle cannot provide', () => {
      for (const row of run.rows)
        for (const r of row.results.filter((x) => x.status === 'skipped'))
          expect(r.detail, `${row.id} ${r.mode}`).toMatch(
            /^(compose rejects the original|env file .* outside)/,
          );
      const stressSkips = run.rows
        .filter((r) => r.id.startsWith('stress/') && r.results.some((x) => x.status === 'skipped'))
        .map((r) => r.id);
      // include: needs compose v2; several documents in one file: compose rejects them too.
      expect(stressSkips.filter((id) => !['stress/include', 'stress/multi-document'].includes(id))).toEqual(
        [],
      );
    });

    it('the issue example passes in every mode and keeps its merge key', () => {
      const row = run.rows.find((r) => r.id === 'stress/issue-example');
      expect(row?.results.map((r) => r.status)).toEqual(['pass', 'pass', 'pass', 'pass', 'pass']);
    });

    it('catches a lossy merge: without the policies the wholesale put drops <<: *common and its logging', async () => {
      const c = discoverCases().cases.find((x) => x.id === 'stress/issue-example')!;
      const { config } = configFor(c.text)!;
      const strip = (edits: ComposeEdit[]) =>
        edits.map((e) => (e.op === 'put' ? { ...e, policy: undefined } : e)) as ComposeEdit[];
      const [userspace] = await runCase(tool as ComposeTool, c, config, ['userspace'], strip);
      expect(userspace?.status).toBe('fail');
      expect(userspace?.detail).toMatch(/services\.tailscale\.logging: not owned by the mode but changed/);
    });

    it('catches an edit that leaks through an anchor', async () => {
      const c = discoverCases().cases.find((x) => x.id === 'stress/anchors-everywhere')!;
      const leaky = c.text.replace('  restart: always\n', '  restart: "no"\n');
      const r = await checkEdit(tool as ComposeTool, c, { text: leaky, fixed: 1 });
      expect(r.status).toBe('fail');
      expect(r.detail).toMatch(/services\.tailscale\.restart changed but no fix edited it/);
    });
  },
);
