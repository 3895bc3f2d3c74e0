import type { Target } from '../../adapters/transaction/target.js';
import type { Progress } from '../../core/apply/progress.js';
import type { ControlAccess } from '../../core/control/ports.js';
import type { GuardFlag } from '../../core/identity/guard.js';
import type { Mode } from '../../core/model/modes.js';
import type { EnvironmentFacts } from '../../core/plan/index.js';
import type { ComposeRunner } from '../../core/ports/compose.js';
import type { DockerEngine } from '../../core/ports/docker.js';
import type { PhaseResult } from '../../core/report/types.js';
import type { ApplyOutcome } from '../apply/apply-mode.js';
import type { RollbackOutcome, RollbackPorts } from '../rollback/rollback.js';

export interface MigrateInput {
  target: Target;
  /** Modes to try, in order (default: the plan's attempt order). */
  modes?: Mode[];
  /** Seconds each phase waits for its container (default 90). */
  timeoutS: number;
  probe: boolean;
  allow: readonly GuardFlag[];
  /** As for apply: deploy over a target whose compose differs from the local file. */
  overwriteDrift?: boolean;
  /** Recorded in the run. */
  toolVersion: string;
  /** --approve-routes: the control server's API, approved before each phase's gate. */
  approval?: ControlAccess;
}

/** What migrate tells its caller while it runs (the command renders these). */
export type MigrateEvent =
  | { kind: 'interrupted' }
  | { kind: 'phase'; index: number; total: number; mode: Mode }
  | { kind: 'preflight'; blocks: boolean; message: string }
  | { kind: 'approval'; line: string }
  | { kind: 'apply'; outcome: ApplyOutcome }
  | { kind: 'phase-result'; result: PhaseResult }
  | { kind: 'verify-original' }
  | { kind: 'rollback'; outcome: RollbackOutcome }
  | { kind: 'rollback-error'; message: string };

export interface MigratePorts {
  engine: DockerEngine;
  compose: () => Promise<ComposeRunner>;
  /** Observed environment for the planner (default: `discover` on this host). */
  environment?: () => Promise<EnvironmentFacts>;
  /** Registers the Ctrl-C handler; returns its remover. */
  onInterrupt: (handler: () => void) => () => void;
  now: () => Date;
  events: (event: MigrateEvent) => void;
  /** Progress of one phase's apply (7 steps), and its warnings. */
  phaseProgress: () => Progress;
  phaseWarn: (line: string) => void;
  /** How the rollback after an interrupt reports (as `tailbridge rollback` would). */
  rollback: Pick<RollbackPorts, 'progress' | 'events' | 'warn'>;
}
