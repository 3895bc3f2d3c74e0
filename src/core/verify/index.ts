export type { ContainerEvidence } from './container.js';
export { evaluateContainer, matchNetwork } from './container.js';
export { type ControlEvidence, evaluateControl } from './control.js';
export { detectMode } from './detect.js';
export {
  classifyTailscalePing,
  evaluateEndToEnd,
  L4_NOT_REQUESTED,
  type PingResult,
  skipEndToEnd,
  type TargetResult,
  tailscalePingArgs,
  type Vantage,
} from './end-to-end.js';
export * from './expectations.js';
export { evaluateNamespace, type MacvlanEvidence, type NamespaceEvidence } from './namespace.js';
export * from './probe-result.js';
export { evaluateRoutes } from './routes.js';
export { evaluateServe, type ServeEvidence, type ServeStatusJson } from './serve.js';
export * from './tailnet.js';
export * from './types.js';
