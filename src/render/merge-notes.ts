import { formatNote, type MergeNote } from '../core/compose/managed.js';

/**
 * The lines telling the user which of their settings a merge removed or rewrote in another form,
 * and why: a heading, then one line per setting. Empty when there is nothing to say.
 */
export function renderMergeNotes(file: string, notes: readonly MergeNote[]): string[] {
  if (notes.length === 0) return [];
  const what = notes.length === 1 ? 'setting' : 'settings';
  return [
    `${notes.length} ${what} in ${file} removed or rewritten, and why:`,
    ...notes.map((n) => `  - ${formatNote(n)}`),
  ];
}
