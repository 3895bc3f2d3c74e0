export type { ContainerEvidence } from './container.js';
export { evaluateContainer, matchNetwork } from './container.js';
export { detectMode } from './detect.js';
export {
  evaluateEndToEnd,
  L4_NOT_REQUESTED,
  skipEndToEnd,
  type TargetResult,
  type Vantage,
} from './end-to-end.js';
export * from './expectations.js';
export { evaluateNamespace, type MacvlanEvidence, type NamespaceEvidence } from './namespace.js';
export * from './probe-result.js';
export { renderVerifyText } from './render.js';
export * from './tailnet.js';
export * from './types.js';
