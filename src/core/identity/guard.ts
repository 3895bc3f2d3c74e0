import type { HomelabConfig } from '../model/config.js';
import { formatIPv4, parseCidr } from '../model/net.js';
import { dnsLabel } from './names.js';
import type { NodeIdentity } from './node.js';

/** The flags that let a change through the identity guard, one per kind of change that can hurt. */
export const GUARD_FLAGS = ['allow-rename', 'allow-route-change', 'allow-state-move'] as const;
export type GuardFlag = (typeof GUARD_FLAGS)[number];

/** What the config asks of the node. */
export interface DesiredIdentity {
  hostname: string;
  routes: string[];
  exitNode: boolean;
  tags: string[];
  acceptRoutes: boolean;
  stateDir: string;
}

export function desiredIdentity(config: HomelabConfig): DesiredIdentity {
  const ts = config.tailscale;
  return {
    hostname: ts.hostname,
    routes: ts.advertiseRoutes,
    exitNode: ts.exitNode,
    tags: ts.tags,
    acceptRoutes: ts.acceptRoutes,
    stateDir: ts.stateDir,
  };
}

export interface IdentityChange {
  field: 'hostname' | 'routes' | 'exitNode' | 'tags' | 'acceptRoutes' | 'stateDir';
  /** One line: what changes, from what to what, and what it does to the tailnet. */
  text: string;
  /** The flag that lets it through; undefined = reported, not refused. */
  guard?: GuardFlag;
}

export interface GuardVerdict {
  /** No running node to compare with (nothing to keep). */
  noNode: boolean;
  changes: IdentityChange[];
  /** Guarded changes without their flag: the operation must not start. */
  refused: IdentityChange[];
}

/** `192.168.20.5/24` → `192.168.20.0/24`; IPv6 lower-cased. */
function normRoute(r: string): string {
  const c = parseCidr(r);
  return c ? `${formatIPv4(c.base)}/${c.bits}` : r.trim().toLowerCase();
}
const normPath = (p: string) => (p.length > 1 ? p.replace(/\/+$/, '') : p);
const list = (xs: readonly string[]) => (xs.length > 0 ? xs.join(', ') : 'none');
const onOff = (b: boolean) => (b ? 'on' : 'off');

/**
 * Every difference between the running node and what the config would deploy (pure). Renaming the
 * node, dropping or changing an advertised route (the exit node included) and moving the state
 * directory are guarded: they change how the tailnet reaches this node, or make it a new node.
 */
export function identityChanges(running: NodeIdentity, desired: DesiredIdentity): IdentityChange[] {
  const out: IdentityChange[] = [];
  // Tailscale turns the requested hostname into a DNS label: "TrueNAS" runs as truenas.
  if (running.hostname !== undefined && dnsLabel(running.hostname) !== desired.hostname)
    out.push({
      field: 'hostname',
      guard: 'allow-rename',
      text: `renames the node ${running.hostname} → ${desired.hostname}${running.machineName ? ` (today ${running.machineName}.<tailnet>)` : ''}: its MagicDNS name changes for every device that uses it`,
    });
  const have = running.routes.map(normRoute);
  const want = desired.routes.map(normRoute);
  const dropped = have.filter((r) => !want.includes(r));
  const added = want.filter((r) => !have.includes(r));
  if (dropped.length > 0)
    out.push({
      field: 'routes',
      guard: 'allow-route-change',
      text: `${added.length > 0 ? 'changes' : 'drops'} the advertised route${dropped.length > 1 ? 's' : ''} ${dropped.join(', ')}${added.length > 0 ? ` → ${added.join(', ')}` : ''}: tailnet devices lose ${dropped.length > 1 ? 'those subnets' : 'that subnet'}`,
    });
  else if (added.length > 0)
    out.push({
      field: 'routes',
      text: `advertises ${added.join(', ')} as well (routes today: ${list(have)}); a new route needs approval`,
    });
  if (running.exitNode && !desired.exitNode)
    out.push({
      field: 'exitNode',
      guard: 'allow-route-change',
      text: 'stops advertising the exit node (its 0.0.0.0/0 and ::/0 routes): devices using it lose their internet route',
    });
  else if (!running.exitNode && desired.exitNode)
    out.push({ field: 'exitNode', text: 'advertises an exit node (needs approval)' });
  const tagsHave = [...running.tags].sort();
  const tagsWant = [...desired.tags].sort();
  if (tagsHave.join(',') !== tagsWant.join(','))
    out.push({
      field: 'tags',
      text: `tags ${list(tagsHave)} → ${list(tagsWant)} (ACLs that name them apply differently)`,
    });
  const stateKept =
    running.stateDir !== undefined && normPath(running.stateDir) === normPath(desired.stateDir);
  if (running.acceptRoutes !== desired.acceptRoutes)
    out.push({
      field: 'acceptRoutes',
      text: `accept-routes ${onOff(running.acceptRoutes)} → ${onOff(desired.acceptRoutes)}${stateKept ? ` (with the state kept, TS_AUTH_ONCE=true does not re-apply TS_EXTRA_ARGS: docker exec ${running.container} tailscale set --accept-routes=${desired.acceptRoutes})` : ''}`,
    });
  if (running.stateDir === undefined)
    out.push({
      field: 'stateDir',
      text: `persists the state in ${desired.stateDir} (today it is not persisted: the node re-registers on every restart)`,
    });
  else if (normPath(running.stateDir) !== normPath(desired.stateDir))
    out.push({
      field: 'stateDir',
      guard: 'allow-state-move',
      text: `moves the state directory ${running.stateDir} → ${desired.stateDir}: without a copy of its files the node logs in again as a new machine (new IP, name-1, routes to approve)`,
    });
  return out;
}

/** The guard's verdict for an operation that would deploy `desired` over `running`. */
export function guardIdentity(
  running: NodeIdentity | undefined,
  desired: DesiredIdentity,
  allowed: readonly GuardFlag[],
): GuardVerdict {
  if (!running) return { noNode: true, changes: [], refused: [] };
  const changes = identityChanges(running, desired);
  return {
    noNode: false,
    changes,
    refused: changes.filter((c) => c.guard !== undefined && !allowed.includes(c.guard)),
  };
}

/** The lines the guard prints: one per change, refused ones with the flag that allows them. */
export function describeGuard(v: GuardVerdict, container: string): string[] {
  if (v.noNode) return [`identity: no running tailscale container ${container}: nothing to keep`];
  if (v.changes.length === 0)
    return [
      `identity: ${container} keeps its name, routes, exit node, tags, accept-routes and state directory`,
    ];
  return v.changes.map((c) => {
    const refused = v.refused.includes(c);
    return `identity: ${c.text}${c.guard ? (refused ? ` — refused without --${c.guard}` : ` — allowed by --${c.guard}`) : ''}`;
  });
}

/** The refusal: a first line, then one line per change that needs its flag. */
export function refusalMessage(v: GuardVerdict, what: 'applied' | 'migrated'): string {
  return [
    `not ${what}: the new configuration would alter the running tailscale node (nothing was changed):`,
    ...v.refused.map((c) => `  ${c.text} — pass --${c.guard} to allow it`),
  ].join('\n');
}
