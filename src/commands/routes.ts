import { type ConfigChoice, type LoadedConfig, loadConfig } from '../adapters/config-file.js';
import { controlAccess } from '../adapters/control/open.js';
import { DockerodeEngine } from '../adapters/docker/engine.js';
import { ttyConfirm } from '../adapters/transaction/target.js';
import type { Io } from '../cli/io.js';
import { VERSION } from '../cli/version.js';
import { identityFromStatus, type NodeIdentity } from '../core/control/find-node.js';
import type { ControlAccess } from '../core/control/ports.js';
import type { NodeSelfView } from '../core/control/routes.js';
import { CONTROL_LABEL } from '../core/control/server.js';
import { controlKindOf } from '../core/model/config.js';
import type { DockerEngine } from '../core/ports/docker.js';
import { parseStatusJson } from '../core/verify/tailnet.js';
import { ExitCode, TailbridgeError } from '../errors.js';
import { renderApprovalPlan, renderPolicy, renderRoutesReport, renderRouteTable } from '../render/routes.js';
import { approveNodeRoutes, lookUpNode, type NodeOnControl, routesReport } from '../workflows/control.js';

export interface RoutesOptions extends ConfigChoice {
  json?: boolean;
}

export interface ApproveOptions extends RoutesOptions {
  /** Approve without asking (scripts); without it a terminal must be there to ask on. */
  yes?: boolean;
}

export interface RoutesDeps {
  engine?: DockerEngine;
  control?: ControlAccess;
  confirm?: (question: string) => Promise<boolean>;
}

/** Who the node is, from its own container when it can be asked; else by name only. */
async function identify(
  loaded: LoadedConfig,
  engine: DockerEngine,
): Promise<{ who: NodeIdentity; self?: NodeSelfView; note?: string }> {
  const ts = loaded.config.tailscale;
  const byName = (why: string) => ({ who: { hostname: ts.hostname }, note: `${why}: matched by name` });
  try {
    const r = await engine.exec(ts.containerName, ['tailscale', 'status', '--json'], { timeoutMs: 15_000 });
    const st = r.stdout.includes('{') ? parseStatusJson(r.stdout) : undefined;
    if (!st || 'error' in st || !st.Self)
      return byName(`${ts.containerName} did not answer tailscale status`);
    const who = identityFromStatus(st, ts.hostname);
    return {
      who,
      ...(who.nodeKey || who.stableId
        ? {}
        : { note: `${ts.containerName} is ${st.BackendState}: matched by name` }),
      self: { allowedIPs: st.Self.AllowedIPs ?? [], primaryRoutes: st.Self.PrimaryRoutes ?? [] },
    };
  } catch (e) {
    return byName(`container ${ts.containerName} not readable (${(e as Error).message.split('\n')[0]})`);
  }
}

async function open(options: RoutesOptions, io: Io, deps: RoutesDeps) {
  const loaded = await loadConfig(options, io.cwd);
  const access =
    deps.control ??
    (await controlAccess(loaded.config, { configDir: loaded.dir, userAgent: `tailbridge/${VERSION}` }));
  if (!('api' in access))
    throw new TailbridgeError(
      `cannot read the control server: ${access.unavailable}${access.failed ? '' : ` — name a credential for ${CONTROL_LABEL[controlKindOf(loaded.config.tailscale)]} there (README: Control servers)`}`,
    );
  const id = await identify(loaded, deps.engine ?? new DockerodeEngine());
  const found = await lookUpNode(access, id.who);
  if (!('found' in found)) throw new TailbridgeError(found.missing, ExitCode.failed);
  return { loaded, api: access.api, found: found.found, self: id.self, note: id.note };
}

/**
 * `tailbridge routes`: the node's routes as the control server has them, each in one state. Exit 0
 * when every route in tailbridge.yaml is approved, 1 when one is not (awaiting approval, not
 * advertised, or served by another router), 2 when it could not ask.
 */
export async function routes(options: RoutesOptions, io: Io, deps: RoutesDeps = {}): Promise<number> {
  const { loaded, found, self, note } = await open(options, io, deps);
  const report = routesReport(loaded.config, found, self);
  if (options.json) io.stdout(JSON.stringify({ ...report, ...(note ? { note } : {}) }, null, 2));
  else io.stdout(`${renderRoutesReport(report, io.color)}${note ? `\n(${note})` : ''}`);
  const settled = report.routes
    .filter((r) => r.expected)
    .every((r) => r.state === 'serving' || r.state === 'approved');
  return settled ? ExitCode.ok : ExitCode.failed;
}

function describe(found: NodeOnControl): string {
  return `${found.node.name} (id ${found.node.id}) on ${CONTROL_LABEL[found.kind]} ${found.url}`;
}

/**
 * `tailbridge routes approve`: approves the advertised routes tailbridge.yaml expects, after a
 * confirmation (or --yes), then prints the autoApprovers snippet that makes it permanent. Exit 0 when
 * approved (or nothing was left to approve), 1 when a route cannot be approved (not advertised), 2
 * when declined or it could not run.
 */
export async function routesApprove(options: ApproveOptions, io: Io, deps: RoutesDeps = {}): Promise<number> {
  if (!options.yes && !io.isTTY)
    throw new TailbridgeError(
      'routes approve changes the control server: pass --yes to confirm (not a terminal)',
    );
  const { loaded, api, found } = await open(options, io, deps);
  const who = describe(found);
  const result = await approveNodeRoutes(api, loaded.config, found, async (plan) => {
    if (options.yes) return true;
    io.stderr(renderApprovalPlan(plan, who));
    return (deps.confirm ?? ttyConfirm)(`Approve ${plan.toApprove.join(', ')} for ${found.node.name}?`);
  });
  const declined = !result.applied && result.plan.toApprove.length > 0;
  if (options.json) {
    io.stdout(
      JSON.stringify(
        {
          node: { id: found.node.id, name: found.node.name },
          kind: found.kind,
          url: found.url,
          result: result.applied ? 'approved' : declined ? 'declined' : 'nothing-to-approve',
          plan: result.plan,
          routes: result.routes,
          policy: result.policy,
        },
        null,
        2,
      ),
    );
  } else {
    const c = io.color;
    if (result.applied) io.stdout(`approved ${result.plan.toApprove.join(', ')} on ${who}`);
    else if (declined) io.stderr('not approved');
    else io.stdout(`nothing to approve on ${who}`);
    const after = routesReport(loaded.config, { ...found, routes: result.routes });
    io.stdout([...renderRouteTable(after.routes, c), '', ...renderPolicy(result.policy, c)].join('\n'));
    if (result.plan.notAdvertised.length > 0)
      io.stderr(
        `not advertised by the node, so not approved: ${result.plan.notAdvertised.join(', ')} — put them in TS_ROUTES and recreate the container (tailbridge apply)`,
      );
  }
  if (declined) return ExitCode.usage;
  return result.plan.notAdvertised.length > 0 ? ExitCode.failed : ExitCode.ok;
}
