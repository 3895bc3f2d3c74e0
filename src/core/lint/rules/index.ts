import type { Rule, RuleMeta } from '../rule.js';
import { forwardingSysctlsMissing } from './forwarding-sysctls-missing.js';
import { hostNetwork } from './host-network.js';
import { imageNotPinned } from './image-not-pinned.js';
import { kernelModeMissingNetAdmin } from './kernel-mode-missing-net-admin.js';
import { kernelModeMissingTun } from './kernel-mode-missing-tun.js';
import { META_RULES } from './meta.js';
import { PACK_AUTH_STATE } from './pack-auth-state.js';
import { PACK_CONTROL } from './pack-control.js';
import { PACK_CORPUS } from './pack-corpus.js';
import { PACK_NETWORKS } from './pack-networks.js';
import { PACK_SERVE_SIDECAR } from './pack-serve-sidecar.js';
import { sysctlsWithHostNetwork } from './sysctls-with-host-network.js';
import { tsUserspaceInvalidBool } from './ts-userspace-invalid-bool.js';
import { userspaceUnneededPrivileges } from './userspace-unneeded-privileges.js';

/** Every rule, in the order they run. Add new rules here (alphabetical within the list is fine). */
export const RULES: readonly Rule[] = [
  hostNetwork,
  kernelModeMissingTun,
  kernelModeMissingNetAdmin,
  forwardingSysctlsMissing,
  sysctlsWithHostNetwork,
  tsUserspaceInvalidBool,
  imageNotPinned,
  userspaceUnneededPrivileges,
  ...PACK_AUTH_STATE,
  ...PACK_SERVE_SIDECAR,
  ...PACK_NETWORKS,
  ...PACK_CONTROL,
  ...PACK_CORPUS,
];

/** Rules plus the engine's own finding kinds (schema, syntax, suppressions): what SARIF and suppressions know. */
export const ALL_RULE_META: readonly RuleMeta[] = [...META_RULES, ...RULES];

export function ruleMeta(id: string): RuleMeta | undefined {
  return ALL_RULE_META.find((r) => r.id === id);
}
