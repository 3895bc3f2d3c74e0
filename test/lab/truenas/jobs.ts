/**
 * TEST DOUBLE of the TrueNAS middleware: jobs. A job method returns its id at once (`legacy_jobs`);
 * `core.get_jobs` returns entries shaped like truenas/middleware TS-25.10.6
 * src/middlewared/middlewared/job.py `Job.__encode__` (state WAITING/RUNNING/SUCCESS/FAILED/ABORTED,
 * progress {percent, description, extra}, `error` = str(exception), arguments with secrets redacted as
 * `********`). Jobs with the same lock (app.update: `app_update_<app>`) run one after another.
 */
import { CallError, errname, ValidationErrors } from './rpc-server.js';

export interface JobRecord {
  id: number;
  method: string;
  arguments: unknown[];
  state: 'WAITING' | 'RUNNING' | 'SUCCESS' | 'FAILED' | 'ABORTED';
  progress: { percent: number | null; description: string | null; extra: null };
  result: unknown;
  error: string | null;
  exception: string | null;
  exc_info: { repr: string; type: string; errno: number | null; extra: unknown } | null;
  time_started: string | null;
  time_finished: string | null;
  abortable: boolean;
  transient: boolean;
  description: string | null;
}

export interface JobHandle {
  setProgress(percent: number, description: string): void;
}

export class Jobs {
  #next = 1;
  readonly all = new Map<number, JobRecord>();
  readonly #locks = new Map<string, Promise<unknown>>();
  /** Resolves when every running job has ended (the double's shutdown). */
  readonly running = new Set<Promise<unknown>>();

  start(
    method: string,
    redactedArgs: unknown[],
    lock: string,
    body: (job: JobHandle) => Promise<unknown>,
  ): number {
    const job: JobRecord = {
      id: this.#next++,
      method,
      arguments: redactedArgs,
      state: 'WAITING',
      progress: { percent: null, description: null, extra: null },
      result: null,
      error: null,
      exception: null,
      exc_info: null,
      time_started: null,
      time_finished: null,
      abortable: false,
      transient: false,
      description: null,
    };
    this.all.set(job.id, job);
    const previous = this.#locks.get(lock) ?? Promise.resolve();
    const run = previous.then(async () => {
      job.state = 'RUNNING';
      job.time_started = new Date().toISOString();
      try {
        job.result = await body({
          setProgress(percent, description) {
            job.progress = { percent, description, extra: null };
          },
        });
        job.state = 'SUCCESS';
      } catch (e) {
        job.state = 'FAILED';
        // str(exception): CallError prints `[ENAME] message` (service_exception.py CallException.__str__).
        job.error = e instanceof CallError ? `[${errname(e.errno)}] ${e.message}` : (e as Error).message;
        job.exception = `Traceback (most recent call last):\n  (test double)\n${(e as Error).message}`;
        job.exc_info = {
          repr: String(e),
          type: e instanceof ValidationErrors ? 'VALIDATION' : 'CallError',
          errno: (e as { errno?: number }).errno ?? null,
          extra: e instanceof ValidationErrors ? e.errors : null,
        };
      } finally {
        job.time_finished = new Date().toISOString();
      }
    });
    this.#locks.set(lock, run);
    this.running.add(run);
    void run.finally(() => this.running.delete(run));
    return job.id;
  }

  /** `core.get_jobs [filters]` with the `=` and `in` operators the clients use. */
  query(filters: unknown[]): JobRecord[] {
    return [...this.all.values()].filter((j) =>
      filters.every((f) => {
        const [field, op, value] = f as [keyof JobRecord, string, unknown];
        if (op === '=') return j[field] === value;
        if (op === 'in') return Array.isArray(value) && value.includes(j[field]);
        return true;
      }),
    );
  }
}
