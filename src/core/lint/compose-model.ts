import { isAlias, isMap, isScalar, isSeq, type Node, type Pair, parseDocument, type Scalar } from 'yaml';
import { type Position, positionOfNode, type YamlSource } from '../compose/yaml-source.js';
import {
  composeArgv,
  flagValue,
  isInterpolated,
  parseGoBool,
  shellCommands,
  shellScriptCommands,
  splitArgs,
  unescapeDollars,
  volumeSource,
  volumeTarget,
} from './values.js';

/** A path of map keys and sequence indexes from the document root, e.g. ['services', 'ts', 'environment', 0]. */
export type Path = readonly (string | number)[];

/** Where a path lands in the YAML. */
export interface Located {
  /** The node holding the value (possibly inside an anchor elsewhere in the file); undefined when missing. */
  node: Node | undefined;
  /** The map entry whose value is `node` (absent for sequence items and the root). */
  pair?: Pair;
  /** True when every segment of the path exists. */
  found: boolean;
  /**
   * Set when the path goes through an alias (`*x`) or a merge key (`<<: *x`): the source range of that
   * alias / merge entry in the referencing text. Findings point here (so each service gets its own line)
   * and fixes must not edit through it (the anchor is shared).
   */
  viaAnchor?: [start: number, end: number];
  /** The deepest existing map/sequence on the path when `found` is false (where a missing key belongs). */
  parent?: Node;
}

/** One variable from a service's `environment:` (list or map form). */
export interface EnvVar {
  name: string;
  /** The text as written; undefined for `- KEY` / `KEY:` (taken from the shell at `up` time). */
  raw?: string;
  /** The literal the container gets, when known: undefined if interpolated (`${X}`) or taken from the shell. */
  value?: string;
  /** True when Compose substitutes something in the value (`${X}`, `$X`); `$$` is a literal. */
  interpolated: boolean;
  /** Path of the list item or map entry, for positions. */
  path: Path;
}

/** Where a service gets a variable from, following Compose precedence (environment over env_file). */
export type EnvLookup =
  | { kind: 'inline'; env: EnvVar }
  | { kind: 'env_file'; file: string }
  /** Not set inline, and some env_file could not be read: it might be set there. */
  | { kind: 'maybe' }
  | { kind: 'unset' };

export type TailscaleMode = 'userspace' | 'kernel' | 'unknown';

export type Launcher = 'containerboot' | 'tailscaled' | 'unknown' | 'none';

/** Variables cmd/containerboot reads (settings.go and main.go at v1.102.3). */
export const CONTAINERBOOT_VARS: ReadonlySet<string> = new Set([
  'TS_ACCEPT_DNS',
  'TS_AUDIENCE',
  'TS_AUTHKEY',
  'TS_AUTH_KEY',
  'TS_AUTH_ONCE',
  'TS_BOOT_TIMEOUT',
  'TS_CLIENT_ID',
  'TS_CLIENT_SECRET',
  'TS_DEBUG_ADDR_PORT',
  'TS_DEST_IP',
  'TS_EGRESS_PROXIES_CONFIG_PATH',
  'TS_ENABLE_HEALTH_CHECK',
  'TS_ENABLE_METRICS',
  'TS_EXPERIMENTAL_CERT_SHARE',
  'TS_EXPERIMENTAL_DEST_DNS_NAME',
  'TS_EXPERIMENTAL_ENABLE_FORWARDING_OPTIMIZATIONS',
  'TS_EXPERIMENTAL_SERVICE_AUTO_ADVERTISEMENT',
  'TS_EXPERIMENTAL_VERSIONED_CONFIG_DIR',
  'TS_EXTRA_ARGS',
  'TS_HEALTHCHECK_ADDR_PORT',
  'TS_HOSTNAME',
  'TS_ID_TOKEN',
  'TS_INGRESS_PROXIES_CONFIG_PATH',
  'TS_KUBE_SECRET',
  'TS_LOCAL_ADDR_PORT',
  'TS_OUTBOUND_HTTP_PROXY_LISTEN',
  'TS_ROUTES',
  'TS_SERVE_CONFIG',
  'TS_SOCKET',
  'TS_SOCKS5_SERVER',
  'TS_STATE_DIR',
  'TS_TAILNET_TARGET_FQDN',
  'TS_TAILNET_TARGET_IP',
  'TS_TAILSCALED_EXTRA_ARGS',
  'TS_USERSPACE',
]);

