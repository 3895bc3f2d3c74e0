import type { SourceId } from '../facts/sources.js';
import type { ControlKind } from '../model/config.js';
import type { ControlNode, NodeRoutes } from './ports.js';
import { EXIT_ROUTES } from './routes.js';

/** What `routes approve` will do, decided before anything is sent. */
export interface ApprovalPlan {
  /** Expected, advertised, not yet approved: these get approved. */
  toApprove: string[];
  /** Already approved; kept (both APIs replace the whole set, so they are sent again). */
  keep: string[];
  /** The approved set to send: keep ∪ toApprove. */
  approvedAfter: string[];
  /** Expected but not advertised by the node: nothing to approve until the container announces them. */
  notAdvertised: string[];
  /** Advertised but not in tailbridge.yaml: left alone. */
  notExpected: string[];
}

export function planApproval(expected: readonly string[], routes: NodeRoutes): ApprovalPlan {
  const advertised = new Set(routes.advertised);
  const approved = new Set(routes.approved);
  const toApprove = expected.filter((r) => advertised.has(r) && !approved.has(r));
  // Headscale approves 0.0.0.0/0 and ::/0 together; send both when either is asked for.
  if (toApprove.some((r) => (EXIT_ROUTES as readonly string[]).includes(r)))
    for (const r of EXIT_ROUTES)
      if (advertised.has(r) && !approved.has(r) && !toApprove.includes(r)) toApprove.push(r);
  const keep = routes.approved.slice();
  return {
    toApprove,
    keep,
    approvedAfter: [...keep, ...toApprove],
    notAdvertised: expected.filter((r) => !advertised.has(r)),
    notExpected: routes.advertised.filter((r) => !expected.includes(r)),
  };
}

/** What the policy's autoApprovers should name for this node, and why. */
export interface PolicySnippet {
  /** JSON (HuJSON-compatible) to merge into the tailnet policy file. */
  json: string;
  /** One line: who the approvers are and what else is needed. */
  note: string;
  source: SourceId;
}

/**
 * The `autoApprovers` that would approve these routes on the next advertisement, so a lost state or
 * a re-registration needs no manual approval. Headscale (policy v2) accepts users (`name@`), groups
 * and tags, and a tag must be in tagOwners; Tailscale's policy names tags for tagged nodes.
 */
export function autoApproversSnippet(
  kind: ControlKind,
  routes: readonly string[],
  node: Pick<ControlNode, 'tags' | 'user'> | undefined,
  configTags: readonly string[],
): PolicySnippet {
  const tags = node?.tags.length ? node.tags : configTags;
  const exit = routes.some((r) => (EXIT_ROUTES as readonly string[]).includes(r));
  const subnet = routes.filter((r) => !(EXIT_ROUTES as readonly string[]).includes(r));
  const build = (approver: string, extra: Record<string, unknown> = {}) => {
    const auto: Record<string, unknown> = {};
    if (subnet.length > 0) auto.routes = Object.fromEntries(subnet.map((r) => [r, [approver]]));
    if (exit) auto.exitNode = [approver];
    return policyJson({ ...extra, autoApprovers: auto });
  };
  if (kind === 'headscale') {
    if (tags.length > 0) {
      const owner = node?.user ? `${node.user}@` : '<user>@';
      return {
        json: build(tags[0]!, { tagOwners: { [tags[0]!]: [owner] } }),
        note: `approves what nodes tagged ${tags[0]} advertise; Headscale requires the tag in tagOwners${node?.user ? '' : ' (replace <user> with a Headscale user)'}`,
        source: 'headscale-policy',
      };
    }
    const user = node?.user ? `${node.user}@` : '<user>@';
    return {
      json: build(user),
      note: `approves what any node of ${user} advertises (Headscale accepts users, groups and tags)${node?.user ? '' : '; replace <user> with the node’s Headscale user'}`,
      source: 'headscale-policy',
    };
  }
  if (tags.length > 0)
    return {
      json: build(tags[0]!),
      note: `approves what nodes tagged ${tags[0]} advertise`,
      source: 'ts-kb-1337',
    };
  return {
    json: build('tag:<your-tag>'),
    note: 'the node is not tagged: tag it (tailscale.tags, an OAuth client or a tagged auth key) and name the tag here',
    source: 'ts-kb-1337',
  };
}

/** `{"a": {"b": ["c"]}}` on one line (JSON.stringify spacing is all or nothing), for messages. */
export function inlineJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(inlineJson).join(', ')}]`;
  if (value && typeof value === 'object')
    return `{${Object.entries(value)
      .map(([k, x]) => `${JSON.stringify(k)}: ${inlineJson(x)}`)
      .join(', ')}}`;
  return JSON.stringify(value);
}

/** Policy JSON as people write it: one key per line, lists of approvers on one line. */
export function policyJson(value: unknown, indent = ''): string {
  if (Array.isArray(value)) return `[${value.map((v) => JSON.stringify(v)).join(', ')}]`;
  if (value && typeof value === 'object') {
    const inner = `${indent}  `;
    const entries = Object.entries(value).map(
      ([k, v]) => `${inner}${JSON.stringify(k)}: ${policyJson(v, inner)}`,
    );
    return entries.length === 0 ? '{}' : `{\n${entries.join(',\n')}\n${indent}}`;
  }
  return JSON.stringify(value);
}
