import type { Target } from '../adapters/transaction/target.js';
import type { Colors } from '../cli/io.js';
import { unifiedDiff } from '../core/compose/diff.js';
import { redact } from '../core/report/redact.js';
import type { ApplyPreview } from '../workflows/apply/preview.js';
import { renderMergeNotes } from './merge-notes.js';

/** `apply --dry-run`, one entry per output write: the diff, the identity verdict, the numbered steps (or their JSON). */
export function renderApplyPreview(
  preview: ApplyPreview,
  options: { mode: string; json: boolean; target: Pick<Target, 'display' | 'composeFile'> },
  c: Colors,
): string[] {
  const { changes, identity, steps } = preview;
  const { mode, target } = options;
  // An inline auth key the merge removes would otherwise be printed on a `-` line.
  const diff = redact(
    changes
      .map((ch) => unifiedDiff(ch.display, ch.before?.toString('utf8') ?? '', ch.after))
      .filter(Boolean)
      .join('\n'),
  );
  const notes = changes.flatMap((ch) => ch.notes ?? []);
  const noteLines = changes.flatMap((ch) => renderMergeNotes(ch.display, ch.notes ?? []));
  if (options.json)
    return [
      JSON.stringify(
        {
          dryRun: true,
          mode,
          files: changes.map((ch) => ({ path: ch.display, exists: ch.before !== undefined })),
          diff,
          notes,
          identity: identity.lines,
          refused: identity.refused > 0,
          steps,
        },
        null,
        2,
      ),
    ];
  const lines = [
    diff || `${target.display(target.composeFile)} already has mode ${mode}: nothing to apply`,
    '',
  ];
  if (noteLines.length > 0) lines.push(...noteLines, '');
  lines.push(...identity.lines);
  if (identity.refused > 0)
    lines.push(c.red(`apply --mode ${mode} would be refused until the flag named above is passed`));
  lines.push(c.bold(`\nDry run — nothing written. apply --mode ${mode} would:`));
  for (const [i, s] of steps.entries()) lines.push(`  ${i + 1}. ${s}`);
  return lines;
}
