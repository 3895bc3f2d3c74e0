import type { ControlNode } from './ports.js';

/** How the node identifies itself (from `tailscale status --json` in its container), or just the name. */
export interface NodeIdentity {
  /** Self.PublicKey (`nodekey:…`): unique, the best match. */
  nodeKey?: string;
  /** Self.ID: Tailscale's stable node id (the API's nodeId), Headscale's numeric id. */
  stableId?: string;
  /** The machine name tailbridge.yaml asks for. */
  hostname: string;
}

/** The fields of `tailscale status --json` that identify the node. */
export interface StatusIdentity {
  BackendState?: string;
  Self?: { ID?: string; PublicKey?: string };
}

/**
 * The node's identity from its own status; only trusted once it runs (before its first netmap the
 * status shows an all-zero node key and no id), else by name.
 */
export function identityFromStatus(st: StatusIdentity | undefined, hostname: string): NodeIdentity {
  if (st?.BackendState !== 'Running') return { hostname };
  const key = st.Self?.PublicKey;
  const id = st.Self?.ID;
  return {
    hostname,
    ...(key && !/^nodekey:0+$/.test(key) ? { nodeKey: key } : {}),
    ...(id && id !== '0' ? { stableId: id } : {}),
  };
}

export type NodeMatch =
  | { found: true; node: ControlNode; by: 'node key' | 'node id' | 'name'; others: ControlNode[] }
  | { found: false; why: string; candidates: ControlNode[] };

/**
 * The control server's node for this container. The node key and id are exact; a name match is only
 * used when the container could not be asked, and must be unambiguous.
 */
export function findNode(nodes: readonly ControlNode[], who: NodeIdentity): NodeMatch {
  const others = (n: ControlNode) => nodes.filter((o) => o !== n);
  if (who.nodeKey) {
    const n = nodes.find((x) => x.nodeKey === who.nodeKey);
    if (n) return { found: true, node: n, by: 'node key', others: others(n) };
  }
  if (who.stableId) {
    const n = nodes.find((x) => x.id === who.stableId || x.altIds?.includes(who.stableId!));
    if (n) return { found: true, node: n, by: 'node id', others: others(n) };
  }
  const named = nodes.filter((x) => x.name === who.hostname);
  const byHost = named.length > 0 ? named : nodes.filter((x) => x.hostname === who.hostname);
  if (who.nodeKey || who.stableId) {
    return {
      found: false,
      why: `no node with ${who.nodeKey ? `node key ${short(who.nodeKey)}` : `id ${who.stableId}`} (the container's own identity)`,
      candidates: byHost,
    };
  }
  if (byHost.length === 1) {
    const n = byHost[0]!;
    return { found: true, node: n, by: 'name', others: others(n) };
  }
  return {
    found: false,
    why:
      byHost.length === 0
        ? `no node named ${who.hostname}`
        : `${byHost.length} nodes are named ${who.hostname} (${byHost.map(describeNode).join(', ')}) and the container could not be asked which one it is`,
    candidates: byHost,
  };
}

function short(key: string): string {
  return key.length > 20 ? `${key.slice(0, 16)}…` : key;
}

export function describeNode(n: ControlNode): string {
  const state = n.online === undefined ? '' : n.online ? ', online' : ', offline';
  return `${n.name} (id ${n.id}${state})`;
}

/** Nodes that hold the name this node should have: the old registration behind a `name-1` drift. */
export function nameHolders(
  nodes: readonly ControlNode[],
  hostname: string,
  self: ControlNode,
): ControlNode[] {
  return nodes.filter((n) => n !== self && n.name === hostname);
}
