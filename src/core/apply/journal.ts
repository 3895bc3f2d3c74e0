import type { DeployTargetKind } from '../deploy/target.js';
import type { ComposeProject } from '../ports/compose.js';
import type { DockerSnapshot } from './cleanup.js';

/**
 * The apply journal's state machine (pure). The journal file is rewritten atomically at each step;
 * the order of side effects around it is what makes `tailbridge rollback` correct after a crash:
 *
 *   backup (history entry complete + fsynced)  →  journal `prepared`
 *   → validate  → journal `validated`
 *   → journal `writing`  → write file 1 … file n (each atomic)  → journal `written`
 *   → compose up  → journal `deployed`  → wait + verify  → journal `verified`
 *   → history `applied`  → journal removed.
 *
 * No user file is touched before the journal says `writing`, and the journal never points at a
 * backup that is not complete on disk. So a journal at `prepared`/`validated` means the files are
 * as they were; from `writing` on, any subset of the files may be new, and the restore (copy every
 * backed-up file back, delete the files that did not exist) is idempotent.
 */
export const APPLY_STEPS = ['prepared', 'validated', 'writing', 'written', 'deployed', 'verified'] as const;
export type ApplyStep = (typeof APPLY_STEPS)[number];
export const ROLLBACK_STEPS = ['rolling-back', 'restored', 'redeployed'] as const;
export type RollbackStep = (typeof ROLLBACK_STEPS)[number];
export type JournalStep = ApplyStep | RollbackStep;

const NEXT: Record<JournalStep, readonly JournalStep[]> = {
  prepared: ['validated', 'rolling-back'],
  validated: ['writing', 'rolling-back'],
  writing: ['written', 'rolling-back'],
  written: ['deployed', 'rolling-back'],
  deployed: ['verified', 'rolling-back'],
  verified: ['rolling-back'],
  // Re-entered when a rollback is itself interrupted and run again.
  'rolling-back': ['rolling-back', 'restored'],
  restored: ['redeployed', 'rolling-back'],
  redeployed: ['rolling-back'],
};

export interface JournalFile {
  /** Absolute path. */
  path: string;
  /** Relative to the compose directory (as in the history manifest). */
  rel: string;
  existed: boolean;
  /** Before: its copy is `<history entry>/files/<sha256>`. */
  sha256?: string;
  mode?: number;
  /** After: sha256 of the new content, or null when the operation deletes the file. */
  newSha256: string | null;
}

export interface PreviousContainerState {
  id: string;
  name: string;
  image: string;
  state: string;
  running: boolean;
  configHash?: string;
}

export interface Journal {
  version: 1;
  operation: 'apply' | 'restore';
  /** Mode applied, or `restore <history id>`. */
  mode: string;
  pid: number;
  startedAt: string;
  updatedAt: string;
  step: JournalStep;
  /** Furthest apply step reached (kept while rolling back: decides whether to redeploy). */
  reached: ApplyStep;
  steps: { step: JournalStep; at: string }[];
  composeFile: string;
  composeDir: string;
  project: ComposeProject;
  /** Compose service of the tailscale container. */
  service: string;
  historyId: string;
  files: JournalFile[];
  /** Directories the write step creates (removed again, when empty, by a rollback). */
  dirsCreated: string[];
  /** Scratch files (the staged copy for `compose config`) to delete on rollback. */
  scratch: string[];
  previous: PreviousContainerState | null;
  /** Every network and container name before the deploy: a rollback removes the project's others. */
  dockerBefore?: DockerSnapshot;
  /** The compose project name (labels of its containers and networks), or the TrueNAS app. */
  composeProject?: string;
  /** The deploy target, when it is not `compose`. */
  targetKind?: DeployTargetKind;
  /** What the deploy target saved of its deployed state in the history entry (TargetSnapshot.saved). */
  targetSaved?: { key: string; sha256: string }[];
  failure?: { step: string; message: string };
}

export type JournalInit = Omit<Journal, 'version' | 'step' | 'reached' | 'steps' | 'startedAt' | 'updatedAt'>;

export function startJournal(init: JournalInit, now: Date): Journal {
  const at = now.toISOString();
  return {
    version: 1,
    ...init,
    startedAt: at,
    updatedAt: at,
    step: 'prepared',
    reached: 'prepared',
    steps: [{ step: 'prepared', at }],
  };
}

export class JournalTransitionError extends Error {}

/** The journal after `step`; throws on a transition the state machine does not allow. */
export function advance(
  journal: Journal,
  step: JournalStep,
  now: Date,
  failure?: { step: string; message: string },
): Journal {
  if (!NEXT[journal.step].includes(step))
    throw new JournalTransitionError(`journal: cannot go from ${journal.step} to ${step}`);
  const at = now.toISOString();
  const isApply = (APPLY_STEPS as readonly string[]).includes(step);
  return {
    ...journal,
    step,
    reached: isApply ? (step as ApplyStep) : journal.reached,
    updatedAt: at,
    steps: [...journal.steps, { step, at }],
    ...(failure ? { failure } : {}),
  };
}

export function stepIndex(step: ApplyStep): number {
  return APPLY_STEPS.indexOf(step);
}

/** From `writing` on, any of the files may hold new content. */
export function filesMayHaveChanged(journal: Journal): boolean {
  return stepIndex(journal.reached) >= stepIndex('writing');
}

/** The containers may run the new configuration (or a half-applied one): redeploy the old. */
export function needsRedeploy(journal: Journal): boolean {
  return filesMayHaveChanged(journal);
}

/** Parses and checks a journal read from disk. */
export function parseJournal(text: string): Journal {
  const j = JSON.parse(text) as Journal;
  if (j?.version !== 1 || typeof j.step !== 'string' || !(j.step in NEXT) || !Array.isArray(j.files))
    throw new Error('not a tailbridge journal (version 1)');
  return j;
}

/** One line for humans: `apply userspace, interrupted at writing (pid 4242, 2026-…)`. */
export function describeJournal(j: Journal): string {
  const what = j.operation === 'apply' ? `apply --mode ${j.mode}` : j.mode;
  const where =
    j.step === 'rolling-back' || j.step === 'restored' ? `rolling back from ${j.reached}` : j.step;
  return `${what} started ${j.startedAt} by pid ${j.pid}, last step: ${where}`;
}
