import type { HomelabConfig } from '../model/config.js';
import type { Mode } from '../model/modes.js';
import type { EnvironmentFacts, Plan, PlanSource } from '../plan/index.js';
import type { VerifyReport } from '../verify/types.js';

/** What blocked or warned about a mode before it was applied (no free LAN address, Wi-Fi parent, no tun…). */
export interface PreflightFinding {
  message: string;
  severity: 'blocks' | 'warns';
  source: PlanSource;
}

/** One stage of `tailbridge migrate`: preflight, backup, apply, verify, keep or roll back. */
export interface PhaseResult {
  mode: Mode;
  /** ISO 8601. */
  startedAt: string;
  durationMs: number;
  preflight: { blockers: PreflightFinding[] };
  /**
   * passed: verified and kept (or superseded by nothing — migrate stops at the first pass);
   * failed: applied, verification failed, rolled back; blocked: preflight stopped it before apply;
   * skipped: not run (an earlier phase passed, or --modes left it out).
   */
  outcome: 'passed' | 'failed' | 'blocked' | 'skipped';
  /**
   * apply: the mode's compose changes were applied (and rolled back on failure); keep-original: the
   * original file already runs this mode, so it was kept as it is and only verified.
   */
  kind?: 'apply' | 'keep-original';
  /** One line: why it passed, failed, was blocked or skipped. */
  reason: string;
  verify?: VerifyReport;
  rolledBack: boolean;
  /** History entry (`tailbridge history`) holding the files as they were before this phase. */
  backupId?: string;
}

export type FinalState = 'migrated' | 'restored' | 'verified' | 'failed';

/**
 * Everything one `tailbridge migrate` (or `tailbridge verify`) run decided and measured; saved as JSON
 * under `<compose dir>/.tailbridge/runs/` and rendered by `tailbridge report`. JSON-serialisable.
 * Holds no secret values: the config only names the files that hold them.
 */
export interface MigrationRun {
  kind: 'migrate' | 'verify';
  /** ISO 8601. */
  startedAt: string;
  finishedAt: string;
  /** tailbridge version that produced the run. */
  toolVersion: string;
  /** Config file as the user gave it. */
  configFile: string;
  /** Compose file, relative to the config file's directory (or as given with --compose). */
  composeFile: string;
  config: HomelabConfig;
  environment: EnvironmentFacts;
  plan: Plan;
  /** In the order they ran; empty for a verify run. */
  phases: PhaseResult[];
  final: {
    state: FinalState;
    /** The mode deployed at the end (the passing mode, or the original when restored). */
    mode?: Mode;
    /** The last verification of what is deployed at the end. */
    verify?: VerifyReport;
  };
  /** The mode deployed before the run (usually host). */
  originalMode?: Mode;
  /** The image the tailscale container ran before the run (the config may pin another). */
  originalImage?: string;
  rollback: {
    /** Exact commands to return to the configuration before the run. */
    commands: string[];
    /** The history copy of the original compose file (optional; the record falls back to the manifest). */
    original?: {
      historyId: string;
      /** Path of the copy, relative to the compose file's directory (`.tailbridge/history/<id>/files/<sha256>`). */
      copy?: string;
    };
  };
  /** Set once the decision record has been written (by writeRecordAndNotes), so `report` reuses its number. */
  record?: { path: string; number: number };
}
