import { colors } from '../cli/io.js';
import type { ApprovalPlan, PolicySnippet } from '../core/control/approval.js';
import { ROUTE_STATE_TEXT, type RouteState, type RouteView } from '../core/control/routes.js';
import { CONTROL_LABEL } from '../core/control/server.js';
import type { RoutesReport } from '../workflows/control.js';
import { padEnd } from './text.js';

const OK_STATES: RouteState[] = ['serving', 'approved'];

function stateText(v: RouteView, c: ReturnType<typeof colors>): string {
  const text = `${ROUTE_STATE_TEXT[v.state]}${v.primaryElsewhere ? ` (${v.primaryElsewhere} is primary)` : ''}${v.expected ? '' : ' — not in tailbridge.yaml'}`;
  return OK_STATES.includes(v.state) ? c.green(text) : v.expected ? c.yellow(text) : c.dim(text);
}

export function renderRouteTable(routes: readonly RouteView[], color: boolean): string[] {
  const c = colors({ color });
  if (routes.length === 0) return ['  (no routes advertised, approved or expected)'];
  const width = Math.max(5, ...routes.map((r) => r.route.length));
  return [
    `  ${padEnd(c.bold('ROUTE'), width)}  ${c.bold('STATE')}`,
    ...routes.map((r) => `  ${padEnd(r.route, width)}  ${stateText(r, c)}`),
  ];
}

export function renderPolicy(policy: PolicySnippet, color: boolean): string[] {
  const c = colors({ color });
  return [
    c.bold('To approve these routes automatically from now on, add to the policy:'),
    ...policy.json.split('\n').map((l) => `  ${l}`),
    c.dim(`  (${policy.note}; source: ${policy.source})`),
  ];
}

export function renderRoutesReport(r: RoutesReport, color: boolean): string {
  const c = colors({ color });
  const n = r.node;
  const owner =
    n.tags.length > 0 ? `tags ${n.tags.join(', ')}` : n.user ? `user ${n.user}` : 'no owner shown';
  const lines = [
    `${c.bold(n.name)} (id ${n.id}${n.online === undefined ? '' : n.online ? ', online' : ', offline'}, ${owner}) on ${CONTROL_LABEL[r.kind]} ${r.url} — found by ${n.by}`,
    ...renderRouteTable(r.routes, color),
  ];
  const waiting = r.routes.filter((v) => v.expected && v.state === 'awaiting-approval');
  if (waiting.length > 0)
    lines.push('', `Approve ${waiting.map((v) => v.route).join(', ')}: tailbridge routes approve`);
  const missing = r.routes.filter((v) => v.expected && v.state === 'not-advertised');
  if (missing.length > 0)
    lines.push(
      '',
      `Not advertised by the node: ${missing.map((v) => v.route).join(', ')} — put them in TS_ROUTES and recreate the container (tailbridge apply)`,
    );
  if (r.routes.some((v) => v.expected)) lines.push('', ...renderPolicy(r.policy, color));
  return lines.join('\n');
}

export function renderApprovalPlan(plan: ApprovalPlan, who: string): string {
  const lines = [`Approve on ${who}: ${plan.toApprove.join(', ')}`];
  if (plan.keep.length > 0) lines.push(`  kept (already approved): ${plan.keep.join(', ')}`);
  if (plan.notAdvertised.length > 0)
    lines.push(`  not advertised by the node, cannot be approved yet: ${plan.notAdvertised.join(', ')}`);
  if (plan.notExpected.length > 0)
    lines.push(`  advertised but not in tailbridge.yaml, left alone: ${plan.notExpected.join(', ')}`);
  return lines.join('\n');
}
