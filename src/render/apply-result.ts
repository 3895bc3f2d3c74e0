import path from 'node:path';
import type { TxResult } from '../adapters/transaction/run.js';
import type { Colors } from '../cli/io.js';

/** Lines for stdout and stderr. */
export interface Rendered {
  out: string[];
  err: string[];
}

/** The JSON `apply` prints for a transaction. */
export function applyResultJson(mode: string, result: TxResult): string {
  return JSON.stringify(
    {
      result: result.outcome,
      mode,
      history: result.historyId,
      ...(result.failure ? { failure: result.failure } : {}),
      ...(result.verify ? { verify: result.verify } : {}),
      ...(result.rollback ? { rollback: result.rollback } : {}),
    },
    null,
    2,
  );
}

/** What `apply` says after its transaction: applied, not applied, rolled back, or how to finish by hand. */
export function renderApplyResult(
  mode: string,
  result: TxResult,
  where: { stateDir: string; display: (abs: string) => string },
  c: Colors,
): Rendered {
  const historyDir = path.join(where.display(where.stateDir), 'history', result.historyId);
  if (result.outcome === 'applied')
    return {
      out: [
        `${c.green('applied')} mode ${mode}: ${result.verify?.summary ?? ''}`,
        `${c.dim('backup')} ${historyDir} (\`tailbridge rollback\` restores it)`,
      ],
      err: [],
    };
  const f = result.failure!;
  if (result.outcome === 'not-applied')
    return {
      out: [],
      err: [`${c.red('not applied')}: ${f.message} — nothing was written (backup ${historyDir})`],
    };
  const err = [`${c.red('apply failed')} at ${f.step}: ${f.message}`];
  if (f.logs) {
    err.push(c.dim('last log lines of the container (secrets redacted):'));
    err.push(logBlock(f.logs));
  }
  const rb = result.rollback!;
  if (rb.ok) err.push(`${c.yellow('rolled back')}: ${rb.lines.join('; ')}`);
  else {
    err.push(`${c.red('ROLLBACK FAILED')}: ${rb.problem}`);
    err.push('Finish it by hand (or fix the cause and run `tailbridge rollback` again):');
    for (const s of rb.manualSteps ?? []) err.push(`  ${s}`);
  }
  return { out: [], err };
}

/** Container log lines, indented under a bar. */
export function logBlock(logs: string): string {
  return logs
    .split('\n')
    .map((l) => `  | ${l}`)
    .join('\n');
}