/** Login variables that tsnet programs (tsbridge, golink, TSDProxy…) read too, so they do not imply containerboot. */
const LOGIN_ONLY_VARS: ReadonlySet<string> = new Set([
  'TS_AUTHKEY',
  'TS_AUTH_KEY',
  'TS_CLIENT_ID',
  'TS_CLIENT_SECRET',
  'TS_ID_TOKEN',
  'TS_AUDIENCE',
  'TS_HOSTNAME',
]);

/** A service as rules see it: name, the resolved (anchors/merges applied) value, and its path. */
export interface Service {
  name: string;
  value: Record<string, unknown>;
  path: Path;
}

export interface ComposeModelOptions {
  /**
   * Variable NAMES per env_file, keyed by the path exactly as written in the compose file. A path
   * missing from this record is treated as unreadable (its variables are unknown). Values are never
   * passed in.
   */
  envFiles?: Readonly<Record<string, readonly string[]>>;
  /**
   * Scripts mounted into a service and run as its entrypoint/command, keyed by the host path as
   * written in the volume (see {@link mountedScriptReferences}). Only the programs they run are read.
   */
  scripts?: Readonly<Record<string, string>>;
}

const TAILSCALE_IMAGE =
  /^(?:(?:docker\.io|index\.docker\.io|registry-1\.docker\.io|ghcr\.io)\/)?tailscale\/tailscale(?:[:@]|$)/;

/**
 * A resolved, read-only view of one compose file for rules: values with anchors and merge keys
 * applied, plus the YAML position of any path. Build one per file (the engine does).
 */
export class ComposeModel {
  readonly root: Record<string, unknown>;
  private readonly envFiles: Readonly<Record<string, readonly string[]>>;
  private readonly scripts: Readonly<Record<string, string>>;
  private serviceCache?: Service[];
  private readonly launcherCache = new Map<string, Launcher>();
  private tailscaleCache?: Service[];
  private readonly envCache = new WeakMap<Service, Map<string, EnvVar>>();

  constructor(
    readonly source: YamlSource,
    options: ComposeModelOptions = {},
  ) {
    const js = source.doc.toJS({ maxAliasCount: -1 }) as unknown;
    this.root = isRecord(js) ? js : {};
    this.envFiles = options.envFiles ?? {};
    this.scripts = options.scripts ?? {};
  }

  // ---- positions -------------------------------------------------------------------------------

  /** Walks `path` through maps, sequences, aliases and `<<` merge keys. */
  locate(path: Path): Located {
    const doc = this.source.doc;
    let node: unknown = doc.contents;
    let pair: Pair | undefined;
    let viaAnchor: [number, number] | undefined;
    for (const seg of path) {
      if (isAlias(node)) {
        viaAnchor ??= rangeOf(node);
        node = node.resolve(doc);
      }
      if (isMap(node)) {
        const hit = findPair(this, node, String(seg));
        if (!hit) return { node: undefined, found: false, viaAnchor, parent: node as Node };
        if (hit.via) viaAnchor ??= hit.via;
        pair = hit.pair;
        node = hit.pair.value;
      } else if (isSeq(node)) {
        const item = typeof seg === 'number' ? node.items[seg] : undefined;
        if (item === undefined) return { node: undefined, found: false, viaAnchor, parent: node as Node };
        pair = undefined;
        node = item;
      } else {
        return { node: undefined, found: false, viaAnchor, parent: node as Node | undefined };
      }
    }
    const located: Located = { node: (node ?? undefined) as Node | undefined, found: true };
    if (pair) located.pair = pair;
    if (viaAnchor) located.viaAnchor = viaAnchor;
    return located;
  }

  /**
   * Line/column of a path: its value node (or, with `key`, its key), the alias/merge entry it came
   * through, or the nearest existing ancestor when it is missing.
   */
  position(path: Path, options: { key?: boolean } = {}): Position {
    const loc = this.locate(path);
    if (loc.viaAnchor) return this.rangePosition(loc.viaAnchor[0], loc.viaAnchor[1]);
    if (!loc.found) {
      // A missing key: point at the key of the nearest existing ancestor entry.
      for (let n = path.length - 1; n > 0; n--) {
        const up = this.locate(path.slice(0, n));
        if (up.found) return this.position(path.slice(0, n), { key: true });
      }
      return positionOfNode(this.source, loc.parent);
    }
    if (options.key && loc.pair && isNode(loc.pair.key)) return positionOfNode(this.source, loc.pair.key);
    if (!loc.node && loc.pair && isNode(loc.pair.key)) return positionOfNode(this.source, loc.pair.key);
    return positionOfNode(this.source, loc.node);
  }

