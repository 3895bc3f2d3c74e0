import type { ExecResult } from '../../core/ports/exec.js';
import { TailbridgeError } from '../../errors.js';
import { runProcess } from '../process.js';
import type { TrueNasApi } from './api.js';

export type Runner = (command: string, args: readonly string[]) => Promise<ExecResult>;

/**
 * The middleware on the NAS itself, through `midclt call <method> <json args…>` (truenas/api_client
 * `truenas_api_client/__init__.py` `main`: each argument is parsed as JSON; an int or str result is
 * printed as is, anything else as JSON; a failed call prints its error on stderr and exits 1).
 * midclt talks to the middleware's local socket as the calling user, so no API key is needed.
 * Jobs are followed with `core.get_jobs` like over the network (`jobs.ts`).
 */
export function midcltApi(options: { command?: string; run?: Runner } = {}): TrueNasApi {
  const command = options.command ?? 'midclt';
  const run: Runner = options.run ?? ((c, a) => runProcess(c, a, { timeoutMs: 120_000 }));
  return {
    endpoint: command,
    async call(method, params = []) {
      const r = await run(command, ['call', method, ...params.map((p) => JSON.stringify(p))]);
      if (r.exitCode === 127)
        throw new TailbridgeError(`${command} not found: set target.url to reach the NAS over the network`);
      if (r.exitCode !== 0)
        throw new TailbridgeError(
          `${command} call ${method}: ${firstLine(r.stderr) || `exit ${r.exitCode}`}`,
        );
      return parseOutput(r.stdout);
    },
    async close() {},
    isOpen: true,
  };
}

/** midclt prints the error, then the server's traceback: the error is the line that matters. */
function firstLine(text: string): string {
  return (
    text
      .split(/\r?\n/)
      .map((l) => l.trim())
      .find(Boolean) ?? ''
  );
}

function parseOutput(stdout: string): unknown {
  const text = stdout.trim();
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** True when `midclt` is on PATH (init --discover's "is this a TrueNAS?"). */
export async function midcltAvailable(
  command = process.env.TAILBRIDGE_MIDCLT ?? 'midclt',
  run: Runner = (c, a) => runProcess(c, a, { timeoutMs: 10_000 }),
): Promise<boolean> {
  const r = await run(command, ['call', 'core.ping']);
  return r.exitCode === 0;
}
