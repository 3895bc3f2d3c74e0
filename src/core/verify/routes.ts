import { autoApproversSnippet, inlineJson, type PolicySnippet } from '../control/approval.js';
import { EXIT_ROUTES, ROUTE_STATE_TEXT, type RouteView, routeViews } from '../control/routes.js';
import { CONTROL_LABEL } from '../control/server.js';
import type { ControlEvidence } from './control.js';
import type { ExpectedContainer } from './expectations.js';
import type { TailscalePrefs, TailscaleStatus } from './tailnet.js';
import { type Check, fail, pass } from './types.js';

/** The policy snippet as one line for a hint. */
function policyLine(p: PolicySnippet): string {
  return `${inlineJson(JSON.parse(p.json)).slice(1, -1)} (${p.note})`;
}

function approveHint(
  exp: ExpectedContainer,
  routes: string[],
  machine: string,
  ev?: ControlEvidence,
): string {
  const node = ev?.read ? ev.node : undefined;
  const policy = policyLine(autoApproversSnippet(exp.control.kind, routes, node, exp.tags));
  const api = ev?.read ? 'tailbridge routes approve; or ' : '';
  if (exp.control.kind === 'headscale')
    return `approve it: ${api}headscale nodes approve-routes --identifier ${node?.id ?? '<id>'} --routes ${routes.join(',')}; to approve it automatically next time, add to the Headscale policy ${policy}`;
  return `approve it: ${api}admin console → Machines → ${machine} → Edit route settings → tick ${routes.join(', ')}; or automatically with ${policy} in the tailnet policy file${exp.tags.length === 0 ? ' (and tag the node: --advertise-tags)' : ''}`;
}

const routeBase = (exp: ExpectedContainer, r: string, id: (s: string) => string) => ({
  id: id(`route:${r}`),
  layer: 'L3' as const,
  title: `route ${r} advertised and approved`,
  source: exp.control.kind === 'headscale' ? ('headscale-api' as const) : ('ts-kb-1337' as const),
});

/** From the control server: exactly one of the four states per route. */
function fromControl(
  exp: ExpectedContainer,
  ev: Extract<ControlEvidence, { read: true }>,
  st: TailscaleStatus,
  prefs: TailscalePrefs | undefined,
  id: (s: string) => string,
): Check[] {
  const self = { allowedIPs: st.Self?.AllowedIPs ?? [], primaryRoutes: st.Self?.PrimaryRoutes ?? [] };
  const views = routeViews(exp.routes, ev.routes, ev.others, self);
  const where = `${CONTROL_LABEL[ev.kind]} (node ${ev.node.name}, id ${ev.node.id})`;
  const awaiting = views.filter((v) => v.expected && v.state === 'awaiting-approval').map((v) => v.route);
  const checks = exp.routes.map((r): Check => {
    const v = views.find((x) => x.route === r)!;
    const base = routeBase(exp, r, id);
    const state = `${where}: ${ROUTE_STATE_TEXT[v.state]}`;
    const own = nodeView(v, self.allowedIPs);
    switch (v.state) {
      case 'not-advertised':
        return fail(
          base,
          `${state} (the node advertises [${ev.routes.advertised.join(', ')}]${prefs?.AdvertiseRoutes ? `; prefs AdvertiseRoutes [${prefs.AdvertiseRoutes.join(', ')}]` : ''})`,
          `the container does not announce ${r}: put it in TS_ROUTES (not --advertise-routes in TS_EXTRA_ARGS) and recreate the container: tailbridge apply`,
        );
      case 'awaiting-approval':
        return fail({ ...base, awaiting: 'approval' }, state, approveHint(exp, awaiting, ev.node.name, ev));
      case 'standby':
        return fail(
          base,
          `${state}${v.primaryElsewhere ? `: ${v.primaryElsewhere} is the primary router` : ''}`,
          `traffic for ${r} goes through ${v.primaryElsewhere ?? 'another router'}, not this node: if that is the old deployment, remove it (${exp.control.kind === 'headscale' ? `headscale nodes delete --identifier <id>` : 'admin console → Machines → Remove'}); if it is an intended HA pair, this node takes over when it goes offline`,
        );
      case 'serving':
        return pass(base, `${state}${own}`);
      default:
        return pass(base, `${state}; the API does not say which router is primary${own}`);
    }
  });
  if (exp.exitNode) {
    const base = {
      id: id('exit-node'),
      layer: 'L3' as const,
      title: 'exit node approved',
      source: routeBase(exp, '', id).source,
    };
    const exits = views.filter((v) => (EXIT_ROUTES as readonly string[]).includes(v.route));
    const ok = exits.length === EXIT_ROUTES.length && exits.every((v) => v.approved);
    checks.push(
      ok
        ? pass(base, `${where}: 0.0.0.0/0 and ::/0 approved`)
        : fail(
            {
              ...base,
              ...(exits.length > 0 && exits.every((v) => v.state === 'awaiting-approval' || v.approved)
                ? { awaiting: 'approval' as const }
                : {}),
            },
            `${where}: ${exits.map((v) => `${v.route} ${ROUTE_STATE_TEXT[v.state]}`).join(', ') || 'the node does not advertise an exit node'}`,
            approveHint(exp, [...EXIT_ROUTES], ev.node.name, ev),
          ),
    );
  }
  return checks;
}

