import type { RollbackReport } from '../adapters/transaction/run.js';
import type { Colors } from '../cli/io.js';
import type { RollbackOutcome } from '../workflows/rollback/rollback.js';
import { logBlock, type Rendered } from './apply-result.js';

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

/** What `rollback` says for each outcome (human output). */
export function renderRollbackOutcome(outcome: RollbackOutcome, c: Colors): Rendered {
  switch (outcome.kind) {
    case 'journal':
      return renderJournalRollback(outcome.report, c);
    case 'nothing':
      return { out: [outcome.message], err: [] };
    case 'declined':
      return { out: [], err: ['not restored'] };
    case 'restore':
      return renderRestore(outcome, c);
  }
}

function renderRestore(outcome: Extract<RollbackOutcome, { kind: 'restore' }>, c: Colors): Rendered {
  const { tx, entry, files } = outcome;
  if (tx.outcome === 'applied')
    return {
      out: [
        `${c.green('restored')} ${files} from ${entry.id}; the state before is backed up as ${tx.historyId}`,
      ],
      err: [],
    };
  const err = [`${c.red('restore failed')} at ${tx.failure?.step}: ${tx.failure?.message}`];
  if (tx.failure?.logs) err.push(logBlock(tx.failure.logs));
  if (tx.rollback?.ok) err.push(`${c.yellow('rolled back')}: ${tx.rollback.lines.join('; ')}`);
  else if (tx.rollback) {
    err.push(`${c.red('ROLLBACK FAILED')}: ${tx.rollback.problem}`);
    for (const s of tx.rollback.manualSteps ?? []) err.push(`  ${s}`);
  }
  return { out: [], err };
}
