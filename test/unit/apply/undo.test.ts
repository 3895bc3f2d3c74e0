import { describe, expect, it } from 'vitest';
import { type HistoryEntryFacts, undoTarget } from '../../../src/core/apply/undo.js';

const e = (id: string, operation: 'apply' | 'restore', outcome: string): HistoryEntryFacts => ({
  id,
  operation,
  mode: operation === 'apply' ? 'serve' : 'restore 1',
  outcome,
});

describe('undoTarget: rollback undoes the last change', () => {
  it('restores the backup of the last apply that stuck', () => {
    expect(undoTarget([e('2', 'apply', 'applied'), e('1', 'apply', 'applied')])).toEqual({
      kind: 'restore',
      id: '2',
    });
  });

  it('passes over rolled-back, interrupted, refused and discarded entries', () => {
    expect(
      undoTarget([
        e('5', 'apply', 'interrupted'),
        e('4', 'apply', 'pending'),
        e('3', 'apply', 'rolled-back'),
        e('2', 'apply', 'not-applied'),
        e('1', 'apply', 'applied'),
        e('0', 'apply', 'discarded'),
      ]),
    ).toEqual({ kind: 'restore', id: '1' });
  });

  it('after a rollback there is nothing to undo — even when an apply was killed since (the issue’s sequence)', () => {
    // apply (1) → rollback (2, restore) → apply killed after its backup, before its journal (3)
    const choice = undoTarget([
      e('3', 'apply', 'interrupted'),
      e('2', 'restore', 'applied'),
      e('1', 'apply', 'applied'),
    ]);
    expect(choice).toMatchObject({
      kind: 'nothing',
      reason: expect.stringMatching(/last change was a rollback \(2/),
    });
  });

  it('nothing to undo without history or without a change that stuck', () => {
    expect(undoTarget([])).toMatchObject({ kind: 'nothing', reason: 'no history yet' });
    expect(undoTarget([e('1', 'apply', 'rolled-back')])).toMatchObject({ kind: 'nothing' });
  });
});
