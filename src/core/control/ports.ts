import type { ControlKind } from '../model/config.js';

/**
 * The control server as tailbridge reads and changes it: Headscale's REST API (/api/v1) or
 * Tailscale's API v2. Implementations live in src/adapters/control/; core only decides.
 */

/** A node (Tailscale: device) as the control server lists it. */
export interface ControlNode {
  /** The id the API's paths take: Headscale's numeric id, Tailscale's nodeId. */
  id: string;
  /** Other ids the node is known by (Tailscale's legacy numeric id). */
  altIds?: string[];
  /** Machine name on the tailnet (Headscale givenName, first label of Tailscale's name). */
  name: string;
  /** Hostname the node reported. */
  hostname: string;
  /** `nodekey:<hex>`, as `tailscale status` shows Self.PublicKey. */
  nodeKey?: string;
  addresses: string[];
  online?: boolean;
  tags: string[];
  /** Owning user for user-owned nodes (Headscale user name, Tailscale login). */
  user?: string;
  /** Route state when the listing carries it (Headscale); Tailscale's is read per device. */
  routes?: NodeRoutes;
}

export interface NodeRoutes {
  /** Routes the node announces (Headscale availableRoutes, Tailscale advertisedRoutes). */
  advertised: string[];
  /** Routes an admin or autoApprovers approved (Headscale approvedRoutes, Tailscale enabledRoutes). */
  approved: string[];
  /** Routes this node serves as the primary router; undefined when the server does not say (Tailscale). */
  primary?: string[];
}

export interface ControlServerPort {
  readonly kind: ControlKind;
  /** API base URL, for messages. */
  readonly url: string;
  listNodes(): Promise<ControlNode[]>;
  readRoutes(node: ControlNode): Promise<NodeRoutes>;
  /** Replaces the node's approved set with `routes` (both APIs replace, neither adds). */
  setApprovedRoutes(node: ControlNode, routes: readonly string[]): Promise<NodeRoutes>;
}

/** The API, or why there is none (no credentials configured, or configured but unreadable). */
export type ControlAccess = { api: ControlServerPort } | { unavailable: string; failed: boolean };
