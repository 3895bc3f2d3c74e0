import { isScalar, type Scalar } from 'yaml';
import type { ComposeModel, EnvVar, Service } from '../compose-model.js';
import { addListItem, addMapItem } from '../edits.js';
import { defineRule, type TextEdit } from '../rule.js';
import { removeFlag, splitArgs, yamlScalar } from '../values.js';

/** `--advertise-routes` in a literal TS_EXTRA_ARGS: its value (string, possibly empty) and the other args. */
export function extraArgsRoutes(
  model: ComposeModel,
  s: Service,
): { env: EnvVar; routes: string; rest: string[] } | undefined {
  const env = model.environment(s).get('TS_EXTRA_ARGS');
  if (env?.value === undefined) return undefined;
  const { rest, value } = removeFlag(splitArgs(env.value), 'advertise-routes');
  if (typeof value !== 'string') return undefined;
  return { env, routes: value, rest };
}

/** Normalised comma-separated route list. */
export function routeList(value: string): string[] {
  return value
    .split(',')
    .map((r) => r.trim())
    .filter((r) => r);
}

export const routesInExtraArgs = defineRule({
  id: 'routes-in-extra-args',
  severity: 'warning',
  category: 'tailscale',
  description:
    'Subnet routes are advertised with --advertise-routes in TS_EXTRA_ARGS instead of TS_ROUTES, so containerboot neither enables IP forwarding for them nor re-applies them under TS_AUTH_ONCE.',
  source: 'containerboot-forwarding',
  check({ model }) {
    const out = [];
    for (const s of model.tailscaleServices()) {
      if (model.runsTailscaled(s)) continue;
      const found = extraArgsRoutes(model, s);
      if (!found || found.routes.trim() === '') continue;
      if (model.lookup(s, 'TS_ROUTES').kind !== 'unset') continue; // routes-duplicated, or unknown
      out.push({
        path: found.env.path,
        message: `service "${s.name}" advertises ${found.routes} with --advertise-routes in TS_EXTRA_ARGS: containerboot only checks and enables IP forwarding for TS_ROUTES (kernel mode), and under TS_AUTH_ONCE=true only TS_ROUTES is re-applied after the first login; move the value to TS_ROUTES=${found.routes}`,
      });
    }
    return out;
  },
  fix({ model }, finding) {
    const name = finding.path?.[1];
    const s = typeof name === 'string' ? model.service(name) : undefined;
    if (!s || model.lookup(s, 'TS_ROUTES').kind !== 'unset') return undefined;
    const found = extraArgsRoutes(model, s);
    if (!found || found.routes.trim() === '') return undefined;
    const env = s.value['environment'];
    const routes = routeList(found.routes).join(',');
    const loc = model.locate(found.env.path);
    const node = loc.node;
    if (!loc.found || loc.viaAnchor || !isScalar(node) || !node.range) return undefined;
    // Only single-line plain or quoted scalars: block scalars and multi-line values are left alone.
    const type = (node as Scalar).type;
    if (type !== 'PLAIN' && type !== 'QUOTE_DOUBLE' && type !== 'QUOTE_SINGLE') return undefined;
    const text = model.source.text;
    if (/[\r\n]/.test(text.slice(node.range[0], node.range[1]))) return undefined;
    const rest = found.rest.join(' ');
    const edits: TextEdit[] = [];
    if (Array.isArray(env)) {
      if (rest === '') {
        // `- TS_EXTRA_ARGS=--advertise-routes=X` becomes `- TS_ROUTES=X` in place.
        edits.push({ start: node.range[0], end: node.range[1], text: yamlScalar(`TS_ROUTES=${routes}`) });
      } else {
        edits.push({ start: node.range[0], end: node.range[1], text: yamlScalar(`TS_EXTRA_ARGS=${rest}`) });
        const add = addListItem(model, s.path, 'environment', yamlScalar(`TS_ROUTES=${routes}`));
        if (!add) return undefined;
        edits.push(...add);
      }
      return edits;
    }
    if (typeof env === 'object' && env !== null) {
      if (rest === '') {
        const key = loc.pair?.key;
        if (!isScalar(key) || !key.range || (key as Scalar).type !== 'PLAIN') return undefined;
        edits.push({ start: key.range[0], end: key.range[1], text: 'TS_ROUTES' });
        edits.push({ start: node.range[0], end: node.range[1], text: yamlScalar(routes) });
      } else {
        edits.push({ start: node.range[0], end: node.range[1], text: yamlScalar(rest) });
        const add = addMapItem(model, s.path, 'environment', 'TS_ROUTES', yamlScalar(routes));
        if (!add) return undefined;
        edits.push(...add);
      }
      return edits;
    }
    return undefined;
  },
});
