/**
 * Reading and changing a node's routes on the control server: the decisions are core's
 * (core/control), the calls go through the ControlServerPort. Returns typed results, never exit codes.
 */
import {
  type ApprovalPlan,
  autoApproversSnippet,
  type PolicySnippet,
  planApproval,
} from '../core/control/approval.js';
import { findNode, type NodeIdentity } from '../core/control/find-node.js';
import type { ControlAccess, ControlNode, ControlServerPort, NodeRoutes } from '../core/control/ports.js';
import { expectedRoutes, type NodeSelfView, type RouteView, routeViews } from '../core/control/routes.js';
import type { ControlKind, HomelabConfig } from '../core/model/config.js';
import type { ControlEvidence } from '../core/verify/control.js';

export interface NodeOnControl {
  kind: ControlKind;
  url: string;
  node: ControlNode;
  routes: NodeRoutes;
  by: string;
  others: ControlNode[];
}

export type NodeLookup = { found: NodeOnControl } | { missing: string; failed: boolean };

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** Finds the node (by the container's identity) and reads its routes. API errors become `missing`. */
export async function lookUpNode(access: ControlAccess, who: NodeIdentity): Promise<NodeLookup> {
  if (!('api' in access)) return { missing: access.unavailable, failed: access.failed };
  const { api } = access;
  try {
    const nodes = await api.listNodes();
    const match = findNode(nodes, who);
    if (!match.found) return { missing: `${api.url}: ${match.why}`, failed: true };
    const routes = match.node.routes ?? (await api.readRoutes(match.node));
    return {
      found: { kind: api.kind, url: api.url, node: match.node, routes, by: match.by, others: match.others },
    };
  } catch (e) {
    return { missing: message(e), failed: true };
  }
}

/** verify L3's view of the control server for one node. */
export async function controlEvidence(
  kind: ControlKind,
  access: ControlAccess,
  who: NodeIdentity,
): Promise<ControlEvidence> {
  const r = await lookUpNode(access, who);
  if ('found' in r) return { read: true, ...r.found };
  return { read: false, kind, reason: r.missing, failed: r.failed };
}

export interface RoutesReport {
  kind: ControlKind;
  url: string;
  node: {
    id: string;
    name: string;
    hostname: string;
    online?: boolean;
    tags: string[];
    user?: string;
    by: string;
  };
  routes: RouteView[];
  /** The policy snippet that approves the expected routes on the next advertisement. */
  policy: PolicySnippet;
}

export function routesReport(config: HomelabConfig, found: NodeOnControl, self?: NodeSelfView): RoutesReport {
  const expected = expectedRoutes(config.tailscale.advertiseRoutes, config.tailscale.exitNode);
  const n = found.node;
  return {
    kind: found.kind,
    url: found.url,
    node: {
      id: n.id,
      name: n.name,
      hostname: n.hostname,
      ...(n.online === undefined ? {} : { online: n.online }),
      tags: n.tags,
      ...(n.user ? { user: n.user } : {}),
      by: found.by,
    },
    routes: routeViews(expected, found.routes, found.others, self),
    policy: autoApproversSnippet(found.kind, expected, n, config.tailscale.tags),
  };
}

export interface ApprovalResult {
  plan: ApprovalPlan;
  /** False when there was nothing to approve or the caller declined. */
  applied: boolean;
  /** The routes as the server has them after the call (or before, when nothing was sent). */
  routes: NodeRoutes;
  policy: PolicySnippet;
}

/**
 * Approves the node's expected, advertised routes: the plan is decided first (core), `confirm` sees
 * it, and only then the approved set is replaced through the API. Self-contained so apply and
 * migrate can call it as a step.
 */
export async function approveNodeRoutes(
  api: ControlServerPort,
  config: HomelabConfig,
  found: NodeOnControl,
  confirm: (plan: ApprovalPlan) => Promise<boolean>,
): Promise<ApprovalResult> {
  const expected = expectedRoutes(config.tailscale.advertiseRoutes, config.tailscale.exitNode);
  const plan = planApproval(expected, found.routes);
  const policy = autoApproversSnippet(found.kind, expected, found.node, config.tailscale.tags);
  if (plan.toApprove.length === 0 || !(await confirm(plan)))
    return { plan, applied: false, routes: found.routes, policy };
  const routes = await api.setApprovedRoutes(found.node, plan.approvedAfter);
  return { plan, applied: true, routes, policy };
}

export type ApprovalStepStatus = 'approved' | 'nothing-to-approve' | 'unavailable' | 'not-found' | 'failed';

export interface ApprovalStepOutcome {
  status: ApprovalStepStatus;
  /** One line for the progress output. Never a secret. */
  line: string;
  result?: ApprovalResult;
}

export interface ApprovalStepOptions {
  /** How long to wait for the new container to announce its routes (default 30 s). */
  timeoutMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * The `--approve-routes` step of apply and migrate: after the container runs, wait until the control
 * server lists its advertised routes, then approve the expected ones (the user asked for it on the
 * command line, so there is no further confirmation). Never throws: the outcome says what happened.
 */
export async function approveRoutesStep(
  access: ControlAccess,
  config: HomelabConfig,
  identify: () => Promise<NodeIdentity>,
  o: ApprovalStepOptions = {},
): Promise<ApprovalStepOutcome> {
  if (!('api' in access))
    return {
      status: 'unavailable',
      line: `--approve-routes: cannot read the control server: ${access.unavailable}`,
    };
  const expected = expectedRoutes(config.tailscale.advertiseRoutes, config.tailscale.exitNode);
  if (expected.length === 0)
    return { status: 'nothing-to-approve', line: 'approve routes: none in tailbridge.yaml' };
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const deadline = Date.now() + (o.timeoutMs ?? 30_000);
  let last: NodeLookup = { missing: 'not asked yet', failed: false };
  for (;;) {
    const now = await lookUpNode(access, await identify());
    last = now;
    const announced = 'found' in now && expected.every((r) => now.found.routes.advertised.includes(r));
    if (announced || Date.now() >= deadline) break;
    await sleep(1000);
  }
  if (!('found' in last)) return { status: 'not-found', line: `--approve-routes: ${last.missing}` };
  const found = last.found;
  try {
    const result = await approveNodeRoutes(access.api, config, found, async () => true);
    const who = `${found.node.name} (id ${found.node.id})`;
    if (!result.applied)
      return {
        status: 'nothing-to-approve',
        line: `approve routes: nothing to approve on ${who}${result.plan.notAdvertised.length > 0 ? `; not advertised: ${result.plan.notAdvertised.join(', ')}` : ''}`,
        result,
      };
    return { status: 'approved', line: `approved ${result.plan.toApprove.join(', ')} on ${who}`, result };
  } catch (e) {
    return { status: 'failed', line: `--approve-routes: ${message(e)}` };
  }
}
