import { controlAccess } from '../../adapters/control/open.js';
import { localHostProbe } from '../../adapters/probe.js';
import { identityFromStatus } from '../../core/control/find-node.js';
import type { ControlAccess } from '../../core/control/ports.js';
import { MODES } from '../../core/model/modes.js';
import type { ContainerInfo, NetworkInfo } from '../../core/ports/docker.js';
import {
  type Check,
  detectMode,
  evaluateContainer,
  evaluateNamespace,
  evaluateTailnet,
  expectations,
  L4_NOT_REQUESTED,
  parseStatusJson,
  skip,
  skipEndToEnd,
  summarize,
  type TailscaleStatus,
  type VerifyReport,
  verdictOf,
} from '../../core/verify/index.js';
import { TailbridgeError } from '../../errors.js';
import { controlEvidence } from '../../workflows/control.js';
import type { RunVerifyOptions, VerifyDeps } from './deps.js';
import { fromTailnetEndToEnd } from './from-tailnet.js';
import { gatherContainer, gatherNamespace, gatherTailnet } from './gather.js';
import { probeEndToEnd } from './probe-end-to-end.js';

/**
 * Runs every check against the real engine and returns the report. Throws TailbridgeError only when it
 * cannot run at all (engine unreachable without --from-tailnet, unusable config for the mode); a
 * missing or stopped container is a failed check, not an error.
 */
export async function verifyDeployment(deps: VerifyDeps, options: RunVerifyOptions): Promise<VerifyReport> {
  const started = Date.now();
  const startedAt = new Date(started).toISOString();
  const progress = options.onProgress ?? (() => {});
  const hostProbe = deps.hostProbe ?? localHostProbe;
  const timeoutMs = options.connectTimeoutMs ?? 2000;
  const ncSeconds = Math.max(1, Math.round(timeoutMs / 1000));
  const { config } = options;
  const checks: Check[] = [];

  let engineUp = true;
  try {
    await deps.engine.ping();
  } catch (e) {
    if (!options.fromTailnet) throw e;
    engineUp = false;
  }

  // Mode: given, or detected from the running tailscale container.
  let mode = options.mode;
  let modeSource: VerifyReport['modeSource'] = 'option';
  let networks: NetworkInfo[] = [];
  let main: ContainerInfo | undefined;
  if (engineUp) {
    networks = await deps.engine.listNetworks();
    main = await deps.engine.inspectContainer(config.tailscale.containerName);
  }
  if (!mode) {
    modeSource = 'detected';
    const detected = main ? detectMode(main, networks) : undefined;
    if (!detected?.mode) {
      const why = main
        ? `could not tell the mode of ${main.name}: ${detected?.reason}`
        : engineUp
          ? `no container named ${config.tailscale.containerName} to detect the mode from`
          : 'no Docker engine here to detect the mode from';
      throw new TailbridgeError(`${why}; pass --mode (${MODES.join(' | ')})`);
    }
    mode = detected.mode;
  }
  const exp = expectations(config, mode);
  const multi = exp.containers.length > 1;
  let access: Promise<ControlAccess> | undefined;
  const control = () =>
    (access ??= deps.control
      ? Promise.resolve(deps.control)
      : controlAccess(config, {
          configDir: options.configDir,
          ...(options.userAgent ? { userAgent: options.userAgent } : {}),
        }));
  const statuses: Record<string, TailscaleStatus | undefined> = {};

  if (!engineUp) {
    const why =
      'no Docker engine reachable from here (running on a tailnet device): container-side checks run on the Docker host';
    for (const c of exp.containers) {
      const p = multi ? `${c.containerName}/` : '';
      checks.push(
        skip({ id: `${p}L1.exists`, layer: 'L1', title: `container ${c.containerName} exists` }, why),
        skip({ id: `${p}L2.namespace`, layer: 'L2', title: 'network namespace checks' }, why),
        skip({ id: `${p}L3.backend`, layer: 'L3', title: 'BackendState is Running' }, why),
      );
    }
  } else {
    for (const c of exp.containers) {
      const prefix = multi ? `${c.containerName}/` : '';
      progress(`L1 ${c.containerName}: inspecting (watching for restarts)`);
      const ev = await gatherContainer(deps.engine, c, networks, options.restartWatchMs ?? 3000);
      const l1 = evaluateContainer(c, ev, prefix);
      checks.push(...l1);
      const running = ev.second?.state === 'running';
      if (!running) {
        const why = ev.first
          ? `the container is ${ev.second?.state ?? ev.first.state}, so nothing can run inside it`
          : 'the container does not exist';
        checks.push(
          skip({ id: `${prefix}L2.namespace`, layer: 'L2', title: 'network namespace checks' }, why),
          skip({ id: `${prefix}L3.backend`, layer: 'L3', title: 'BackendState is Running' }, why),
        );
        continue;
      }
      progress(`L2 ${c.containerName}: DNS, TCP and LAN checks from inside the container`);
      const ns = await gatherNamespace(deps, c, exp, ncSeconds, timeoutMs, hostProbe);
      checks.push(...evaluateNamespace(c, ns, { hostAddress: exp.hostAddress }, prefix));
      progress(`L3 ${c.containerName}: tailscale status`);
      const tn = await gatherTailnet(deps.engine, c);
      const st = tn.status ? parseStatusJson(tn.status.stdout) : undefined;
      statuses[c.hostname] = st && !('error' in st) ? st : undefined;
      if (c.routes.length > 0 || c.exitNode) {
        progress(`L3 ${c.containerName}: reading the control server`);
        tn.control = await controlEvidence(
          c.control.kind,
          await control(),
          identityFromStatus(statuses[c.hostname], c.hostname),
        );
      }
      checks.push(...evaluateTailnet(c, tn, prefix));
    }
  }

  // L4
  if (options.probe && engineUp) {
    progress('L4: starting the probe container');
    checks.push(...(await probeEndToEnd(deps, options, exp, statuses, timeoutMs, hostProbe, progress)));
  } else if (options.fromTailnet) {
    progress('L4: dialing the targets from this device');
    checks.push(...(await fromTailnetEndToEnd(deps, options, exp, statuses, timeoutMs, hostProbe)));
  } else if (options.probe)
    checks.push(
      ...skipEndToEnd(
        exp.tailnetTargets,
        'the probe container needs the Docker engine, which is not reachable',
      ),
    );
  else checks.push(...skipEndToEnd(exp.tailnetTargets, L4_NOT_REQUESTED, 'tailbridge verify --probe'));

  return {
    mode,
    modeSource,
    container: exp.containers.map((c) => c.containerName).join(', '),
    startedAt,
    durationMs: Date.now() - started,
    checks,
    verdict: verdictOf(checks),
    summary: summarize(checks),
  };
}
