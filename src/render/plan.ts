import pc from 'picocolors';
import { SOURCES } from '../core/facts/sources.js';
import { MODE_INFO, MODES, type Mode } from '../core/model/modes.js';
import type { CellValue, MatrixRow, Plan, PlanSource, SeedValue } from '../core/plan/types.js';
import { hanging, mdCell, mdText, padEnd, renderBoxTable, wrap } from './text.js';

export interface PlanTableOptions {
  color: boolean;
  /** Terminal width to fit (default 100). */
  width?: number;
}

const SYMBOL: Record<CellValue, string> = { yes: '✔', no: '✖', partial: '◐' };
const EMOJI: Record<SeedValue, string> = { yes: '✅', no: '❌', partial: '⚠️', unknown: '❓' };

const modeHeader = (m: Mode) => `${MODE_INFO[m].letter} ${m}`;
const modeLabel = (m: Mode) => `${m} (${MODE_INFO[m].letter})`;

/** Rows whose verdict differs from the seed note's matrix, per mode. */
function seedDiffs(plan: Plan): { row: MatrixRow; mode: Mode; seed: SeedValue }[] {
  const out: { row: MatrixRow; mode: Mode; seed: SeedValue }[] = [];
  for (const row of plan.matrix)
    for (const mode of MODES) {
      const seed = row.seed?.[mode];
      if (seed !== undefined && seed !== row.cells[mode].value) out.push({ row, mode, seed });
    }
  return out;
}

/** The plan as a terminal report: matrix table, reasons with sources, ranking, attempt order, blockers. */
export function renderPlanTable(plan: Plan, options: PlanTableOptions): string {
  const c = pc.createColors(options.color);
  const width = options.width ?? 100;
  const paint: Record<CellValue, (s: string) => string> = { yes: c.green, no: c.red, partial: c.yellow };
  const cell = (v: CellValue) => paint[v](`${SYMBOL[v]} ${v}`);
  const out: string[] = [];

  out.push(
    ...hanging(
      'tailbridge plan — ',
      `recommended: ${modeLabel(plan.recommended)}, ${MODE_INFO[plan.recommended].title}`,
      width,
    ).map((l) => c.bold(l)),
  );
  out.push(
    ...wrap(
      `priority: ${plan.priority} · * = required by this homelab (a ✖ there makes the mode unfit)`,
      width,
    ).map((l) => c.dim(l)),
  );
  out.push('');
  const header = ['Capability', ...MODES.map(modeHeader)].map((h) => c.bold(h));
  const body = plan.matrix.map((row) => [
    `${row.required ? '* ' : '  '}${row.label}`,
    ...MODES.map((m) => cell(row.cells[m].value)),
  ]);
  out.push(renderBoxTable([header, ...body], { width, border: c.dim }));

  out.push('', c.bold('Why'));
  const lead = Math.max(...MODES.map((m) => modeHeader(m).length));
  for (const row of plan.matrix) {
    out.push(`  ${c.bold(row.label)}${row.required ? c.dim(' (required)') : ''}`);
    for (const m of MODES) {
      const cl = row.cells[m];
      const seed = row.seed?.[m];
      const note = seed !== undefined && seed !== cl.value ? ` (seed note said: ${seed})` : '';
      const prefix = `    ${padEnd(modeHeader(m), lead)}  ${padEnd(`${SYMBOL[cl.value]} ${cl.value}`, 9)}  `;
      const lines = hanging(prefix, `${cl.reason}${note} [${cl.source}]`, width);
      // Colour only the verdict of the first line so wrapped text stays aligned.
      lines[0] = lines[0]!.replace(`${SYMBOL[cl.value]} ${cl.value}`, cell(cl.value));
      out.push(...lines);
    }
  }

  out.push('', c.bold('Ranking'));
  plan.ranking.forEach((e, i) => {
    const status = e.fit ? c.green('fit') : c.red('not fit');
    const head = `  ${i + 1}. ${padEnd(modeLabel(e.mode), 14)} ${String(e.score).padStart(3)}  `;
    out.push(`${head}${status}`);
    for (const r of e.unfitReasons) out.push(...hanging('       – ', r, width));
  });

  out.push('', c.bold('Attempt order'));
  plan.orderReasons.forEach((r, i) => {
    out.push(...hanging(`  ${i + 1}. `, r, width));
  });
  if (plan.dropped.length > 0) {
    out.push('', c.bold('Left out'));
    for (const d of plan.dropped) out.push(...hanging(`  · ${modeLabel(d.mode)}: `, d.reason, width));
  }

  out.push('', c.bold('Blockers'));
  if (plan.blockers.length === 0) out.push('  none found');
  for (const b of plan.blockers) {
    const mark = b.severity === 'blocks' ? c.red('✖ blocks') : c.yellow('⚠ warns ');
    const prefix = `  ${padEnd(b.mode, 9)} ${padEnd(b.severity === 'blocks' ? '✖ blocks' : '⚠ warns', 8)}  `;
    const lines = hanging(prefix, `${b.message} [${b.source}]`, width);
    lines[0] = lines[0]!.replace(b.severity === 'blocks' ? '✖ blocks' : '⚠ warns ', mark);
    out.push(...lines);
  }

  const diffs = seedDiffs(plan);
  if (diffs.length > 0) {
    out.push('', c.bold('Corrections to the seed note'));
    for (const d of diffs)
      out.push(
        ...hanging(
          '  · ',
          `${d.row.label} / ${d.mode}: seed said ${d.seed}, plan says ${d.row.cells[d.mode].value} [${d.row.cells[d.mode].source}]`,
          width,
        ),
      );
  }
  out.push('', ...hanging('Sources: ', [...usedSources(plan)].join(', '), width).map((l) => c.dim(l)));
  return `${out.join('\n')}\n`;
}

