import type { ContainerInfo, NetworkInfo } from '../ports/docker.js';
import type { ExpectedContainer, ExpectedNetwork } from './expectations.js';
import { type Check, fail, pass, skip } from './types.js';

const COMPOSE_NETWORK_LABEL = 'com.docker.compose.network';

/** Which of the container's networks is the expected one (external name, compose key, or `<project>_<key>`). */
export function matchNetwork(
  expected: ExpectedNetwork,
  container: ContainerInfo,
  networks: readonly NetworkInfo[],
): string | undefined {
  const names = Object.keys(container.networks);
  if (expected.name) return names.find((n) => n === expected.name);
  const byLabel = names.find(
    (n) => networks.find((x) => x.name === n)?.labels[COMPOSE_NETWORK_LABEL] === expected.key,
  );
  return byLabel ?? names.find((n) => n === expected.key || n.endsWith(`_${expected.key}`));
}

export interface ContainerEvidence {
  /** First inspect. undefined = no such container. */
  first?: ContainerInfo;
  /** Second inspect a few seconds later (restart detection). */
  second?: ContainerInfo;
  /** Seconds between the two inspects. */
  intervalSeconds: number;
  networks: readonly NetworkInfo[];
  /** The healthcheck run now through exec, while Docker's own first run is still pending. */
  healthNow?: { command: string[]; exitCode: number; output: string };
}

function describeState(c: ContainerInfo): string {
  return `state ${c.state}${c.exitCode !== undefined ? ` (exit code ${c.exitCode})` : ''}, restart count ${c.restartCount}`;
}

/** L1: the container as Docker sees it. */
export function evaluateContainer(exp: ExpectedContainer, ev: ContainerEvidence, prefix = ''): Check[] {
  const id = (s: string) => `${prefix}L1.${s}`;
  const name = exp.containerName;
  const c = ev.first;
  if (!c)
    return [
      fail(
        { id: id('exists'), layer: 'L1', title: `container ${name} exists` },
        `no container named ${name} (docker inspect: not found)`,
        `deploy it: tailbridge apply, or docker compose up -d ${exp.service}`,
      ),
    ];
  const checks: Check[] = [
    pass({ id: id('exists'), layer: 'L1', title: `container ${name} exists` }, `${c.name} (${c.image})`),
  ];
  const later = ev.second ?? c;
  const runningBase = { id: id('running'), layer: 'L1' as const, title: `${name} is running` };
  checks.push(
    later.state === 'running'
      ? pass(runningBase, `state running since ${later.startedAt ?? '?'}`)
      : fail(runningBase, describeState(later), `read why it stopped: docker logs --tail 50 ${name}`),
  );
  const restarted =
    c.state === 'restarting' ||
    later.state === 'restarting' ||
    later.restartCount > c.restartCount ||
    (c.startedAt !== undefined && later.startedAt !== undefined && c.startedAt !== later.startedAt);
  const restartBase = { id: id('not-restarting'), layer: 'L1' as const, title: `${name} is not restarting` };
  checks.push(
    restarted
      ? fail(
          restartBase,
          `restarted while watched: restart count ${c.restartCount} → ${later.restartCount}, state ${c.state} → ${later.state}`,
          `a crash loop: docker logs --tail 50 ${name} (containerboot exits when it cannot reach Running or loses it)`,
        )
      : pass(
          restartBase,
          `stable over ${ev.intervalSeconds}s: state ${later.state}, restart count ${later.restartCount}`,
        ),
  );
  const healthBase = {
    id: id('health'),
    layer: 'L1' as const,
    title: `${name} healthcheck`,
    source: 'containerboot-health' as const,
  };
  if (later.health === undefined)
    checks.push(
      skip(
        healthBase,
        'the container has no Docker healthcheck, so there is no health status to read',
        exp.healthcheck
          ? 'the generated compose defines one (wget /healthz with TS_ENABLE_HEALTH_CHECK=true) — the running container predates it: tailbridge apply'
          : undefined,
      ),
    );
  else if (later.health === 'healthy') checks.push(pass(healthBase, 'health status healthy'));
  else if (later.health === 'starting' && ev.healthNow?.exitCode === 0)
    checks.push(
      pass(
        healthBase,
        `health status starting (Docker has not run its first check yet); the same check run now: ${ev.healthNow.command.join(' ')}: exit 0`,
      ),
    );
  else
    checks.push(
      fail(
        healthBase,
        `health status ${later.health}${ev.healthNow ? `; the same check run now: ${ev.healthNow.command.join(' ')}: exit ${ev.healthNow.exitCode}${ev.healthNow.output ? ` (${ev.healthNow.output})` : ''}` : ''}`,
        later.health === 'starting'
          ? 'still in its start period; wait and re-run tailbridge verify'
          : `/healthz answers 503 until the node has a Tailscale IP: docker logs --tail 50 ${name}`,
      ),
    );
  checks.push(...evaluatePlacement(exp, later, ev.networks, id));
  return checks;
}

function evaluatePlacement(
  exp: ExpectedContainer,
  c: ContainerInfo,
  networks: readonly NetworkInfo[],
  id: (s: string) => string,
): Check[] {
  const checks: Check[] = [];
  if (exp.networkMode) {
    const base = { id: id('network-mode'), layer: 'L1' as const, title: `network_mode ${exp.networkMode}` };
    const actual = c.networkMode;
    const ok =
      actual === exp.networkMode ||
      (exp.networkMode.startsWith('service:') && actual.startsWith('container:'));
    checks.push(
      ok
        ? pass(base, `network mode ${actual}`)
        : fail(
            base,
            `network mode ${actual}`,
            'the running container does not match the mode: tailbridge apply',
          ),
    );
    return checks;
  }
  if (c.networkMode === 'host')
    checks.push(
      fail(
        { id: id('network-mode'), layer: 'L1', title: 'not on host networking' },
        'network mode host',
        'the container still runs with network_mode: host: tailbridge apply',
      ),
    );
  for (const n of exp.networks) {
    const label = n.name ?? n.key;
    const base = {
      id: id(`network:${label}`),
      layer: 'L1' as const,
      title: `on network ${label}${n.ipv4 ? ` with ${n.ipv4}` : ''}`,
    };
    const actual = matchNetwork(n, c, networks);
    if (!actual) {
      checks.push(
        fail(
          base,
          `not attached; attached to ${Object.keys(c.networks).join(', ') || 'nothing'}`,
          n.external
            ? `create or join it: docker network ls | grep ${label}; then tailbridge apply`
            : 'tailbridge apply (compose creates it)',
        ),
      );
      continue;
    }
    const ip = c.networks[actual]?.ipv4;
    const info = networks.find((x) => x.name === actual);
    if (n.driver && info && info.driver !== n.driver) {
      checks.push(fail(base, `${actual} has driver ${info.driver}, expected ${n.driver}`));
      continue;
    }
    if (n.ipv4 && ip !== n.ipv4) {
      checks.push(
        fail(
          base,
          `on ${actual} with ${ip ?? 'no IPv4'}, expected ${n.ipv4}`,
          'set ipv4_address in compose (tailbridge apply) and make sure the address is inside the network’s ip_range',
        ),
      );
      continue;
    }
    checks.push(
      pass(base, `on ${actual}${ip ? ` with ${ip}` : ''}${info ? ` (driver ${info.driver})` : ''}`),
    );
  }
  return checks;
}
