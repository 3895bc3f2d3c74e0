import type { Drift } from './target.js';

const SHOWN = 5;

/**
 * The one line apply prints when the deployed compose is not the local file (someone edited the app
 * in the TrueNAS UI): which paths differ and the two ways out. Nothing has changed when it is shown.
 */
export function driftRefusal(drift: Drift & { drifted: true }, file: string, label: string): string {
  const paths = drift.differences.slice(0, SHOWN).join(', ');
  const more = drift.differences.length > SHOWN ? ` and ${drift.differences.length - SHOWN} more` : '';
  return `drift: ${label}'s compose differs from ${file} at ${paths}${more} (edited outside tailbridge?): bring ${file} up to date with the app, or pass --overwrite-drift to replace the app's version with ${file}; nothing was changed`;
}

/** The note printed when the user chose to overwrite the drifted app. */
export function driftOverwriteNote(drift: Drift & { drifted: true }, label: string): string {
  return `drift: ${label}'s compose differed at ${drift.differences.slice(0, SHOWN).join(', ')}; --overwrite-drift replaces it`;
}
