/** tailbridge as a library: the pure core (model, plan, generate, compose editing) and the commands. */

export { main } from './cli/main.js';
export { unifiedDiff } from './core/compose/diff.js';
export type { ComposeEdit } from './core/compose/edits.js';
export {
  formatNote,
  type KeyPolicy,
  type MergeNote,
  type Reason,
  type ServicePolicy,
} from './core/compose/managed.js';
export { type MergeResult, mergeEdits } from './core/compose/merge.js';
export { validateCompose, validateComposeText } from './core/compose/validate.js';
export { type Fact, SOURCES, type SourceId } from './core/facts/sources.js';
export { GENERATORS, generate } from './core/generate/index.js';
export type { Generated, SideFile } from './core/generate/types.js';
export { Config, type HomelabConfig, type ServiceTarget } from './core/model/config.js';
export { EXAMPLE_CONFIG } from './core/model/example.js';
export { configJsonSchema } from './core/model/json-schema.js';
export { parseConfig } from './core/model/load.js';
export { MODE_INFO, MODES, type Mode } from './core/model/modes.js';
export type { Plan } from './core/plan/index.js';
export { planModes } from './core/plan/index.js';
export type { Problem } from './core/problem.js';
export { ExitCode, InputError, TailbridgeError } from './errors.js';
export { renderPlanMarkdown, renderPlanTable } from './render/plan.js';
