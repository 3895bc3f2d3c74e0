import type { ComposeModel, Path, Service } from '../compose-model.js';
import { addListItem, addMapItem } from '../edits.js';
import { defineRule, type Report, type TextEdit } from '../rule.js';
import { parseGoBool, yamlScalar } from '../values.js';

export const healthcheckAddrDeprecated = defineRule({
  id: 'healthcheck-addr-deprecated',
  severity: 'warning',
  category: 'tailscale',
  description:
    'TS_HEALTHCHECK_ADDR_PORT is deprecated (use TS_ENABLE_HEALTH_CHECK and TS_LOCAL_ADDR_PORT); together with TS_ENABLE_HEALTH_CHECK=true containerboot refuses to start.',
  source: 'containerboot-settings',
  check({ model }) {
    const out: Report[] = [];
    for (const s of model.tailscaleServices()) {
      if (model.launcher(s) !== 'containerboot') continue;
      const env = model.environment(s);
      const legacy = env.get('TS_HEALTHCHECK_ADDR_PORT');
      if (legacy?.raw === undefined || legacy.value === '') continue;
      const enabled = env.get('TS_ENABLE_HEALTH_CHECK')?.value;
      const both = enabled !== undefined && parseGoBool(enabled) === true;
      out.push({
        path: legacy.path,
        ...(both ? { severity: 'error' as const } : {}),
        message: both
          ? `service "${s.name}" sets both TS_HEALTHCHECK_ADDR_PORT and TS_ENABLE_HEALTH_CHECK=true: containerboot refuses the combination ("TS_HEALTHCHECK_ADDR_PORT is deprecated … use TS_ENABLE_HEALTH_CHECK and optionally TS_LOCAL_ADDR_PORT") and exits; remove TS_HEALTHCHECK_ADDR_PORT and put its address in TS_LOCAL_ADDR_PORT`
          : `service "${s.name}" uses TS_HEALTHCHECK_ADDR_PORT, deprecated since Tailscale 1.78 (announced for removal): use TS_ENABLE_HEALTH_CHECK=true and TS_LOCAL_ADDR_PORT with the same address (the endpoint stays /healthz)`,
      });
    }
    return out;
  },
  fix({ model }, finding) {
    const name = finding.path?.[1];
    const s = typeof name === 'string' ? model.service(name) : undefined;
    return s ? migrate(model, s) : undefined;
  },
});

/**
 * TS_HEALTHCHECK_ADDR_PORT=X → TS_LOCAL_ADDR_PORT=X plus TS_ENABLE_HEALTH_CHECK=true, in place.
 * Only when TS_LOCAL_ADDR_PORT is unset (otherwise the two addresses need a human decision).
 */
function migrate(model: ComposeModel, s: Service): TextEdit[] | undefined {
  const env = model.environment(s);
  const legacy = env.get('TS_HEALTHCHECK_ADDR_PORT');
  if (!legacy?.raw || env.has('TS_LOCAL_ADDR_PORT')) return undefined;
  const list = typeof legacy.path.at(-1) === 'number';
  const edits: TextEdit[] = [];
  if (list) {
    const rename = replace(model, legacy.path, yamlScalar(`TS_LOCAL_ADDR_PORT=${legacy.raw}`));
    if (!rename) return undefined;
    edits.push(...rename);
  } else {
    const loc = model.locate(legacy.path);
    const key = loc.pair?.key as { range?: [number, number, number] } | undefined;
    if (loc.viaAnchor || !key?.range) return undefined;
    edits.push({ start: key.range[0], end: key.range[1], text: 'TS_LOCAL_ADDR_PORT' });
  }
  const enabled = env.get('TS_ENABLE_HEALTH_CHECK');
  if (enabled) {
    if (enabled.value === undefined || parseGoBool(enabled.value) !== true) {
      const v = list ? yamlScalar('TS_ENABLE_HEALTH_CHECK=true') : '"true"';
      const set = replace(model, enabled.path, v);
      if (!set) return undefined;
      edits.push(...set);
    }
  } else {
    const add = list
      ? addListItem(model, s.path, 'environment', 'TS_ENABLE_HEALTH_CHECK=true')
      : addMapItem(model, s.path, 'environment', 'TS_ENABLE_HEALTH_CHECK', '"true"');
    if (!add) return undefined;
    edits.push(...add);
  }
  return edits;
}

function replace(model: ComposeModel, path: Path, text: string): TextEdit[] | undefined {
  const loc = model.locate(path);
  const r = loc.node?.range;
  return !loc.found || loc.viaAnchor || !r ? undefined : [{ start: r[0], end: r[1], text }];
}
