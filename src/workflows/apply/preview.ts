import type { Target } from '../../adapters/transaction/target.js';
import type { GuardFlag } from '../../core/identity/guard.js';
import type { Mode } from '../../core/model/modes.js';
import type { DockerEngine } from '../../core/ports/docker.js';
import type { FileChange } from '../file-changes.js';
import { applySteps, computeChanges } from './changes.js';
import { guardFor, identityLines } from './identity.js';

export interface ApplyPreview {
  changes: FileChange[];
  identity: { lines: string[]; refused: number };
  /** The numbered steps apply would take. */
  steps: string[];
}

/** What `apply --dry-run` shows: the change, the identity verdict and the steps; nothing is written. */
export async function previewApply(
  input: { target: Target; mode: Mode; allow: readonly GuardFlag[]; timeoutMs: number },
  engine: () => DockerEngine,
): Promise<ApplyPreview> {
  const changes = await computeChanges(input.target, input.mode);
  return {
    changes,
    identity: await dryRunIdentity(engine, input),
    steps: applySteps(input.target, input.mode, changes, input.timeoutMs),
  };
}

/** The identity lines of a dry run; a dry run also works where no Docker engine answers. */
async function dryRunIdentity(
  engine: () => DockerEngine,
  input: { target: Target; mode: Mode; allow: readonly GuardFlag[] },
): Promise<{ lines: string[]; refused: number }> {
  try {
    const e = engine();
    await e.ping();
    const v = await guardFor(e, input.target, input.mode, input.allow);
    return { lines: identityLines(v, input.target), refused: v?.refused.length ?? 0 };
  } catch (e) {
    return { lines: [`identity: not compared (${(e as Error).message.split('\n')[0]})`], refused: 0 };
  }
}
