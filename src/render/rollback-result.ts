import type { RollbackReport } from '../adapters/transaction/run.js';
import type { Colors } from '../cli/io.js';
import type { Rendered } from './apply-result.js';

/** What `rollback` says after finishing an interrupted operation from its journal. */
export function renderJournalRollback(report: RollbackReport, c: Colors): Rendered {
  if (report.ok) return { out: [`${c.green('rolled back')}: ${report.lines.join('; ')}`], err: [] };
  return {
    out: [],
    err: [
      `${c.red('ROLLBACK FAILED')}: ${report.problem}`,
      'Finish it by hand (or fix the cause and run `tailbridge rollback` again):',
      ...(report.manualSteps ?? []).map((s) => `  ${s}`),
    ],
  };
}