  /** Line/column for a source range of offsets. */
  rangePosition(start: number, end: number): Position {
    const a = this.source.lines.linePos(start);
    const b = this.source.lines.linePos(end);
    return { line: a.line, column: a.col, endLine: b.line, endColumn: b.col };
  }

  // ---- services ----------------------------------------------------------------------------------

  services(): Service[] {
    if (!this.serviceCache) {
      const services = this.root['services'];
      this.serviceCache = isRecord(services)
        ? Object.entries(services)
            .filter(([, v]) => isRecord(v) || v === null)
            .map(([name, v]) => ({ name, value: isRecord(v) ? v : {}, path: ['services', name] }))
        : [];
    }
    return this.serviceCache;
  }

  service(name: string): Service | undefined {
    return this.services().find((s) => s.name === name);
  }

  /**
   * Services that run Tailscale: the official image (`tailscale/tailscale`, `ghcr.io/tailscale/tailscale`),
   * a command/entrypoint that starts tailscaled or containerboot, or containerboot's TS_* variables.
   * A service that only takes an auth key (a tsnet program such as tsbridge or golink) is not one.
   */
  tailscaleServices(): Service[] {
    this.tailscaleCache ??= this.services().filter((s) => this.isTailscale(s));
    return this.tailscaleCache;
  }

  isTailscale(service: Service): boolean {
    return this.launcher(service) !== 'none';
  }

  /**
   * What starts Tailscale in the container: `containerboot` (configured by TS_* variables; on the
   * official image a `command:` is ignored), `tailscaled` started by a hand-written command/entrypoint,
   * `unknown` (the official image with an entrypoint that starts neither), or `none`.
   */
  launcher(service: Service): Launcher {
    let cached = this.launcherCache.get(service.name);
    if (cached === undefined) {
      cached = this.computeLauncher(service);
      this.launcherCache.set(service.name, cached);
    }
    return cached;
  }

  private computeLauncher(service: Service): Launcher {
    const image = this.image(service);
    const official =
      image !== undefined && TAILSCALE_IMAGE.test(image) && service.value['build'] === undefined;
    const entrypoint = service.value['entrypoint'];
    const programs = this.programs(
      service,
      official && entrypoint === undefined ? ['entrypoint'] : undefined,
    );
    if (official) {
      if (entrypoint === undefined) return 'containerboot';
      if (programs.includes('containerboot')) return 'containerboot';
      if (programs.includes('tailscaled')) return 'tailscaled';
      return 'unknown';
    }
    if (programs.includes('tailscaled')) return 'tailscaled';
    if (programs.includes('containerboot')) return 'containerboot';
    const names = [...this.environment(service).keys(), ...this.envFileVariables(service)];
    return names.some((k) => CONTAINERBOOT_VARS.has(k) && !LOGIN_ONLY_VARS.has(k)) ? 'containerboot' : 'none';
  }

  /** Base names of the programs command:/entrypoint: run (through `sh -c` scripts), optionally from some keys only. */
  private programs(service: Service, only?: readonly string[]): string[] {
    const keys = only ?? ['entrypoint', 'command'];
    const argv = keys.flatMap((k) => composeArgv(service.value[k]) ?? []);
    if (argv.length === 0) return [];
    const commands = shellCommands(argv);
    const out = commands.map((c) => basename(c.argv[0] ?? ''));
    // A mounted script run directly (`/entrypoint.sh`) or through a shell (`sh /connect.sh`): its programs too.
    for (const c of commands) {
      const file = SHELLS.has(basename(c.argv[0] ?? ''))
        ? c.argv.find((w, i) => i > 0 && !w.startsWith('-'))
        : c.argv[0];
      const host = file === undefined ? undefined : mountedSource(service.value, file);
      const text = host === undefined ? undefined : this.scripts[host];
      if (text !== undefined) out.push(...shellScriptCommands(text).map((x) => basename(x.argv[0] ?? '')));
    }
    return out;
  }

  image(service: Service): string | undefined {
    const image = service.value['image'];
    return typeof image === 'string' ? image : undefined;
  }

