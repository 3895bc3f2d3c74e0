import type { ComposeModel, Service } from '../compose-model.js';
import { defineRule, type Report } from '../rule.js';
import { dependsOnEntries, hasHealthcheck, parseGoBool, serviceScripts } from '../values.js';

const OFFICIAL_IMAGE =
  /^(?:(?:docker\.io|index\.docker\.io|registry-1\.docker\.io|ghcr\.io)\/)?tailscale\/tailscale(?:[:@]|$)/;
const DEFAULT_LOCAL = '[::]:9002';

/** A literal boolean variable: true/false, 'default' when unset, undefined when unknown. */
function boolVar(model: ComposeModel, s: Service, name: string): boolean | 'default' | undefined {
  const v = model.lookup(s, name);
  if (v.kind === 'unset') return 'default';
  if (v.kind !== 'inline' || v.env.value === undefined) return undefined;
  return parseGoBool(v.env.value) ?? 'default';
}

/** A literal string variable: its value, '' when unset, undefined when unknown. */
function strVar(model: ComposeModel, s: Service, name: string): string | undefined {
  const v = model.lookup(s, name);
  if (v.kind === 'unset') return '';
  if (v.kind !== 'inline' || v.env.value === undefined) return undefined;
  return v.env.value;
}

function splitHostPort(addr: string): { host: string; port: string } | undefined {
  const m = /^(\[[^\]]*\]|[^:/]*)(?::(\d+))?$/.exec(addr);
  if (!m) return undefined;
  return { host: m[1]!.replace(/^\[|\]$/g, ''), port: m[2] ?? '' };
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

/** Whether a client can reach a listener on `listen` (host) by dialing `target` (host); undefined = cannot tell. */
function reaches(listen: string, target: string): boolean | undefined {
  if (listen === '' || listen === '::') return true;
  if (listen === '0.0.0.0') return !target.includes(':');
  if (listen === target) return true;
  if (target === 'localhost') return LOOPBACK.has(listen) ? true : undefined;
  if (/^[\d.]+$|:/.test(target)) return false; // another literal address
  return LOOPBACK.has(listen) ? false : undefined; // a name: only loopback listeners are known unreachable
}

export const healthcheckCannotPass = defineRule({
  id: 'healthcheck-cannot-pass',
  severity: 'error',
  category: 'reliability',
  description:
    'A Tailscale service healthcheck that can never pass (endpoint not enabled, wrong address, port or path, no curl), or service_healthy on one without a healthcheck.',
  source: 'containerboot-health',
  check({ model }) {
    const out: Report[] = [];
    for (const s of model.tailscaleServices()) {
      const image = model.image(s);
      const official = image !== undefined && OFFICIAL_IMAGE.test(image) && s.value['build'] === undefined;
      const hc = serviceScripts(s.value).find((x) => x.key === 'healthcheck');
      if (hc && hasHealthcheck(s.value))
        out.push(...checkHealthcheck(model, s, hc.at, hc.commands, official));
      if (!official || hasHealthcheck(s.value)) continue;
      for (const other of model.services()) {
        for (const d of dependsOnEntries(other.value)) {
          if (d.name !== s.name || d.condition !== 'service_healthy') continue;
          out.push({
            path: [...other.path, ...d.at, 'condition'],
            message: `service "${other.name}" waits for "${s.name}" with condition: service_healthy, but "${s.name}" has no healthcheck (the tailscale/tailscale image defines none), so compose fails to start "${other.name}"; add TS_ENABLE_HEALTH_CHECK=true and healthcheck: test: [CMD, wget, -q, --spider, http://127.0.0.1:9002/healthz] to "${s.name}"`,
          });
        }
      }
    }
    return out;
  },
});

function checkHealthcheck(
  model: ComposeModel,
  s: Service,
  at: (string | number)[],
  commands: { argv: string[] }[],
  official: boolean,
): Report[] {
  const path = [...s.path, ...at];
  const name = `service "${s.name}"`;
  if (official && commands.length === 1 && /(^|\/)curl$/.test(commands[0]!.argv[0] ?? ''))
    return [
      {
        path,
        message: `${name}: the healthcheck runs curl, which the tailscale/tailscale image does not have (Alpine with busybox wget), so it always fails; use [CMD, wget, -q, --spider, http://127.0.0.1:9002/healthz]`,
      },
    ];
  let enabled = boolVar(model, s, 'TS_ENABLE_HEALTH_CHECK');
  const metrics = boolVar(model, s, 'TS_ENABLE_METRICS');
  const local = strVar(model, s, 'TS_LOCAL_ADDR_PORT');
  const legacy = strVar(model, s, 'TS_HEALTHCHECK_ADDR_PORT');
  if (enabled === undefined || local === undefined || legacy === undefined) return [];
  // The deprecated TS_HEALTHCHECK_ADDR_PORT serves /healthz on its own address; with
  // TS_ENABLE_HEALTH_CHECK=true as well containerboot refuses to start (healthcheck-addr-deprecated).
  if (legacy !== '' && enabled === true) return [];
  if (legacy !== '') enabled = true;
  const listenText = legacy !== '' ? legacy : local === '' ? DEFAULT_LOCAL : local;
  const listenVar = legacy !== '' ? 'TS_HEALTHCHECK_ADDR_PORT' : 'TS_LOCAL_ADDR_PORT';
  const listen = splitHostPort(listenText);
  if (!listen) return [];
  const out: Report[] = [];
  const urls = commands
    .flatMap((c) => c.argv)
    .flatMap((w) => [...w.matchAll(/https?:\/\/([^/\s'"]+)(\/[^\s'"?#]*)?/g)]);
  for (const u of urls) {
    const target = splitHostPort(u[1]!);
    if (!target) continue;
    const port = target.port || (u[0].startsWith('https') ? '443' : '80');
    const urlPath = u[2] ?? '/';
    const aimed = urlPath === '/healthz' || port === listen.port || port === '9002';
    if (!aimed || u[0].includes('$')) continue;
    if (enabled !== true) {
      out.push({
        path,
        message: `${name}: the healthcheck requests ${u[0]}, but TS_ENABLE_HEALTH_CHECK is not true, so containerboot serves no /healthz and the check always fails; set TS_ENABLE_HEALTH_CHECK=true`,
      });
      continue;
    }
    if (port !== listen.port) {
      out.push({
        path,
        message: `${name}: the healthcheck requests port ${port} (${u[0]}), but /healthz listens on ${listenVar} ${listenText}; use port ${listen.port}`,
      });
      continue;
    }
    const r = reaches(listen.host, target.host);
    if (r === false) {
      out.push({
        path,
        message: `${name}: the healthcheck requests ${target.host} (${u[0]}), but /healthz listens only on ${listenText} (${listenVar}); request ${listen.host.includes(':') ? `[${listen.host}]` : listen.host}:${listen.port}`,
      });
      continue;
    }
    const served = urlPath === '/healthz' || (urlPath === '/metrics' && metrics === true && legacy === '');
    if (!served) {
      out.push({
        path,
        message: `${name}: the healthcheck requests ${urlPath} on the containerboot listener (${listenText}), which serves only /healthz${metrics === true ? ' and /metrics' : ''}; the request gets 404 — use /healthz`,
      });
    }
  }
  return out;
}