/** What the node itself says, appended to evidence (Headscale does not resend the router its own approval). */
function nodeView(v: RouteView, allowed: readonly string[]): string {
  if (!v.approved || allowed.includes(v.route)) return '';
  return '; the node has not received the approval yet (its own Self.AllowedIPs lacks it; peers already have it)';
}

/** From the node's own view only (no API): what the node has been told. */
function fromNode(
  exp: ExpectedContainer,
  st: TailscaleStatus,
  prefs: TailscalePrefs | undefined,
  why: string | undefined,
  id: (s: string) => string,
): Check[] {
  const allowed = st.Self?.AllowedIPs ?? [];
  const primary = st.Self?.PrimaryRoutes ?? [];
  const advertised = prefs?.AdvertiseRoutes ?? undefined;
  const machine = st.Self?.DNSName?.split('.')[0] || exp.hostname;
  const unapproved = exp.routes.filter((r) => !allowed.includes(r));
  const checks = exp.routes.map((r): Check => {
    const base = routeBase(exp, r, id);
    if (advertised && !advertised.includes(r))
      return fail(
        base,
        `prefs AdvertiseRoutes [${advertised.join(', ')}] does not include ${r}`,
        `put ${r} in TS_ROUTES (not --advertise-routes in TS_EXTRA_ARGS) and recreate the container: tailbridge apply`,
      );
    if (allowed.includes(r))
      return pass(
        base,
        `in Self.AllowedIPs${primary.includes(r) ? ' and Self.PrimaryRoutes' : '; not in Self.PrimaryRoutes (another router is primary for it)'}`,
      );
    return fail(
      base,
      `not in Self.AllowedIPs [${allowed.join(', ')}]${advertised ? ' (advertised in prefs)' : ''}: advertised but not approved as far as the node knows${why ? ` (${why}, so an approval the node has not received yet looks the same)` : ''}`,
      approveHint(exp, unapproved, machine),
    );
  });
  if (exp.exitNode) {
    const base = {
      id: id('exit-node'),
      layer: 'L3' as const,
      title: 'exit node approved',
      source: 'ts-kb-1337' as const,
    };
    const ok =
      st.Self?.ExitNodeOption === true || (allowed.includes('0.0.0.0/0') && allowed.includes('::/0'));
    checks.push(
      ok
        ? pass(base, 'Self.AllowedIPs contains 0.0.0.0/0 and ::/0')
        : fail(
            base,
            'exit node not approved (0.0.0.0/0, ::/0 missing from Self.AllowedIPs)',
            approveHint(exp, [...EXIT_ROUTES], machine),
          ),
    );
  }
  return checks;
}

/** L3 route checks: from the control server when it was read, else from the node's own view. */
export function evaluateRoutes(
  exp: ExpectedContainer,
  st: TailscaleStatus,
  prefs: TailscalePrefs | undefined,
  control: ControlEvidence | undefined,
  id: (s: string) => string,
): Check[] {
  if (control?.read) return fromControl(exp, control, st, prefs, id);
  return fromNode(exp, st, prefs, control ? control.reason : undefined, id);
}
