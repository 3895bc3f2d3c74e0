import { MODE_INFO, type Mode } from '../model/modes.js';
import { allReportsByMode, decideCell, hostServices } from './evidence.js';
import { chosenMode } from './record.js';
import { redact } from './redact.js';
import type { MigrationRun } from './types.js';

const modeLabel = (m: Mode) => `${m} (${MODE_INFO[m].letter})`;
const oneLine = (s: string) => s.replace(/\s*\r?\n\s*/g, ' ');

/** The short dated outcome entry for the session notes file (Markdown, ends with a newline). */
export function sessionNoteEntry(run: MigrationRun, recordPath?: string): string {
  const chosen = chosenMode(run);
  const date = run.finishedAt.slice(0, 10);
  const head =
    run.final.state === 'migrated'
      ? `moved to ${modeLabel(chosen)}`
      : run.final.state === 'restored'
        ? `kept ${modeLabel(chosen)} (original restored)`
        : run.final.state === 'verified'
          ? `verified ${modeLabel(chosen)}`
          : `FAILED — run \`tailbridge rollback\``;
  const lines = [`## ${date} — tailscale network mode: ${head}`, ''];
  for (const p of run.phases.filter((x) => x.outcome !== 'skipped'))
    lines.push(`- ${modeLabel(p.mode)}: ${p.outcome} — ${oneLine(p.reason)}`);
  if (run.phases.length === 0 && run.final.verify)
    lines.push(
      `- ${modeLabel(run.final.verify.mode)}: verify ${run.final.verify.verdict} (${run.final.verify.summary.pass} passed, ${run.final.verify.summary.fail} failed, ${run.final.verify.summary.skip} skipped)`,
    );
  if (recordPath) lines.push(`- Decision record: ${recordPath}`);
  lines.push(`- By \`tailbridge ${run.kind}\` ${run.toolVersion}; details: \`tailbridge report\`.`);
  return redact(`${lines.join('\n')}\n`);
}

/**
 * `existing` (undefined = no notes file yet) with `entry` appended at the end, separated by a blank
 * line. Everything already in the file is kept byte for byte.
 */
export function appendSessionNote(existing: string | undefined, entry: string): string {
  const body = entry.endsWith('\n') ? entry : `${entry}\n`;
  if (existing === undefined || existing === '') return `# Session notes\n\n${body}`;
  const eol = existing.includes('\r\n') ? '\r\n' : '\n';
  const withEol = eol === '\r\n' ? body.replace(/\r?\n/g, '\r\n') : body;
  const sep = existing.endsWith(`${eol}${eol}`) ? '' : existing.endsWith(eol) ? eol : `${eol}${eol}`;
  return existing + sep + withEol;
}

/** The `## Results` section (heading included, ends with a newline) for the seed-style research note. */
export function resultsSection(run: MigrationRun, recordPath?: string): string {
  const chosen = chosenMode(run);
  const reports = allReportsByMode(run);
  const out = [
    '## Results',
    '',
    `_Written by \`tailbridge ${run.kind}\` on ${run.finishedAt.slice(0, 10)}; a later run replaces this section._`,
    '',
  ];
  if (run.phases.length > 0) {
    out.push('| Phase | Mode | Outcome | Why |', '| ---: | --- | --- | --- |');
    run.phases.forEach((p, i) => {
      out.push(
        `| ${i + 1} | ${modeLabel(p.mode)} | ${p.outcome} | ${oneLine(p.reason).replace(/\|/g, '\\|')} |`,
      );
    });
    out.push('');
  }
  const seedModes: Mode[] = ['userspace', 'macvlan', 'host'];
  out.push(
    'The decision matrix above, answered for this homelab (✅/❌ measured by verify, otherwise sourced):',
    '',
    '| Requirement | Userspace | macvlan | Host Mode |',
    '|-------------|-----------|---------|-----------|',
  );
  const emoji = { yes: '✅', no: '❌', partial: '⚠️' } as const;
  for (const row of run.plan.matrix.filter((r) => r.inSeed)) {
    const cells = seedModes.map((m) => {
      const v = decideCell(row, m, reports.get(m), { hostServices: hostServices(run.config) });
      const ids = (checks: { id: string }[]) =>
        `${checks[0]!.id}${checks.length > 1 ? ` +${checks.length - 1}` : ''}`;
      return v.kind === 'measured'
        ? `${emoji[v.value]} measured (${ids(v.checks)})`
        : v.kind === 'partly'
          ? `${emoji[v.cell.value]} partly measured (${ids(v.checks)}; ${v.short})`
          : `${emoji[v.cell.value]} ${v.cell.source}`;
    });
    out.push(`| ${row.label} | ${cells.join(' | ')} |`);
  }
  out.push('');
  const outcome =
    run.final.state === 'migrated'
      ? `**Outcome:** ${modeLabel(chosen)} passed verification and stays deployed.`
      : run.final.state === 'restored'
        ? `**Outcome:** no alternative passed; ${modeLabel(chosen)} was restored${run.final.verify?.verdict === 'pass' ? ' and verified' : run.final.verify ? ', but its verification failed' : ''}.`
        : run.final.state === 'verified'
          ? `**Outcome:** ${modeLabel(chosen)} verified in place.`
          : '**Outcome:** the run failed; run `tailbridge rollback`.';
  out.push(outcome);
  if (recordPath) out.push('', `Decision record: ${recordPath}`);
  return redact(`${out.join('\n')}\n`);
}

/** Byte ranges of fenced code blocks (``` or ~~~), so headings inside them are ignored. */
function headingLines(text: string): { start: number; level: number; title: string }[] {
  const out: { start: number; level: number; title: string }[] = [];
  let fence: string | undefined;
  let pos = 0;
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\r$/, '');
    const f = /^ {0,3}(`{3,}|~{3,})/.exec(line);
    if (f) {
      if (!fence) fence = f[1]![0]!.repeat(f[1]!.length);
      else if (line.trim().startsWith(fence)) fence = undefined;
    } else if (!fence) {
      const h = /^(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line);
      if (h) out.push({ start: pos, level: h[1]!.length, title: h[2]! });
    }
    pos += raw.length + 1;
  }
  return out;
}

/**
 * Adds or replaces the `## Results` section of a research note. The section runs from its heading
 * to the next heading of level 1 or 2 (or the end); every byte outside it is kept. Without one,
 * the section is appended at the end after a blank line. Line endings follow the file's.
 */
export function upsertResultsSection(note: string, section: string): string {
  const eol = note.includes('\r\n') ? '\r\n' : '\n';
  let body = section.endsWith('\n') ? section : `${section}\n`;
  if (eol === '\r\n') body = body.replace(/\r?\n/g, '\r\n');
  const headings = headingLines(note);
  const i = headings.findIndex((h) => h.level === 2 && /^Results\b/i.test(h.title));
  if (i < 0) {
    if (note === '') return body;
    const sep = note.endsWith(`${eol}${eol}`) ? '' : note.endsWith(eol) ? eol : `${eol}${eol}`;
    return note + sep + body;
  }
  const start = headings[i]!.start;
  const next = headings.slice(i + 1).find((h) => h.level <= 2);
  if (!next) return note.slice(0, start) + body;
  return `${note.slice(0, start)}${body}${eol}${note.slice(next.start)}`;
}
