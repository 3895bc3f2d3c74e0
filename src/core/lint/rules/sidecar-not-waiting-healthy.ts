import { addMapEntry, indentStep, replaceValue } from '../edits.js';
import { defineRule, type Report } from '../rule.js';
import { dependsOnEntries, hasHealthcheck } from '../values.js';
import { namespaceOwner } from './sidecar-ports.js';

export const sidecarNotWaitingHealthy = defineRule({
  id: 'sidecar-not-waiting-healthy',
  severity: 'warning',
  category: 'reliability',
  description:
    'An app in a Tailscale service’s namespace (network_mode: service:) does not wait for it with condition: service_healthy.',
  source: 'compose-depends-on',
  check({ model }) {
    const out: Report[] = [];
    for (const s of model.services()) {
      const ns = namespaceOwner(model, s);
      const ts = ns?.owner;
      if (!ns?.mode.startsWith('service:') || !ts || !model.isTailscale(ts)) continue;
      const dep = dependsOnEntries(s.value).find((d) => d.name === ts.name);
      if (dep?.condition === 'service_healthy') continue;
      const healthy = hasHealthcheck(ts.value);
      const why = `compose starts it as soon as "${ts.name}" is running, before tailscaled is logged in and has a tailnet IP`;
      const todo = healthy
        ? `add depends_on: {${ts.name}: {condition: service_healthy}}`
        : `give "${ts.name}" a healthcheck (TS_ENABLE_HEALTH_CHECK=true + wget http://127.0.0.1:9002/healthz) and add depends_on: {${ts.name}: {condition: service_healthy}}`;
      const where = dep ? [...s.path, ...dep.at] : [...s.path, 'network_mode'];
      const what = dep
        ? dep.form === 'list'
          ? `lists "${ts.name}" in short-form depends_on:, which only waits for the container to start`
          : `waits for "${ts.name}" with condition: ${dep.condition ?? 'service_started'}`
        : `shares "${ts.name}"'s network namespace without depends_on: condition: service_healthy`;
      out.push({
        path: where,
        key: dep?.form === 'map',
        message: `service "${s.name}" ${what}; ${why}; ${todo}`,
        data: { ts: ts.name, fixable: healthy },
      });
    }
    return out;
  },
  fix({ model }, finding) {
    const name = finding.path?.[1];
    const ts = finding.data?.['ts'];
    if (typeof name !== 'string' || typeof ts !== 'string' || finding.data?.['fixable'] !== true)
      return undefined;
    const s = model.service(name);
    if (!s) return undefined;
    const deps = s.value['depends_on'];
    const step = ' '.repeat(indentStep(model, s.path));
    if (deps === undefined) {
      return addMapEntry(model, s.path, 'depends_on:', [
        `${step}${ts}:`,
        `${step}${step}condition: service_healthy`,
      ]);
    }
    if (Array.isArray(deps) || typeof deps !== 'object' || deps === null) return undefined; // list form: leave it
    const entry = (deps as Record<string, unknown>)[ts];
    if (entry === undefined) {
      const loc = model.locate([...s.path, 'depends_on']);
      const flow = (loc.node as { flow?: boolean } | undefined)?.flow === true;
      return flow
        ? addMapEntry(model, [...s.path, 'depends_on'], `${ts}: {condition: service_healthy}`, [])
        : addMapEntry(model, [...s.path, 'depends_on'], `${ts}:`, [`${step}condition: service_healthy`]);
    }
    if (typeof entry === 'object' && entry !== null && 'condition' in entry)
      return replaceValue(model, [...s.path, 'depends_on', ts, 'condition'], 'service_healthy');
    if (typeof entry === 'object' && entry !== null)
      return addMapEntry(model, [...s.path, 'depends_on', ts], 'condition: service_healthy', []);
    return undefined;
  },
});
