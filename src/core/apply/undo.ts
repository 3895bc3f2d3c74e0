/**
 * What `tailbridge rollback` (without a journal and without --to) undoes: the most recent operation
 * that changed the files and kept the change. Pure.
 */

/** The fields of a history entry the choice depends on. */
export interface HistoryEntryFacts {
  id: string;
  operation: 'apply' | 'restore';
  /** Mode applied, or `restore <id>`. */
  mode: string;
  outcome: string;
}

export type UndoChoice = { kind: 'restore'; id: string } | { kind: 'nothing'; reason: string };

/**
 * Walks the history newest first. Entries that did not leave a change behind — rolled back,
 * interrupted before writing, refused by validation, discarded — are passed over. The first entry
 * whose change stuck decides: an apply is undone by restoring its backup (the files before it); a
 * restore means the last change was itself a rollback, so there is nothing to undo (`--to` still
 * picks any entry). A state the user rolled away from is therefore never brought back by accident.
 */
export function undoTarget(newestFirst: readonly HistoryEntryFacts[]): UndoChoice {
  if (newestFirst.length === 0) return { kind: 'nothing', reason: 'no history yet' };
  const last = newestFirst.find((e) => e.outcome === 'applied');
  if (!last)
    return {
      kind: 'nothing',
      reason:
        'no change in the history is still in place (every entry was rolled back, interrupted before writing, or never written)',
    };
  if (last.operation === 'restore')
    return {
      kind: 'nothing',
      reason: `the last change was a rollback (${last.id}: ${last.mode})`,
    };
  return { kind: 'restore', id: last.id };
}
