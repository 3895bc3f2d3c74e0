import type { HostProbe } from '../../adapters/probe.js';
import { healthcheckCommand, redactSecrets } from '../../core/apply/readiness.js';
import type { DockerEngine, NetworkInfo } from '../../core/ports/docker.js';
import type { ExecResult } from '../../core/ports/exec.js';
import type {
  ContainerEvidence,
  Expectations,
  ExpectedContainer,
  MacvlanEvidence,
  NamespaceEvidence,
  TailnetEvidence,
  TailscalePrefs,
} from '../../core/verify/index.js';
import type { VerifyDeps } from './deps.js';
import { defaultOnDockerHost, ncCommand, safeExec, sleep } from './exec.js';

export async function gatherContainer(
  engine: DockerEngine,
  c: ExpectedContainer,
  networks: NetworkInfo[],
  watchMs: number,
): Promise<ContainerEvidence> {
  const first = await engine.inspectContainer(c.containerName);
  if (!first) return { intervalSeconds: 0, networks };
  await sleep(watchMs);
  const second = (await engine.inspectContainer(c.containerName)) ?? first;
  const ev: ContainerEvidence = { first, second, intervalSeconds: Math.round(watchMs / 100) / 10, networks };
  // Docker runs the first healthcheck only after its interval (30 s for the generated service):
  // until then, run the same check now instead of reporting "starting".
  const command = second.health === 'starting' ? healthcheckCommand(second.healthcheckTest) : undefined;
  if (command) {
    const r = await safeExec(engine, c.containerName, command, 10_000);
    ev.healthNow = {
      command,
      exitCode: r.exitCode,
      output: redactSecrets(`${r.stdout}${r.stderr}`).trim().split('\n')[0] ?? '',
    };
  }
  return ev;
}

export async function gatherNamespace(
  deps: VerifyDeps,
  c: ExpectedContainer,
  exp: Expectations,
  ncSeconds: number,
  timeoutMs: number,
  hostProbe: HostProbe,
): Promise<NamespaceEvidence> {
  const { engine } = deps;
  const name = c.containerName;
  const run = (cmd: string[]) => safeExec(engine, name, cmd, ncSeconds * 1000 + 10_000);
  const ev: NamespaceEvidence = { sysctls: {}, services: {}, lan: {} };
  const jobs: Promise<unknown>[] = [];
  if (c.needsTun) jobs.push(run(['test', '-c', '/dev/net/tun']).then((r) => (ev.tun = r)));
  for (const p of c.forwarding) jobs.push(run(['cat', p]).then((r) => (ev.sysctls[p] = r)));
  for (const s of c.services)
    jobs.push(
      (async () => {
        const dns = s.resolve ? await run(['nslookup', s.host]) : undefined;
        const tcp = await run(ncCommand(s.host, s.port, ncSeconds));
        ev.services[s.name] = { ...(dns ? { dns } : {}), tcp };
      })(),
    );
  for (const t of c.lanTargets)
    jobs.push(
      (async () => {
        const attempts: { port: number; result: ExecResult }[] = [];
        for (const port of t.ports) {
          const result = await run(ncCommand(t.address, port, ncSeconds));
          attempts.push({ port, result });
          const out = `${result.stderr}`;
          if (result.exitCode === 0 || (t.require === 'reachable' && /refused/i.test(out))) break;
        }
        ev.lan[t.id] = attempts;
      })(),
    );
  await Promise.all(jobs);
  if (c.macvlan) ev.macvlan = await gatherMacvlan(deps, c, exp.hostAddress, ncSeconds, timeoutMs, hostProbe);
  return ev;
}

export async function gatherMacvlan(
  deps: VerifyDeps,
  c: ExpectedContainer,
  hostAddress: string,
  ncSeconds: number,
  timeoutMs: number,
  hostProbe: HostProbe,
): Promise<MacvlanEvidence> {
  const onDockerHost = deps.onDockerHost ?? defaultOnDockerHost();
  if (!onDockerHost) return { onDockerHost };
  const m = c.macvlan!;
  const shimPresent = await hostProbe.interfaceExists(m.shimName);
  const routeDevice = await hostProbe.routeDevice(m.address);
  const hostToContainer = await hostProbe.tcp(m.address, 9, timeoutMs);
  const listener = await hostProbe.listen();
  try {
    const containerToHost = await safeExec(
      deps.engine,
      c.containerName,
      ncCommand(hostAddress, listener.port, ncSeconds),
      ncSeconds * 1000 + 10_000,
    );
    return {
      onDockerHost,
      hostToContainer,
      containerToHost,
      listenerPort: listener.port,
      listenerAccepted: listener.accepted(),
      ...(shimPresent === undefined ? {} : { shimPresent }),
      ...(routeDevice === undefined ? {} : { routeDevice }),
    };
  } finally {
    await listener.close();
  }
}

export async function gatherTailnet(engine: DockerEngine, c: ExpectedContainer): Promise<TailnetEvidence> {
  const status = await safeExec(engine, c.containerName, ['tailscale', 'status', '--json']);
  const ev: TailnetEvidence = { status };
  const prefs = await safeExec(engine, c.containerName, ['tailscale', 'debug', 'prefs']);
  if (prefs.exitCode === 0)
    try {
      ev.prefs = JSON.parse(prefs.stdout) as TailscalePrefs;
    } catch {}
  if (c.serve.length > 0)
    ev.serve = await safeExec(engine, c.containerName, ['tailscale', 'serve', 'status', '--json']);
  return ev;
}
