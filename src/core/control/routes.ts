import { describeNode } from './find-node.js';
import type { ControlNode, NodeRoutes } from './ports.js';

/**
 * Where a route stands, from the control server's view:
 * - not-advertised: the node does not announce it (fix the container: TS_ROUTES),
 * - awaiting-approval: announced, nobody approved it (approve it, or autoApprovers),
 * - standby: approved, but another router is primary for it (traffic goes there),
 * - serving: approved and this node is the primary router,
 * - approved: approved; the server does not say who is primary (Tailscale's API).
 */
export type RouteState = 'not-advertised' | 'awaiting-approval' | 'standby' | 'serving' | 'approved';

export const ROUTE_STATE_TEXT: Record<RouteState, string> = {
  'not-advertised': 'not advertised',
  'awaiting-approval': 'advertised, awaiting approval',
  standby: 'approved, not primary (another router serves it)',
  serving: 'approved and serving',
  approved: 'approved',
};

export interface RouteView {
  route: string;
  state: RouteState;
  /** In tailbridge.yaml (advertiseRoutes, or the exit routes of exitNode). */
  expected: boolean;
  advertised: boolean;
  approved: boolean;
  /** undefined when nobody says (Tailscale's API, node view stale). */
  primary?: boolean;
  /** The router that serves the route instead, when the server says. */
  primaryElsewhere?: string;
}

/** Exit-node "routes" as both control servers list them. */
export const EXIT_ROUTES = ['0.0.0.0/0', '::/0'] as const;

export function expectedRoutes(routes: readonly string[], exitNode: boolean): string[] {
  return [...routes, ...(exitNode ? EXIT_ROUTES : [])];
}

/** The node's own view (`tailscale status`), used for "primary" when the server does not report it. */
export interface NodeSelfView {
  allowedIPs: readonly string[];
  primaryRoutes: readonly string[];
}

function primaryOf(
  route: string,
  routes: NodeRoutes,
  others: readonly ControlNode[],
  self: NodeSelfView | undefined,
): Pick<RouteView, 'primary' | 'primaryElsewhere'> {
  if (routes.primary) {
    if (routes.primary.includes(route)) return { primary: true };
    const other = others.find((o) => o.routes?.primary?.includes(route));
    return { primary: false, ...(other ? { primaryElsewhere: describeNode(other) } : {}) };
  }
  // Tailscale's API does not say; the node's own view does once it has seen the approval.
  if (self?.allowedIPs.includes(route)) return { primary: self.primaryRoutes.includes(route) };
  return {};
}

/** Every route worth showing: the expected ones first, then whatever else the node announces or has approved. */
export function routeViews(
  expected: readonly string[],
  routes: NodeRoutes,
  others: readonly ControlNode[] = [],
  self?: NodeSelfView,
): RouteView[] {
  const all = [...new Set([...expected, ...routes.advertised, ...routes.approved])];
  return all.map((route) => {
    const advertised = routes.advertised.includes(route);
    const approved = routes.approved.includes(route);
    const p = approved ? primaryOf(route, routes, others, self) : {};
    // Exit routes have no primary router: every exit node serves its own clients.
    const exit = (EXIT_ROUTES as readonly string[]).includes(route);
    const state: RouteState = !advertised
      ? 'not-advertised'
      : !approved
        ? 'awaiting-approval'
        : exit || p.primary === true
          ? 'serving'
          : p.primary === false
            ? 'standby'
            : 'approved';
    return { route, state, expected: expected.includes(route), advertised, approved, ...p };
  });
}
