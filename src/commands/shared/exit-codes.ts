import type { TxOutcome } from '../../adapters/transaction/run.js';
import { ExitCode } from '../../errors.js';

/** The documented exit code of a transaction's outcome (README "Exit codes"). */
export function txExitCode(outcome: TxOutcome): number {
  switch (outcome) {
    case 'applied':
      return ExitCode.ok;
    case 'not-applied':
      return ExitCode.usage;
    case 'rolled-back':
      return ExitCode.rolledBack;
    case 'rollback-failed':
      return ExitCode.rollbackFailed;
  }
}
