import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, parseAllDocuments } from 'yaml';
import { Config, type ConfigInput, type HomelabConfig } from '../../src/core/model/config.js';
import { EXAMPLE_CONFIG } from '../../src/core/model/example.js';
import { MODES, type Mode } from '../../src/core/model/modes.js';

/**
 * The files the oracle runs on: the stress fixtures (test/fixtures/merge-stress/<case>/), the
 * merge fixtures (test/fixtures/merge/*.yaml) and the real-world corpus (corpus/cases/<slug>/
 * with case.yaml; kind: malformed is skipped), each with a tailbridge.yaml derived from the file.
 */

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface OracleCase {
  /** e.g. `stress/issue-example`, `corpus/<slug>`. */
  id: string;
  file: string;
  text: string;
  /** Other files of the case directory (include targets, env files), relative → content. */
  sideFiles: Record<string, string>;
}

export interface Skipped {
  id: string;
  reason: string;
}

/** Official image only: a service tailbridge would turn into its tailscale service. */
export const TAILSCALE_IMAGE =
  /^(?:(?:docker\.io|index\.docker\.io|registry-1\.docker\.io|ghcr\.io)\/)?tailscale\/tailscale(?:[:@]|$)/;

export function discoverCases(): { cases: OracleCase[]; skipped: Skipped[] } {
  const cases: OracleCase[] = [];
  const skipped: Skipped[] = [];
  const consider = (id: string, file: string, dir: string | undefined) => {
    const text = readFileSync(file, 'utf8');
    const why = unusable(text);
    if (why) skipped.push({ id, reason: why });
    else cases.push({ id, file, text, sideFiles: dir ? sideFiles(dir) : {} });
  };
  const stress = path.join(REPO, 'test/fixtures/merge-stress');
  for (const name of dirs(stress))
    consider(`stress/${name}`, path.join(stress, name, 'compose.yaml'), path.join(stress, name));
  const merge = path.join(REPO, 'test/fixtures/merge');
  for (const name of existsSync(merge) ? readdirSync(merge).sort() : [])
    if (name.endsWith('.yaml'))
      consider(`merge/${name.replace(/\.yaml$/, '')}`, path.join(merge, name), undefined);
  const corpus = path.join(REPO, 'corpus/cases');
  for (const slug of dirs(corpus)) {
    const dir = path.join(corpus, slug);
    const file = path.join(dir, 'compose.yaml');
    if (!existsSync(file)) continue;
    const meta = existsSync(path.join(dir, 'case.yaml'))
      ? (parse(readFileSync(path.join(dir, 'case.yaml'), 'utf8')) as { kind?: string } | null)
      : null;
    if (meta?.kind === 'malformed') skipped.push({ id: `corpus/${slug}`, reason: 'kind: malformed' });
    else consider(`corpus/${slug}`, file, dir);
  }
  return { cases, skipped };
}

function dirs(root: string): string[] {
  if (!existsSync(root)) return [];
  return readdirSync(root)
    .filter((n) => statSync(path.join(root, n)).isDirectory())
    .sort();
}

function sideFiles(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string) => {
    for (const name of readdirSync(path.join(dir, rel))) {
      const r = path.join(rel, name);
      const abs = path.join(dir, r);
      if (statSync(abs).isDirectory()) walk(r);
      else if (r !== 'compose.yaml' && r !== 'case.yaml') out[r] = readFileSync(abs, 'utf8');
    }
  };
  walk('');
  return out;
}

/** Why a file is not a case (one line), or undefined. */
function unusable(text: string): string | undefined {
  const docs = parseAllDocuments(text.replace(/^\uFEFF/, ''));
  if (!Array.isArray(docs) || docs.length !== 1) return undefined; // multi-document: a case (merge refuses it)
  const root = docs[0]!.toJS({ maxAliasCount: -1 }) as {
    services?: Record<string, { image?: unknown }>;
  } | null;
  const services = root && typeof root === 'object' ? root.services : undefined;
  if (!services || typeof services !== 'object') return 'no services: section';
  if (!tailscaleService(services)) return 'no service runs the tailscale/tailscale image';
  return undefined;
}

/**
 * The service tailbridge would manage: one running the official image (itself or through a
 * same-file `extends`), preferring one that no other service extends.
 */
export function tailscaleService(
  services: Record<string, { image?: unknown; extends?: unknown } | null>,
): string | undefined {
  const base = (s: { extends?: unknown } | null | undefined) => {
    const ext = s?.extends;
    return typeof ext === 'string'
      ? ext
      : (ext as { service?: unknown; file?: unknown } | undefined)?.file
        ? undefined
        : (ext as { service?: unknown } | undefined)?.service;
  };
  const image = (name: string, seen: string[] = []): unknown => {
    const s = services[name];
    if (!s || seen.includes(name)) return undefined;
    if (s.image !== undefined) return s.image;
    const b = base(s);
    return typeof b === 'string' ? image(b, [...seen, name]) : undefined;
  };
  const official = Object.keys(services).filter((name) => {
    const i = image(name);
    return typeof i === 'string' && TAILSCALE_IMAGE.test(i);
  });
  const bases = new Set(Object.values(services).map(base));
  return official.find((name) => !bases.has(name)) ?? official[0];
}

const NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

/**
 * A tailbridge.yaml for a compose file: the example homelab's LAN and host, with the tailscale
 * part and the services taken from the file (routes, flags, tags, state dir, env file, apps with
 * published ports), so that the generated state is what a user of that file would ask for.
 */
export function configFor(text: string): { config: HomelabConfig; modes: Mode[] } | undefined {
  const docs = parseAllDocuments(text.replace(/^\uFEFF/, ''));
  const doc = Array.isArray(docs) ? docs[0] : undefined;
  const root = (doc?.toJS({ maxAliasCount: -1 }) ?? {}) as {
    services?: Record<string, Record<string, unknown>>;
  };
  const services = root.services ?? {};
  const ts = tailscaleService(services) ?? 'tailscale';
  const svc = services[ts] ?? {};
  const env = environment(svc['environment']);
  const extra = env['TS_EXTRA_ARGS'] ?? '';
  const raw = structuredClone(parse(EXAMPLE_CONFIG)) as ConfigInput & Record<string, never>;
  const t = raw.tailscale as Record<string, unknown>;
  t['service'] = NAME.test(ts) ? ts : 'tailscale';
  const container = svc['container_name'];
  t['containerName'] = typeof container === 'string' && NAME.test(container) ? container : t['service'];
  t['hostname'] = dnsLabel(
    env['TS_HOSTNAME'] ?? (typeof svc['hostname'] === 'string' ? svc['hostname'] : ts),
  );
  t['stateDir'] = stateDir(svc['volumes']);
  const envFile = firstEnvFile(svc['env_file']);
  t['auth'] = envFile
    ? { method: 'env_file', path: envFile }
    : { method: 'secret_file', path: '/srv/tailscale/authkey' };
  const routes = (env['TS_ROUTES'] ?? flagValue(extra, 'advertise-routes') ?? '')
    .split(',')
    .map((r) => r.trim())
    .filter((r) => /^\d+\.\d+\.\d+\.\d+\/\d+$/.test(r));
  t['advertiseRoutes'] = routes;
  t['acceptRoutes'] = /(^|\s)--?accept-routes(=true)?(\s|$)/.test(extra);
  t['exitNode'] = /(^|\s)--?advertise-exit-node(=true)?(\s|$)/.test(extra);
  t['tags'] = (flagValue(extra, 'advertise-tags') ?? '').split(',').filter((x) => /^tag:[a-z0-9-]+$/.test(x));
  raw.services = appServices(services, ts) as never;
  const config = Config.parse(raw);
  // serve and sidecar need apps to expose.
  const modes = MODES.filter((m) => (m !== 'sidecar' && m !== 'serve') || config.services.length > 0);
  return { config, modes };
}

function environment(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (Array.isArray(value))
    for (const item of value) {
      const s = String(item);
      const eq = s.indexOf('=');
      if (eq > 0) out[s.slice(0, eq)] = s.slice(eq + 1);
    }
  else if (value && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) if (v !== null && v !== undefined) out[k] = String(v);
  return out;
}

function flagValue(args: string, flag: string): string | undefined {
  const m = new RegExp(`(?:^|\\s)--?${flag}(?:=|\\s+)(\\S+)`).exec(args);
  return m?.[1];
}

function dnsLabel(s: string): string {
  const label = s
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63)
    .replace(/-+$/, '');
  return label || 'tailscale';
}

function stateDir(volumes: unknown): string {
  for (const v of Array.isArray(volumes) ? volumes : []) {
    const s = typeof v === 'string' ? v : '';
    const [src, dst] = s.split(':');
    if (dst === '/var/lib/tailscale' && src?.startsWith('/')) return src;
  }
  return '/srv/tailscale/state';
}

function firstEnvFile(value: unknown): string | undefined {
  const first = Array.isArray(value) ? value[0] : value;
  const p =
    typeof first === 'string'
      ? first
      : first && typeof first === 'object'
        ? (first as { path?: unknown }).path
        : undefined;
  return typeof p === 'string' && p.length > 0 && !p.includes('$') ? p : undefined;
}

/** Up to three other services that publish a port, on their first network. */
function appServices(services: Record<string, Record<string, unknown>>, ts: string): unknown[] {
  const out: unknown[] = [];
  for (const [name, s] of Object.entries(services)) {
    if (name === ts || !s || !NAME.test(name) || out.length >= 3) continue;
    if (s['network_mode'] !== undefined) continue;
    const port = containerPort(s['ports']);
    if (port === undefined) continue;
    const nets = s['networks'];
    const network = Array.isArray(nets)
      ? nets[0]
      : nets && typeof nets === 'object'
        ? Object.keys(nets)[0]
        : 'default';
    if (typeof network !== 'string' || !NAME.test(network)) continue;
    out.push({ name, port, protocol: 'http', network, publishedOnHost: true });
  }
  return out;
}

function containerPort(ports: unknown): number | undefined {
  for (const p of Array.isArray(ports) ? ports : []) {
    const target =
      typeof p === 'object' && p !== null
        ? (p as { target?: unknown }).target
        : String(p).split('/')[0]!.split(':').at(-1);
    const n = Number(target);
    if (Number.isInteger(n) && n > 0 && n < 65536) return n;
  }
  return undefined;
}
