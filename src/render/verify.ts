import { createColors } from 'picocolors';
import { type Check, LAYER_TITLES, LAYERS, type VerifyReport } from '../core/verify/types.js';
import { wrap } from './text.js';

const SYMBOL = { pass: '✔', fail: '✖', skip: '–' } as const;

/** Human checklist grouped by layer: symbol + title, the evidence under it, then the hint (fail/skip). */
export function renderVerifyText(
  report: VerifyReport,
  options: { color?: boolean; width?: number } = {},
): string {
  const c = createColors(options.color ?? false);
  const width = Math.max(60, options.width ?? 100);
  const paint = (ch: Check, s: string) =>
    ch.status === 'pass' ? c.green(s) : ch.status === 'fail' ? c.red(s) : c.dim(s);
  const out: string[] = [
    c.bold(`tailbridge verify — mode ${report.mode} (${report.modeSource}), container ${report.container}`),
  ];
  for (const layer of LAYERS) {
    const checks = report.checks.filter((ch) => ch.layer === layer);
    if (checks.length === 0) continue;
    out.push('', c.bold(`${layer} ${LAYER_TITLES[layer]}`));
    for (const ch of checks) {
      out.push(`  ${paint(ch, SYMBOL[ch.status])} ${ch.title}`);
      for (const l of wrap(ch.evidence, width - 6)) out.push(`      ${c.dim(l)}`);
      if (ch.hint && ch.status !== 'pass') {
        const [first, ...rest] = wrap(`${ch.status === 'fail' ? 'fix' : 'to run it'}: ${ch.hint}`, width - 6);
        out.push(`      ${c.yellow(first ?? '')}`);
        for (const l of rest) out.push(`        ${c.yellow(l)}`);
      }
    }
  }
  const s = report.summary;
  const seconds = (report.durationMs / 1000).toFixed(1);
  const counts = `${s.pass} passed, ${s.fail} failed, ${s.skip} skipped (${seconds}s)`;
  out.push(
    '',
    report.verdict === 'pass' ? c.green(`✔ verified: ${counts}`) : c.red(`✖ verification failed: ${counts}`),
  );
  return `${out.join('\n')}\n`;
}
