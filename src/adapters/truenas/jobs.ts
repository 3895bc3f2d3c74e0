import { TailbridgeError } from '../../errors.js';
import type { JobEntry, JobOutcome, JobProgress, TrueNasApi } from './api.js';
import { oneLine } from './jsonrpc.js';

export interface FollowOptions {
  onProgress?: (p: JobProgress) => void;
  pollMs?: number;
  /** The middleware gives compose 1200 s (plugins/apps/compose_utils.py); tailbridge waits a little longer. */
  timeoutMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * Starts a job method and follows it to its end by polling `core.get_jobs [["id","=",N]]`
 * (the research note's "Jobs"; `legacy_jobs` is the default, so the call returns the job id).
 * Progress is reported whenever percent or description change.
 */
export async function runJob(
  api: TrueNasApi,
  method: string,
  params: unknown[],
  options: FollowOptions = {},
): Promise<JobOutcome> {
  const id = await api.call(method, params);
  if (typeof id !== 'number')
    throw new TailbridgeError(`TrueNAS API ${api.endpoint}: ${method} did not return a job id`);
  return followJob(api, id, options);
}

export async function followJob(
  api: TrueNasApi,
  jobId: number,
  options: FollowOptions = {},
): Promise<JobOutcome> {
  const pollMs = options.pollMs ?? 300;
  const deadline = Date.now() + (options.timeoutMs ?? 1_260_000);
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  let last = '';
  for (;;) {
    const job = await getJob(api, jobId);
    const key = `${job.progress.percent}|${job.progress.description}`;
    if (key !== last) {
      last = key;
      options.onProgress?.({
        jobId,
        percent: job.progress.percent,
        description: job.progress.description ?? job.state.toLowerCase(),
      });
    }
    if (job.state === 'SUCCESS') return { ok: true, jobId, result: job.result };
    if (job.state === 'FAILED' || job.state === 'ABORTED')
      return { ok: false, jobId, state: job.state, error: oneLine(job.error ?? job.state.toLowerCase()) };
    if (Date.now() > deadline)
      throw new TailbridgeError(
        `TrueNAS API ${api.endpoint}: job ${jobId} (${job.method}) is still ${job.state.toLowerCase()} after ${Math.round((options.timeoutMs ?? 1_260_000) / 1000)} s`,
      );
    await sleep(pollMs);
  }
}

async function getJob(api: TrueNasApi, jobId: number): Promise<JobEntry> {
  const jobs = await api.call('core.get_jobs', [[['id', '=', jobId]]]);
  const job = Array.isArray(jobs) ? (jobs[0] as JobEntry | undefined) : undefined;
  if (!job)
    throw new TailbridgeError(`TrueNAS API ${api.endpoint}: job ${jobId} is unknown to core.get_jobs`);
  return job;
}
