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