  /** `network_mode` as written (`host`, `service:ts`, `container:x`, `bridge`, `none`), or undefined. */
  networkMode(service: Service): string | undefined {
    const mode = service.value['network_mode'];
    return typeof mode === 'string' ? mode : undefined;
  }

  /** `command:` and `entrypoint:` joined into one string (list or string form). */
  commandLine(service: Service): string {
    return ['entrypoint', 'command']
      .map((k) => service.value[k])
      .map((v) => (Array.isArray(v) ? v.map(String).join(' ') : typeof v === 'string' ? v : ''))
      .filter((s) => s)
      .join(' ');
  }

  /**
   * True when a hand-written command/entrypoint starts `tailscaled` itself (bypassing containerboot's
   * env handling). On the official image a `command:` alone does not count: containerboot is the
   * entrypoint and ignores it.
   */
  runsTailscaled(service: Service): boolean {
    return this.launcher(service) === 'tailscaled';
  }

  /** True when `extends:` pulls settings from another service or file, so absent keys may be set there. */
  extendsOther(service: Service): boolean {
    return service.value['extends'] !== undefined;
  }

  // ---- environment -------------------------------------------------------------------------------

  /** `environment:` normalised from list form (`- K=v`, `- K`) and map form (`K: v`, `K:`); last wins. */
  environment(service: Service): Map<string, EnvVar> {
    const cached = this.envCache.get(service);
    if (cached) return cached;
    const out = new Map<string, EnvVar>();
    this.envCache.set(service, out);
    const env = service.value['environment'];
    const base = [...service.path, 'environment'];
    if (Array.isArray(env)) {
      env.forEach((item, i) => {
        if (item === null || item === undefined || typeof item === 'object') return;
        const text = String(item);
        const eq = text.indexOf('=');
        const name = eq === -1 ? text : text.slice(0, eq);
        out.set(name, envVar(name, eq === -1 ? undefined : text.slice(eq + 1), [...base, i]));
      });
    } else if (isRecord(env)) {
      for (const [name, v] of Object.entries(env)) {
        out.set(name, envVar(name, v === null || v === undefined ? undefined : String(v), [...base, name]));
      }
    }
    return out;
  }

  /** True when `environment:` has list items that are not `KEY=value` strings (a schema error; values unknown). */
  environmentMalformed(service: Service): boolean {
    const env = service.value['environment'];
    return Array.isArray(env) && env.some((i) => typeof i === 'object' && i !== null);
  }

  /** The env_file paths of a service as written (string, list of strings, or `{path}` entries). */
  envFilePaths(service: Service): string[] {
    return envFilePathsOf(service.value['env_file']);
  }

  /** Variable names set by the service's env_files that could be read. */
  envFileVariables(service: Service): Set<string> {
    const names = new Set<string>();
    for (const p of this.envFilePaths(service)) for (const n of this.envFiles[p] ?? []) names.add(n);
    return names;
  }

  /** True when some env_file of the service could not be read (its variables are unknown). */
  hasUnreadEnvFile(service: Service): boolean {
    return this.envFilePaths(service).some((p) => this.envFiles[p] === undefined);
  }

  /** Where a variable comes from for this service (environment wins over env_file). */
  lookup(service: Service, name: string): EnvLookup {
    const env = this.environment(service).get(name);
    if (env) return { kind: 'inline', env };
    for (const p of this.envFilePaths(service))
      if (this.envFiles[p]?.includes(name)) return { kind: 'env_file', file: p };
    return this.hasUnreadEnvFile(service) ? { kind: 'maybe' } : { kind: 'unset' };
  }

  /**
   * containerboot's networking mode: TS_USERSPACE parsed like Go's strconv.ParseBool, default true
   * (userspace) when unset or unparsable. 'unknown' when the value is interpolated, comes from the
   * shell or an env_file (values are never read), or an unreadable env_file might set it.
   */
  mode(service: Service): TailscaleMode {
    if (this.launcher(service) !== 'containerboot' || this.environmentMalformed(service)) return 'unknown';
    const v = this.lookup(service, 'TS_USERSPACE');
    if (v.kind === 'unset') return 'userspace';
    if (v.kind !== 'inline' || v.env.value === undefined) return 'unknown';
    return parseGoBool(v.env.value) === false ? 'kernel' : 'userspace';
  }

