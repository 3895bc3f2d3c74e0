import { openDeployTarget } from '../../adapters/deploy/open.js';
import type { FaultHook } from '../../adapters/transaction/fault.js';
import { type HeldLock, takeStateLock } from '../../adapters/transaction/lock.js';
import type { Target } from '../../adapters/transaction/target.js';
import type { Progress } from '../../core/apply/progress.js';
import type { Verifier } from '../../core/apply/readiness.js';
import type { DeployTarget } from '../../core/deploy/target.js';
import type { ComposeRunner } from '../../core/ports/compose.js';
import type { DockerEngine } from '../../core/ports/docker.js';
import type { FileChange } from '../file-changes.js';

export const DEFAULT_TIMEOUT_S = 90;
export const DEFAULT_KEEP = 10;

/** What apply and rollback reach the world through. */
export interface ApplyPorts {
  engine: DockerEngine;
  /** The compose CLI; a promise, so finding it (~0.5 s for v1) overlaps with the first steps. */
  compose: Promise<ComposeRunner>;
  now: () => Date;
  fault: FaultHook;
  progress: Progress;
  /** One-line warnings (a stale lock, housekeeping problems). */
  warn: (line: string) => void;
  /**
   * Asked once the change is known and the node checked, before anything is written; false stops.
   * Undefined: confirmed up front (--yes).
   */
  confirm?: (changes: FileChange[]) => Promise<boolean>;
  settleMs?: number;
  pollMs?: number;
  /** Runs after the container is ready (default: the layered verify gate, or readiness for rollback). */
  verify?: Verifier;
}

/** The deploy target of this config (target: in tailbridge.yaml; default compose). */
export function deployTargetOf(
  target: Target,
  engine: DockerEngine,
  compose: ComposeRunner,
  timing: Pick<ApplyPorts, 'settleMs' | 'pollMs'>,
  project = target.project,
): DeployTarget {
  return openDeployTarget(
    target.loaded.config.target,
    {
      engine,
      compose,
      project,
      composeFile: target.composeFile,
      service: target.service,
      ...(timing.settleMs !== undefined ? { settleMs: timing.settleMs } : {}),
      ...(timing.pollMs !== undefined ? { pollMs: timing.pollMs } : {}),
    },
    { configDir: target.loaded.dir },
  );
}

export function takeLock(
  target: Target,
  command: string,
  ports: Pick<ApplyPorts, 'now' | 'warn'>,
): Promise<HeldLock> {
  return takeStateLock(target.stateDir, command, ports.now(), ports.warn);
}
