/**
 * A connection to the TrueNAS middleware: over the network (WebSocket, `ws-client.ts`) or on the NAS
 * itself (`midclt`, `midclt.ts`). Both run plain calls; jobs are followed the same way for both
 * (`jobs.ts`: a job method returns a job id, `core.get_jobs` tells its progress and end).
 */
export interface TrueNasApi {
  /** For messages: `wss://nas/api/current` or `midclt`. */
  readonly endpoint: string;
  call(method: string, params?: unknown[]): Promise<unknown>;
  close(): Promise<void>;
  /** False once the connection closed (a WebSocket); midclt is always usable. */
  readonly isOpen: boolean;
}

/** A middleware job as `core.get_jobs` returns it (TS-25.10.6 src/middlewared/middlewared/job.py `__encode__`). */
export interface JobEntry {
  id: number;
  method: string;
  state: 'WAITING' | 'RUNNING' | 'SUCCESS' | 'FAILED' | 'ABORTED';
  progress: { percent: number | null; description: string | null };
  result: unknown;
  error: string | null;
}

export interface JobProgress {
  jobId: number;
  percent: number | null;
  description: string;
}

export type JobOutcome =
  | { ok: true; jobId: number; result: unknown }
  | { ok: false; jobId: number; state: 'FAILED' | 'ABORTED'; error: string };