  /**
   * What the service advertises through containerboot: TS_ROUTES (comma-separated) and
   * `--advertise-routes` / `--advertise-exit-node` in TS_EXTRA_ARGS. `unknown` is true when either
   * variable is interpolated or set in an env_file, so the answer may be incomplete.
   */
  advertises(service: Service): { routes: string[]; exitNode: boolean; unknown: boolean } {
    let unknown = false;
    const routes: string[] = [];
    let exitNode = false;
    const r = this.lookup(service, 'TS_ROUTES');
    if (r.kind === 'inline' && r.env.value !== undefined) routes.push(...splitList(r.env.value));
    else if (r.kind !== 'unset') unknown = true;
    const x = this.lookup(service, 'TS_EXTRA_ARGS');
    if (x.kind === 'inline' && x.env.value !== undefined) {
      const args = splitArgs(x.env.value);
      const adv = flagValue(args, 'advertise-routes');
      if (typeof adv === 'string') routes.push(...splitList(adv));
      const exit = flagValue(args, 'advertise-exit-node');
      exitNode = exit === true || (typeof exit === 'string' && parseGoBool(exit) === true);
    } else if (x.kind !== 'unset') unknown = true;
    return { routes: [...new Set(routes)], exitNode, unknown };
  }

  /** `sysctls:` normalised from list form (`- k=v`) and map form (`k: v`). */
  sysctls(service: Service): Map<string, { value?: string; path: Path }> {
    const out = new Map<string, { value?: string; path: Path }>();
    const s = service.value['sysctls'];
    const base = [...service.path, 'sysctls'];
    if (Array.isArray(s)) {
      s.forEach((item, i) => {
        const text = String(item);
        const eq = text.indexOf('=');
        const name = (eq === -1 ? text : text.slice(0, eq)).trim();
        const entry: { value?: string; path: Path } = { path: [...base, i] };
        if (eq !== -1) entry.value = text.slice(eq + 1).trim();
        out.set(name, entry);
      });
    } else if (isRecord(s)) {
      for (const [name, v] of Object.entries(s)) {
        const entry: { value?: string; path: Path } = { path: [...base, name] };
        if (v !== null && v !== undefined) entry.value = String(v);
        out.set(name, entry);
      }
    }
    return out;
  }

  /** A list-valued key (`cap_add`, `devices`, `volumes`, …) as an array, or [] when absent. */
  list(service: Service, key: string): unknown[] {
    const v = service.value[key];
    return Array.isArray(v) ? v : [];
  }

  /** True for `privileged: true`. */
  privileged(service: Service): boolean {
    return service.value['privileged'] === true;
  }

  /** The file's leading comment block (the `#` lines before the first YAML content), without `#`. */
  headerComment(): string {
    const start = this.source.doc.contents?.range?.[0] ?? this.source.text.length;
    return this.source.text
      .slice(0, start)
      .split(/\r?\n/)
      .filter((l) => l.trimStart().startsWith('#'))
      .map((l) => l.trimStart().slice(1))
      .join('\n');
  }

  /** The comment lines directly above a service's key (`services:\n  # here\n  ts:`). */
  commentAbove(path: Path): string {
    const loc = this.locate(path);
    const key = loc.pair?.key as { commentBefore?: string } | undefined;
    const before = key?.commentBefore ?? '';
    // The first entry of a map keeps its leading comment on the map node.
    if (!before && path.length > 0) {
      const parent = this.locate(path.slice(0, -1)).node;
      if (isMap(parent) && parent.items[0] === loc.pair)
        return (parent as { commentBefore?: string }).commentBefore ?? '';
    }
    return before;
  }
}

const SHELLS = new Set(['sh', 'ash', 'bash', 'dash']);

/** The host side of the bind mount whose container target is `target` (short or long syntax), when relative or absolute. */
function mountedSource(service: Record<string, unknown>, target: string): string | undefined {
  const volumes = service['volumes'];
  if (!Array.isArray(volumes)) return undefined;
  for (const v of volumes) {
    if (volumeTarget(v) !== target) continue;
    const src = volumeSource(v);
    if (src !== undefined && /^(\.{1,2}\/|\/)/.test(src) && !isInterpolated(src)) return src;
  }
  return undefined;
}

/**
 * Host paths of scripts a compose text mounts into a service and runs as its entrypoint/command
 * (for adapters to read before linting, like env_files).
 */