function usedSources(plan: Plan): Set<PlanSource> {
  const s = new Set<PlanSource>();
  for (const row of plan.matrix) for (const m of MODES) s.add(row.cells[m].source);
  for (const b of plan.blockers) s.add(b.source);
  return s;
}

function mdSource(source: PlanSource): string {
  if (source === 'measured') return 'measured by tailbridge';
  return `[${source}](${SOURCES[source].url})`;
}

const footnoteId = (row: MatrixRow, m: Mode) => `${row.id}-${MODE_INFO[m].letter}`;

/** The plan as Markdown: matrix with ✅/❌/⚠️ and footnoted reasons, ranking, attempt order, blockers. */
export function renderPlanMarkdown(plan: Plan): string {
  const out: string[] = [];
  out.push('# tailbridge plan', '');
  out.push(
    `**Recommended:** ${modeLabel(plan.recommended)} — ${mdText(MODE_INFO[plan.recommended].title)}  `,
    `**Priority:** ${plan.priority} · rows marked **(required)** must not be ❌ for a mode to be fit.`,
    '',
  );

  out.push('## Decision matrix', '');
  out.push(`| Capability | ${MODES.map(modeHeader).join(' | ')} |`);
  out.push(`| --- | ${MODES.map(() => ':---:').join(' | ')} |`);
  for (const row of plan.matrix) {
    const head = `${mdCell(row.label)}${row.required ? ' **(required)**' : ''}`;
    const cells = MODES.map(
      (m) => `${EMOJI[row.cells[m].value]} ${row.cells[m].value}[^${footnoteId(row, m)}]`,
    );
    out.push(`| ${head} | ${cells.join(' | ')} |`);
  }
  out.push(
    '',
    '✅ yes · ❌ no · ⚠️ partial. Rows not in the seed note: ' +
      plan.matrix
        .filter((r) => !r.inSeed)
        .map((r) => mdText(r.label))
        .join(', ') +
      '.',
    '',
  );

  out.push('## Ranking', '');
  out.push('| # | Mode | Score | Fit | Why not fit |', '| ---: | --- | ---: | :---: | --- |');
  plan.ranking.forEach((e, i) => {
    out.push(
      `| ${i + 1} | ${modeLabel(e.mode)} | ${e.score} | ${e.fit ? '✅' : '❌'} | ${e.unfitReasons.map(mdCell).join('<br>') || '—'} |`,
    );
  });
  out.push('');

  out.push('## Attempt order', '');
  plan.orderReasons.forEach((r, i) => {
    out.push(`${i + 1}. ${mdText(r)}`);
  });
  if (plan.dropped.length > 0) {
    out.push('', 'Left out:', '');
    for (const d of plan.dropped) out.push(`- **${modeLabel(d.mode)}**: ${mdText(d.reason)}`);
  }
  out.push('');

  out.push('## Blockers', '');
  if (plan.blockers.length === 0) out.push('None found.');
  for (const b of plan.blockers)
    out.push(
      `- ${b.severity === 'blocks' ? '⛔' : '⚠️'} **${b.mode}** — ${b.severity}: ${mdText(b.message)} (${mdSource(b.source)})`,
    );
  out.push('');

  const diffs = seedDiffs(plan);
  if (diffs.length > 0) {
    out.push('## Corrections to the seed note', '');
    for (const d of diffs) {
      const cl = d.row.cells[d.mode];
      out.push(
        `- **${mdText(d.row.label)}**, ${d.mode}: seed ${EMOJI[d.seed]} → ${EMOJI[cl.value]} ${cl.value} — ${mdText(cl.reason)} (${mdSource(cl.source)})`,
      );
    }
    out.push('');
  }

  out.push('## Reasons', '');
  for (const row of plan.matrix)
    for (const m of MODES) {
      const cl = row.cells[m];
      out.push(`[^${footnoteId(row, m)}]: **${cl.value}** — ${mdText(cl.reason)} (${mdSource(cl.source)})`);
    }
  return `${out.join('\n')}\n`;
}
