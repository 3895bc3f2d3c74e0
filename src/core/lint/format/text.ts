import { createColors } from 'picocolors';
import type { FileResult } from '../engine.js';
import { summarize } from './summary.js';

/**
 * Human output: findings grouped by file, one line each as `file:line:col  severity  message  rule-id`
 * (clickable in editors and terminals), then a summary line. Colored only when `color` is true.
 */
export function formatText(results: readonly FileResult[], options: { color?: boolean } = {}): string {
  const c = createColors(options.color ?? false);
  const blocks: string[] = [];
  for (const r of results) {
    if (r.findings.length === 0) continue;
    const lines = [c.underline(r.file)];
    for (const f of r.findings) {
      const sev =
        f.severity === 'error'
          ? c.red('error')
          : f.severity === 'warning'
            ? c.yellow('warning')
            : c.blue('info');
      lines.push(`${c.dim(`${r.file}:${f.line}:${f.column}`)}  ${sev}  ${f.message}  ${c.dim(f.ruleId)}`);
    }
    blocks.push(lines.join('\n'));
  }
  const s = summarize(results);
  const total = s.errors + s.warnings + s.infos;
  const files = `${s.files} file${s.files === 1 ? '' : 's'}`;
  let summary: string;
  if (total === 0) summary = c.green(`✔ no problems in ${files}`);
  else {
    const counts = `${total} problem${total === 1 ? '' : 's'} (${s.errors} error${s.errors === 1 ? '' : 's'}, ${s.warnings} warning${s.warnings === 1 ? '' : 's'}, ${s.infos} info) in ${files}`;
    summary = (s.errors > 0 ? c.red : c.yellow)(`✖ ${counts}`);
    if (s.fixable > 0) summary += `\n  ${s.fixable} fixable with --fix`;
  }
  blocks.push(summary);
  return `${blocks.join('\n\n')}\n`;
}
