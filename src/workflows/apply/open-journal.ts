import { rename } from 'node:fs/promises';
import path from 'node:path';
import type { HistoryStore } from '../../adapters/transaction/history.js';
import type { JournalStore } from '../../adapters/transaction/journal-store.js';
import { describeJournal, type Journal } from '../../core/apply/journal.js';
import type { Progress } from '../../core/apply/progress.js';
import { TailbridgeError } from '../../errors.js';

/**
 * A journal left by an earlier operation: closed when that apply had verified, discarded on
 * --discard-journal, else apply refuses (rollback finishes it).
 */
export async function settleOpenJournal(
  open: Journal,
  stores: { history: HistoryStore; journals: JournalStore },
  options: { discardJournal?: boolean; now: () => Date; progress: Progress },
): Promise<void> {
  const { history, journals } = stores;
  const { progress } = options;
  if (open.step === 'verified') {
    // The previous apply succeeded and was interrupted while cleaning up: finish it.
    await history.setOutcome(
      open.historyId,
      'applied',
      'verified; journal closed by the next apply',
      options.now(),
    );
    await journals.remove();
    progress.note(`closed the journal of a finished apply (history ${open.historyId})`);
  } else if (options.discardJournal) {
    await history.setOutcome(
      open.historyId,
      'discarded',
      `journal discarded by the user at ${open.step}`,
      options.now(),
    );
    await rename(journals.file, path.join(history.entryDir(open.historyId), 'journal.discarded.json')).catch(
      () => journals.remove(),
    );
    progress.note(`discarded the unfinished journal (${describeJournal(open)})`);
  } else {
    progress.fail('an unfinished apply');
    throw new TailbridgeError(
      `an earlier operation did not finish (${describeJournal(open)}): run \`tailbridge rollback\` to restore the files and containers, or \`tailbridge apply --discard-journal\` after checking them by hand`,
    );
  }
}
