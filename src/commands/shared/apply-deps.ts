import type { FaultHook } from '../../adapters/transaction/fault.js';
import type { TxResult } from '../../adapters/transaction/run.js';
import type { Verifier } from '../../core/apply/readiness.js';
import type { ControlAccess } from '../../core/control/ports.js';
import type { ComposeRunner } from '../../core/ports/compose.js';
import type { DockerEngine } from '../../core/ports/docker.js';

/** What apply/rollback reach the world through; every field has a real default. */
export interface ApplyDeps {
  engine: DockerEngine;
  compose: ComposeRunner;
  /** Runs after the container is ready; the built-in one is a readiness check. */
  verify: Verifier;
  now: () => Date;
  confirm: (question: string) => Promise<boolean>;
  fault: FaultHook;
  settleMs?: number;
  pollMs?: number;
  /** Receives the transaction's outcome. */
  onResult?: (result: TxResult) => void;
  /** The control server's API for --approve-routes (default: from tailscale.control.api). */
  control?: ControlAccess;
}
