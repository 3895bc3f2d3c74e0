import type { ControlNode, NodeRoutes } from '../control/ports.js';
import { CONTROL_LABEL } from '../control/server.js';
import type { ControlKind } from '../model/config.js';
import type { ExpectedContainer } from './expectations.js';
import { type Check, fail, pass, skip } from './types.js';

/** What reading the control server's API gave for one node. */
export type ControlEvidence =
  | {
      read: true;
      kind: ControlKind;
      url: string;
      node: ControlNode;
      routes: NodeRoutes;
      /** How the node was matched: node key, node id, name. */
      by: string;
      /** The other nodes of the tailnet (for who else is primary, who holds the name). */
      others: ControlNode[];
    }
  | {
      read: false;
      kind: ControlKind;
      /** Why not: no credentials, an API error, no matching node. Never a secret. */
      reason: string;
      /** true when the API was configured but failed (a fault); false when it was not configured. */
      failed: boolean;
    };

export const controlCheckTitle = (kind: ControlKind) =>
  `${CONTROL_LABEL[kind]} knows the node and its routes`;

/** L3.control: whether route states come from the control server, and why not. */
export function evaluateControl(
  exp: ExpectedContainer,
  ev: ControlEvidence | undefined,
  id: (s: string) => string,
): Check[] {
  if (exp.routes.length === 0 && !exp.exitNode) return [];
  const base = {
    id: id('control'),
    layer: 'L3' as const,
    title: controlCheckTitle(exp.control.kind),
    source: exp.control.kind === 'headscale' ? ('headscale-api' as const) : ('ts-api-routes' as const),
  };
  if (!ev) return [skip(base, 'the control server was not read', 'tailscale.control.api in tailbridge.yaml')];
  if (!ev.read) {
    const why = `${ev.reason}: route states come from the node's own view, which cannot tell "advertised, awaiting approval" from "approved, but the node has not received it yet"`;
    return ev.failed
      ? [fail(base, ev.reason, 'check tailscale.control.api (URL, credential, caFile): tailbridge routes')]
      : [
          skip(
            base,
            why,
            `name a credential in tailscale.control.api (apiKey: { file: … } or { env: … }${ev.kind === 'tailscale' ? ', or oauth' : ''}) to read ${CONTROL_LABEL[ev.kind]}`,
          ),
        ];
  }
  const n = ev.node;
  return [
    pass(
      base,
      `${ev.url}: node ${n.name} (id ${n.id}, matched by ${ev.by}) advertises [${ev.routes.advertised.join(', ')}], approved [${ev.routes.approved.join(', ')}]${ev.routes.primary ? `, primary [${ev.routes.primary.join(', ')}]` : ''}`,
    ),
  ];
}
