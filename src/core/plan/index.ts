export { findBlockers } from './blockers.js';
export {
  compareVersions,
  deriveEnvironment,
  type EnvironmentFacts,
  type ParentKind,
  resolveEnvironment,
} from './environment.js';
export { buildMatrix, CELL_SCORE, REQUIRED_WEIGHT, requiredRows } from './matrix.js';
export { planModes, rankModes, scoreMode } from './plan.js';
export * from './types.js';
