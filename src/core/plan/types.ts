import type { SourceId } from '../facts/sources.js';
import type { Mode } from '../model/modes.js';

/** Where a planner statement comes from: a SOURCES id, or a measurement made by tailbridge itself. */
export type PlanSource = SourceId | 'measured';

export type CellValue = 'yes' | 'no' | 'partial';

/** One matrix cell: a verdict, a one-line specific reason, and where the reason comes from. */
export interface Cell {
  value: CellValue;
  reason: string;
  source: PlanSource;
}

export const ROW_IDS = [
  'noHostMode',
  'subnetRouting',
  'dockerNetworking',
  'simpleSetup',
  'performance',
  'security',
  'reachAtTailscaleIp',
  'nonHttp',
  'hostAccess',
  'hostToTailnet',
  'exitNode',
  'statePersistence',
] as const;
export type RowId = (typeof ROW_IDS)[number];

/** The seed note's verdict for a cell (❓ = unknown); only for the rows and modes the seed has. */
export type SeedValue = CellValue | 'unknown';

export interface MatrixRow {
  id: RowId;
  label: string;
  /** Row comes from the user's research note (false = a row the note misses). */
  inSeed: boolean;
  /** A mode whose cell is "no" here is not fit. */
  required: boolean;
  /** Weight in the score (0 = not needed by this homelab). */
  weight: number;
  cells: Record<Mode, Cell>;
  /** What the seed note's decision matrix said, for the modes it covers. */
  seed?: Partial<Record<Mode, SeedValue>>;
}

export interface RankEntry {
  mode: Mode;
  /** 0–100, requirement- and priority-weighted (yes = 1, partial = ½, no = 0). */
  score: number;
  /** Meets every required row (no "no") and is not blocked by the environment. */
  fit: boolean;
  /** Why not fit: missed required rows and blocking environment findings. */
  unfitReasons: string[];
}

export interface Blocker {
  mode: Mode;
  message: string;
  severity: 'blocks' | 'warns';
  source: PlanSource;
}

export interface Dropped {
  mode: Mode;
  reason: string;
}

export type Priority = 'isolation' | 'balanced' | 'performance';

/** The planner's answer; JSON-serialisable (it is `tailbridge plan --json`). */
export interface Plan {
  priority: Priority;
  matrix: MatrixRow[];
  /** All modes, best score first. */
  ranking: RankEntry[];
  /** Modes to try, first to last; host (when not blocked) is always the last fallback. */
  order: Mode[];
  /** One line per entry of `order`, same index. */
  orderReasons: string[];
  /** Modes left out of `order`, with why. */
  dropped: Dropped[];
  blockers: Blocker[];
  recommended: Mode;
}
