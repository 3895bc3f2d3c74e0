export {
  computeDiscovery,
  defaultRoute,
  hostInterfaces,
  interfaceKind,
  networkOf,
  parentCandidates,
  suggestMacvlan,
} from './discover.js';
export { draftConfig } from './draft.js';
export { toEnvironmentFacts } from './environment.js';
export * from './types.js';
