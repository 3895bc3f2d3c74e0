import type { FileResult } from '../engine.js';
import { formatJson } from './json.js';
import { formatSarif } from './sarif.js';
import { formatText } from './text.js';

export type LintFormat = 'text' | 'json' | 'sarif';

export function formatResults(
  results: readonly FileResult[],
  format: LintFormat,
  options: { color?: boolean; version?: string } = {},
): string {
  if (format === 'json') return formatJson(results);
  if (format === 'sarif') return formatSarif(results, options.version ? { version: options.version } : {});
  return formatText(results, options.color === undefined ? {} : { color: options.color });
}
