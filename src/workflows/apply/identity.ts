import { identityVerdict } from '../../adapters/node-identity.js';
import type { Target } from '../../adapters/transaction/target.js';
import { describeGuard, type GuardFlag, type GuardVerdict } from '../../core/identity/guard.js';
import type { Mode } from '../../core/model/modes.js';
import type { DockerEngine } from '../../core/ports/docker.js';

/** Sidecar mode leaves the main tailscale service as it is; every other mode replaces it. */
export async function guardFor(
  engine: DockerEngine,
  target: Target,
  mode: Mode,
  allow: readonly GuardFlag[],
): Promise<GuardVerdict | undefined> {
  if (mode === 'sidecar') return undefined;
  return identityVerdict(engine, target.project, target.loaded.config, allow);
}

export function identityLines(v: GuardVerdict | undefined, target: Target): string[] {
  return v
    ? describeGuard(v, target.loaded.config.tailscale.containerName)
    : [`identity: sidecar mode leaves ${target.service} as it is`];
}
