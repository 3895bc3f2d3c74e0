import type { ContainerInfo, DockerEngine } from '../ports/docker.js';
import { parseStatusJson } from '../verify/tailnet.js';

/** What `apply` hands the verifier after the container is ready. */
export interface VerifyContext {
  phase: 'apply' | 'rollback';
  /** Mode applied (or `restore <id>`); for a rollback, the mode that failed. */
  mode: string;
  container: ContainerInfo;
  engine: DockerEngine;
  composeFile: string;
  service: string;
  /** What the wait measured when it found the container ready (e.g. the healthcheck run through exec). */
  readiness?: string;
}

export interface VerifyOutcome {
  ok: boolean;
  /** One line: what passed, or the failing check. */
  summary: string;
  /** The verifier's full report (e.g. `VerifyReport`), kept for --json. */
  report?: unknown;
}

export type Verifier = (ctx: VerifyContext) => Promise<VerifyOutcome>;

/**
 * The built-in verifier: the container is running, not restarting and, with a healthcheck, healthy —
 * or, while Docker's first healthcheck is still pending, passing that same check run now.
 */
export const readinessVerify: Verifier = async (ctx) => {
  const c = (await ctx.engine.inspectContainer(ctx.container.id)) ?? ctx.container;
  let problem = notReady(c);
  let health = c.health;
  if (!problem && c.health === 'starting') {
    // The wait just ran the healthcheck itself; without that, run it now.
    const probed = ctx.readiness ? { ready: true, evidence: ctx.readiness } : await probeReady(ctx.engine, c);
    if (probed?.ready) health = 'healthy' as const;
    else problem = `health is starting${probed ? ` (${probed.evidence})` : ''}`;
  }
  return problem
    ? { ok: false, summary: `container ${c.name}: ${problem}` }
    : {
        ok: true,
        summary: `container ${c.name} running${health ? `, ${health}` : ''}${c.health === 'starting' ? ' (its healthcheck run now; Docker’s first run is still pending)' : ''} (restarts: ${c.restartCount})`,
      };
};

function notReady(c: ContainerInfo): string | undefined {
  if (c.state === 'restarting') return `restarting (restarted ${c.restartCount} times)`;
  if (c.state !== 'running')
    return `${c.state}${c.exitCode !== undefined ? ` with exit code ${c.exitCode}` : ''}`;
  if (c.health === 'unhealthy') return `health is ${c.health}`;
  return undefined;
}

/** The command Docker runs for a healthcheck test, to run it now through exec; undefined for none. */
export function healthcheckCommand(test: readonly string[] | undefined): string[] | undefined {
  if (!test || test.length < 2) return undefined;
  if (test[0] === 'CMD') return test.slice(1);
  if (test[0] === 'CMD-SHELL') return ['/bin/sh', '-c', test[1]!];
  return undefined;
}

export interface ReadyProbe {
  ready: boolean;
  /** One line: what was run and what it said. */
  evidence: string;
}

/**
 * Readiness measured directly instead of waiting for Docker's healthcheck interval (30 s for the
 * generated service): the container's own healthcheck command through exec (the /healthz endpoint),
 * or without a healthcheck `tailscale status --json` reaching BackendState Running. Undefined when
 * neither can run (no healthcheck and no tailscale CLI in the container).
 */
export async function probeReady(engine: DockerEngine, c: ContainerInfo): Promise<ReadyProbe | undefined> {
  const command = healthcheckCommand(c.healthcheckTest);
  try {
    if (command) {
      const r = await engine.exec(c.id, command, { timeoutMs: 5_000 });
      return { ready: r.exitCode === 0, evidence: `${command.join(' ')}: exit ${r.exitCode}` };
    }
    const r = await engine.exec(c.id, ['tailscale', 'status', '--json'], { timeoutMs: 5_000 });
    if (r.exitCode === 126 || r.exitCode === 127) return undefined;
    const st = parseStatusJson(r.stdout);
    if ('error' in st)
      return r.exitCode === 0
        ? undefined
        : { ready: false, evidence: `tailscale status: exit ${r.exitCode}` };
    return {
      ready: st.BackendState === 'Running',
      evidence: `tailscale status --json: BackendState ${st.BackendState ?? '(missing)'}`,
    };
  } catch {
    return undefined;
  }
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
  /** Readiness measured directly (default: {@link probeReady}); undefined result = cannot tell. */
  probe?: (c: ContainerInfo) => Promise<ReadyProbe | undefined>;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export type WaitResult =
  | { ok: true; container: ContainerInfo; waitedMs: number; evidence?: string }
  | { ok: false; reason: string; container?: ContainerInfo; logs?: string };

/**
 * Waits until the container runs, is not restarting and is ready: its healthcheck passes — run
 * directly through exec rather than waiting for Docker's interval — or, without a healthcheck,
 * tailscale reports BackendState Running (else it must stay up `settleMs`). Fails early when it
 * exits, crash-loops or turns unhealthy, and at the deadline. A failure carries the container's last
 * log lines, secrets redacted.
 */
export async function waitForContainer(options: WaitOptions): Promise<WaitResult> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const settleMs = options.settleMs ?? 3_000;
  const pollMs = options.pollMs ?? 250;
  const probe = options.probe ?? ((c: ContainerInfo) => probeReady(options.engine, c));
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
        const probed = await probe(c).catch(() => undefined);
        if (probed?.ready)
          return { ok: true, container: c, waitedMs: now() - start, evidence: probed.evidence };
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
