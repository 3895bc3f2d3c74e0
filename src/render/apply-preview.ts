import type { Target } from '../adapters/transaction/target.js';
import type { Colors } from '../cli/io.js';
import { unifiedDiff } from '../core/compose/diff.js';
import type { ApplyPreview } from '../workflows/apply/preview.js';

/** `apply --dry-run`, one entry per output write: the diff, the identity verdict, the numbered steps (or their JSON). */
export function renderApplyPreview(
  preview: ApplyPreview,
  options: { mode: string; json: boolean; target: Pick<Target, 'display' | 'composeFile'> },
  c: Colors,
): string[] {
  const { changes, identity, steps } = preview;
  const { mode, target } = options;
  const diff = changes
    .map((ch) => unifiedDiff(ch.display, ch.before?.toString('utf8') ?? '', ch.after))
    .filter(Boolean)
    .join('\n');
  if (options.json)
    return [
      JSON.stringify(
        {
          dryRun: true,
          mode,
          files: changes.map((ch) => ({ path: ch.display, exists: ch.before !== undefined })),
          diff,
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
  lines.push(...identity.lines);
  if (identity.refused > 0)
    lines.push(c.red(`apply --mode ${mode} would be refused until the flag named above is passed`));
  lines.push(c.bold(`\nDry run — nothing written. apply --mode ${mode} would:`));
  for (const [i, s] of steps.entries()) lines.push(`  ${i + 1}. ${s}`);
  return lines;
}
