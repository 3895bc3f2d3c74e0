import type { ContainerInfo, DockerEngine } from '../../adapters/ports.js';

/** What `apply` hands the verifier after the container is ready. */
export interface VerifyContext {
  phase: 'apply' | 'rollback';
  /** Mode applied (or `restore <id>`); for a rollback, the mode that failed. */
  mode: string;
  container: ContainerInfo;
  engine: DockerEngine;
  composeFile: string;
  service: string;
}

export interface VerifyOutcome {
  ok: boolean;
  /** One line: what passed, or the failing check. */
  summary: string;
  /** The verifier's full report (e.g. `VerifyReport`), kept for --json. */
  report?: unknown;
}

export type Verifier = (ctx: VerifyContext) => Promise<VerifyOutcome>;

/** The built-in verifier: the container is running, not restarting and, with a healthcheck, healthy. */
export const readinessVerify: Verifier = async (ctx) => {
  const c = (await ctx.engine.inspectContainer(ctx.container.id)) ?? ctx.container;
  const problem = notReady(c);
  return problem
    ? { ok: false, summary: `container ${c.name}: ${problem}` }
    : {
        ok: true,
        summary: `container ${c.name} running${c.health ? `, ${c.health}` : ''} (restarts: ${c.restartCount})`,
      };
};

function notReady(c: ContainerInfo): string | undefined {
  if (c.state === 'restarting') return `restarting (restarted ${c.restartCount} times)`;
  if (c.state !== 'running')
    return `${c.state}${c.exitCode !== undefined ? ` with exit code ${c.exitCode}` : ''}`;
  if (c.health && c.health !== 'healthy') return `health is ${c.health}`;
  return undefined;
}

export interface WaitOptions {
  engine: DockerEngine;
  /** Finds the container (it is recreated by compose, so the id changes). */
  locate: () => Promise<ContainerInfo | undefined>;
  timeoutMs: number;
  /** Without a healthcheck: how long it must stay running with no restart. */
  settleMs?: number;
  pollMs?: number;
  /** Ignore this container (the one before `compose up`). */
  notId?: string;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export type WaitResult =
  | { ok: true; container: ContainerInfo; waitedMs: number }
  | { ok: false; reason: string; container?: ContainerInfo; logs?: string };

/**
 * Waits until the container runs, is not restarting and (with a healthcheck) is healthy; without a
 * healthcheck it must stay up `settleMs`. Fails early when it exits, crash-loops or turns unhealthy,
 * and at the deadline. A failure carries the container's last log lines, secrets redacted.
 */
export async function waitForContainer(options: WaitOptions): Promise<WaitResult> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const settleMs = options.settleMs ?? 3_000;
  const pollMs = options.pollMs ?? 500;
  const start = now();
  const deadline = start + options.timeoutMs;
  let firstRestarts: number | undefined;
  let stable: { id: string; startedAt?: string; since: number } | undefined;
  let last: ContainerInfo | undefined;

  const fail = async (reason: string, c?: ContainerInfo): Promise<WaitResult> => {
    const logs = c ? await lastLogs(options.engine, c.id) : undefined;
    return { ok: false, reason, ...(c ? { container: c } : {}), ...(logs ? { logs } : {}) };
  };

  for (;;) {
    const found = await options.locate();
    const c = found && found.id !== options.notId ? found : undefined;
    last = c ?? last;
    if (c) {
      firstRestarts ??= c.restartCount;
      if (c.state === 'exited' || c.state === 'dead')
        return fail(
          `container ${c.name} exited${c.exitCode !== undefined ? ` with code ${c.exitCode}` : ''}`,
          c,
        );
      if (c.state === 'restarting' || c.restartCount > firstRestarts)
        return fail(`container ${c.name} is crash-looping (restarted ${c.restartCount} times)`, c);
      if (c.state === 'running') {
        if (c.health === 'unhealthy') return fail(`container ${c.name} is unhealthy`, c);
        if (c.health === 'healthy') return { ok: true, container: c, waitedMs: now() - start };
        if (c.health === undefined) {
          if (!stable || stable.id !== c.id || stable.startedAt !== c.startedAt)
            stable = { id: c.id, ...(c.startedAt ? { startedAt: c.startedAt } : {}), since: now() };
          else if (now() - stable.since >= settleMs)
            return { ok: true, container: c, waitedMs: now() - start };
        }
      }
    }
    if (now() >= deadline) {
      const seconds = Math.round(options.timeoutMs / 1000);
      if (!last) return fail(`no container for the service appeared within ${seconds} s`);
      const state = `${last.state}${last.health ? `, health ${last.health}` : ''}`;
      return fail(`container ${last.name} not ready within ${seconds} s (${state})`, last);
    }
    await sleep(pollMs);
  }
}

async function lastLogs(engine: DockerEngine, id: string, lines = 15): Promise<string | undefined> {
  try {
    const text = await engine.logs(id, { tail: 50 });
    const kept = redactSecrets(text).trimEnd().split('\n').slice(-lines).join('\n');
    return kept || undefined;
  } catch {
    return undefined;
  }
}

/** Removes auth keys, OAuth secrets and `KEY=value` credentials from log text. */
export function redactSecrets(text: string): string {
  return text
    .replace(/tskey-[A-Za-z0-9_-]+/g, 'tskey-…redacted')
    .replace(
      /\b([A-Z0-9_]*(?:AUTHKEY|AUTH_KEY|SECRET|PASSWORD|PASSWD|TOKEN|API_KEY|CLIENT_SECRET)[A-Z0-9_]*)(\s*[=:]\s*)("[^"]*"|'[^']*'|\S+)/gi,
      '$1$2…redacted',
    )
    .replace(/(authorization:\s*(?:bearer|basic)\s+)\S+/gi, '$1…redacted');
}