export function mountedScriptReferences(text: string): string[] {
  if (!/\b(entrypoint|command)\b/.test(text) || !text.includes('volumes')) return [];
  const doc = parseDocument(text, { merge: true, uniqueKeys: false });
  if (doc.errors.length > 0) return [];
  let js: unknown;
  try {
    js = doc.toJS({ maxAliasCount: -1 });
  } catch {
    return [];
  }
  if (!isRecord(js) || !isRecord(js['services'])) return [];
  const out = new Set<string>();
  for (const svc of Object.values(js['services'])) {
    if (!isRecord(svc)) continue;
    const argv = [...(composeArgv(svc['entrypoint']) ?? []), ...(composeArgv(svc['command']) ?? [])];
    for (const c of argv.length > 0 ? shellCommands(argv) : []) {
      const file = SHELLS.has(basename(c.argv[0] ?? ''))
        ? c.argv.find((w, i) => i > 0 && !w.startsWith('-'))
        : c.argv[0];
      const host = file === undefined ? undefined : mountedSource(svc, file);
      if (host !== undefined) out.add(host);
    }
  }
  return [...out];
}

/** The env_file paths referenced anywhere in a compose text (for adapters to read their names first). */
export function envFileReferences(text: string): string[] {
  // Only a file that mentions env_file can reference one; skip the parse for the others.
  if (!text.includes('env_file')) return [];
  const doc = parseDocument(text, { merge: true, uniqueKeys: false });
  if (doc.errors.length > 0) return [];
  let js: unknown;
  try {
    js = doc.toJS({ maxAliasCount: -1 });
  } catch {
    return [];
  }
  if (!isRecord(js) || !isRecord(js['services'])) return [];
  const out = new Set<string>();
  for (const svc of Object.values(js['services'])) {
    if (isRecord(svc)) for (const p of envFilePathsOf(svc['env_file'])) out.add(p);
  }
  return [...out];
}

function envFilePathsOf(v: unknown): string[] {
  const items = Array.isArray(v) ? v : v === undefined || v === null ? [] : [v];
  const out: string[] = [];
  for (const item of items) {
    if (typeof item === 'string') out.push(item);
    else if (isRecord(item) && typeof item['path'] === 'string') out.push(item['path']);
  }
  return out;
}

function envVar(name: string, raw: string | undefined, path: Path): EnvVar {
  const interpolated = raw !== undefined && isInterpolated(raw);
  const v: EnvVar = { name, interpolated, path };
  if (raw !== undefined) {
    v.raw = raw;
    if (!interpolated) v.value = unescapeDollars(raw);
  }
  return v;
}

function splitList(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s);
}

