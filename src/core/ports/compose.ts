/**
 * The compose CLI (`docker compose` v2, else `docker-compose` v1) for one project. Implemented in
 * adapters/docker/compose.ts.
 */
import type { ExecResult } from './exec.js';

export interface ComposeProject {
  /** Compose files, absolute. */
  files: string[];
  /** Working directory (relative paths in the files resolve against it). */
  cwd: string;
  /** -p; defaults to compose's own rule (directory name). */
  projectName?: string;
}

export interface ComposeRunner {
  flavor: 'v2' | 'v1';
  /** `compose version --short` (found in the background; v1 is slow to start). */
  version(): Promise<string>;
  /** `compose config -q`: the engine-side validation of the merged files. */
  validate(project: ComposeProject): Promise<{ ok: boolean; message: string }>;
  up(
    project: ComposeProject,
    options?: { services?: string[]; forceRecreate?: boolean; removeOrphans?: boolean },
  ): Promise<ExecResult>;
  down(project: ComposeProject): Promise<ExecResult>;
}
