import type { ConfigChoice } from '../adapters/config-file.js';
import { loadConfig } from '../adapters/config-file.js';
import type { Io } from '../cli/io.js';
import { planModes } from '../core/plan/index.js';
import { ExitCode } from '../errors.js';
import { renderPlanMarkdown, renderPlanTable } from '../render/plan.js';

export type PlanFormat = 'table' | 'md' | 'json';

export interface PlanOptions extends ConfigChoice {
  format?: PlanFormat;
  json?: boolean;
}

/** `tailbridge plan`: scores the modes and prints the decision matrix, order and blockers. */
export async function plan(options: PlanOptions, io: Io): Promise<number> {
  const loaded = await loadConfig(options, io.cwd);
  const result = planModes(loaded.config);
  const format: PlanFormat = options.json ? 'json' : (options.format ?? 'table');
  if (format === 'json') io.stdout(JSON.stringify(result, null, 2));
  else if (format === 'md') io.stdout(renderPlanMarkdown(result));
  else io.stdout(renderPlanTable(result, { color: io.color }));
  return ExitCode.ok;
}