function basename(word: string): string {
  return word.slice(word.lastIndexOf('/') + 1);
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isNode(v: unknown): v is Node {
  return typeof v === 'object' && v !== null && 'range' in v;
}

function rangeOf(node: { range?: [number, number, number] | null }): [number, number] {
  const r = node.range;
  return r ? [r[0], r[1]] : [0, 0];
}

function isMergeKey(key: unknown): boolean {
  return isScalar(key) && ((key as Scalar).value === '<<' || typeof (key as Scalar).value === 'symbol');
}

/** Finds `key` in a map: its own entries first, then `<<` merge sources in order (first wins). */
function findPair(
  model: ComposeModel,
  map: { items: Pair[] },
  key: string,
): { pair: Pair; via?: [number, number] } | undefined {
  const own = map.items.find((p) => !isMergeKey(p.key) && isScalar(p.key) && String(p.key.value) === key);
  if (own) return { pair: own };
  for (const p of map.items) {
    if (!isMergeKey(p.key)) continue;
    const keyRange = (p.key as Node).range;
    const valueRange = (p.value as Node | null)?.range;
    const via: [number, number] = [keyRange?.[0] ?? 0, valueRange?.[1] ?? keyRange?.[1] ?? 0];
    const sources = isSeq(p.value) ? p.value.items : [p.value];
    for (const s of sources) {
      const target = isAlias(s) ? s.resolve(model.source.doc) : s;
      if (isMap(target)) {
        const hit = findPair(model, target, key);
        if (hit) return { pair: hit.pair, via };
      }
    }
  }
  return undefined;
}

// ---- networks (appended by the "networks" rule group) ---------------------------------------------

/** One `ipam.config[]` entry of a top-level network. */
export interface IpamPool {
  /** `subnet` as written, when a literal string. */
  subnet?: string;
  /** `ip_range` as written, when a literal string. */
  ipRange?: string;
  /** True when `subnet` or `ip_range` is interpolated (its value is unknown). */
  interpolated: boolean;
  /** Path of the `ipam.config[]` item. */
  path: Path;
}

/** A network declared under the top-level `networks:`. */
export interface DeclaredNetwork {
  key: string;
  path: Path;
  value: Record<string, unknown>;
  /** `driver` as written; `bridge` when absent; undefined when interpolated or not a string. */
  driver?: string;
  /** `external: true` (its driver and subnets live outside this file). */
  external: boolean;
  pools: IpamPool[];
}

/** Networks declared at the top level (anchors and merges applied). */
export function declaredNetworks(model: ComposeModel): DeclaredNetwork[] {
  const nets = model.root['networks'];
  if (!isRecord(nets)) return [];
  return Object.entries(nets).map(([key, v]) => {
    const value = isRecord(v) ? v : {};
    const path: Path = ['networks', key];
    const d = value['driver'];
    const driver =
      d === undefined || d === null ? 'bridge' : typeof d === 'string' && !isInterpolated(d) ? d : undefined;
    const ipam = value['ipam'];
    const config = isRecord(ipam) && Array.isArray(ipam['config']) ? ipam['config'] : [];
    const pools = config.map((c, i): IpamPool => {
      const pool: IpamPool = { interpolated: false, path: [...path, 'ipam', 'config', i] };
      if (!isRecord(c)) return pool;
      for (const [k, field] of [
        ['subnet', 'subnet'],
        ['ip_range', 'ipRange'],
      ] as const) {
        const s = c[k];
        if (typeof s !== 'string') continue;
        if (isInterpolated(s)) pool.interpolated = true;
        else pool[field] = s.trim();
      }
      return pool;
    });
    return {
      key,
      path,
      value,
      ...(driver !== undefined ? { driver } : {}),
      external: value['external'] === true || isRecord(value['external']),
      pools,
    };
  });
}

/** True for the drivers that put containers directly on a host interface's L2 segment. */
export function isMacvlanDriver(driver: string | undefined): boolean {
  return driver === 'macvlan' || driver === 'ipvlan';
}

/** One network a service attaches to. */
export interface ServiceNetwork {
  key: string;
  /** The entry under the service's `networks:` (list item or map entry); the service itself when implicit. */
  path: Path;
  /** Point positions at the key of `path` (map entries and the implicit default). */
  pointAtKey: boolean;
  /** True for the implicit `default` network of a service without `networks:`. */
  implicit: boolean;
  /** `ipv4_address` of a map entry, when present. */
  ipv4Address?: { raw: unknown; value?: string; path: Path };
}

/**
 * The networks a service attaches to: its `networks:` (list or map form), or the implicit `default`
 * network when it has neither `networks:` nor `network_mode:`. [] with `network_mode:`; undefined
 * when `networks:` has an unexpected shape.
 */
export function serviceNetworks(model: ComposeModel, service: Service): ServiceNetwork[] | undefined {
  if (model.networkMode(service) !== undefined || service.value['network_mode'] !== undefined) return [];
  const nets = service.value['networks'];
  const base = [...service.path, 'networks'];
  if (nets === undefined || nets === null)
    return [{ key: 'default', path: service.path, pointAtKey: true, implicit: true }];
  if (Array.isArray(nets)) {
    return nets
      .map((n, i) => ({ n, i }))
      .filter(({ n }) => typeof n === 'string')
      .map(({ n, i }) => ({ key: n as string, path: [...base, i], pointAtKey: false, implicit: false }));
  }
  if (!isRecord(nets)) return undefined;
  return Object.entries(nets).map(([key, v]) => {
    const entry: ServiceNetwork = { key, path: [...base, key], pointAtKey: true, implicit: false };
    if (isRecord(v) && 'ipv4_address' in v && v['ipv4_address'] !== null) {
      const raw = v['ipv4_address'];
      const a: { raw: unknown; value?: string; path: Path } = { raw, path: [...base, key, 'ipv4_address'] };
      if (typeof raw === 'string' && !isInterpolated(raw)) a.value = raw.trim();
      entry.ipv4Address = a;
    }
    return entry;
  });
}

const OFFICIAL_TAILSCALE_IMAGE = TAILSCALE_IMAGE;

/** True when the service runs the official tailscale/tailscale image (containerboot is the entrypoint). */
export function isOfficialTailscaleImage(model: ComposeModel, service: Service): boolean {
  const image = model.image(service);
  return image !== undefined && OFFICIAL_TAILSCALE_IMAGE.test(image);
}
