/**
 * Prints the merge oracle's table: every stress fixture, merge fixture and corpus file with a
 * tailscale service × every mode that applies, checked with `docker compose config` (or
 * `docker-compose config`), then the same check for `lint --fix` on the lint fixtures and those files.
 * Usage: npx tsx scripts/merge-oracle.ts [substring of case ids: merge table only]
 */
import { renderFixTable, renderTable, runFixOracle, runMergeOracle } from '../test/oracle/run-all.js';

const filter = process.argv[2];
const run = await runMergeOracle(undefined, filter ? (id) => id.includes(filter) : undefined);
process.stdout.write(`${renderTable(run)}\n`);
if (!filter) process.stdout.write(`\n${renderFixTable(await runFixOracle())}\n`);
