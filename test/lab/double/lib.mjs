// tailscale-double: pure helpers shared by the containerboot double, the CLI double and the host-side lab code.
// This is a TEST DOUBLE of tailscale/tailscale's containerboot + tailscaled, not Tailscale.
// Everything here is dependency-free Node (it runs inside tailbridge-test/tailscale-double:lab).
import fs from 'node:fs';
import path from 'node:path';

export const DOUBLE_VERSION = '1.102.3-tailscale-double';
export const DEFAULT_SOCKET = '/tmp/tailscaled.sock';
export const DEFAULT_LOCAL_ADDR_PORT = '[::]:9002';
export const DEFAULT_CONTROL_DIR = '/tailnet';

/** Go strconv.ParseBool: exactly these spellings; anything else (and empty) → undefined. */
export function parseGoBool(value) {
  if (value === undefined) return undefined;
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(value)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(value)) return false;
  return undefined;
}

/** containerboot's defaultBool: empty or unparsable → default. */
export function envBool(env, name, def) {
  const v = parseGoBool(env[name]);
  return v === undefined ? def : v;
}

/**
 * Parses the `tailscale up` flags the double understands out of TS_EXTRA_ARGS (whitespace-split, like
 * strings.Fields). Go's flag package: the last value of a flag wins; booleans accept `--f`, `--f=true|false`.
 * Unknown flags are returned in `unknown` (the real CLI fails with "flag provided but not defined").
 */
export function parseUpFlags(args) {
  const out = { mentioned: new Set(), unknown: [] };
  const stringFlags = [
    'advertise-routes',
    'advertise-tags',
    'hostname',
    'authkey',
    'auth-key',
    'login-server',
  ];
  const boolFlags = ['accept-routes', 'advertise-exit-node', 'accept-dns', 'reset', 'ssh', 'force-reauth'];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const m = /^--?([a-z0-9-]+)(?:=(.*))?$/.exec(a);
    if (!m) {
      out.unknown.push(a);
      continue;
    }
    const name = m[1];
    let value = m[2];
    if (stringFlags.includes(name)) {
      if (value === undefined) value = args[++i] ?? '';
      out[camel(name === 'auth-key' ? 'authkey' : name)] = value;
      out.mentioned.add(name === 'auth-key' ? 'authkey' : name);
    } else if (boolFlags.includes(name)) {
      const b = value === undefined ? true : parseGoBool(value);
      if (b === undefined) {
        out.unknown.push(a);
        continue;
      }
      out[camel(name)] = b;
      out.mentioned.add(name);
    } else out.unknown.push(a);
  }
  return out;
}

function camel(s) {
  return s.replace(/-([a-z])/g, (_, c) => c.toUpperCase());
}

export function splitList(s) {
  return (s ?? '')
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);
}

/** containerboot's configFromEnv, reduced to what the double implements. */
export function settingsFromEnv(env, readFile = (p) => fs.readFileSync(p, 'utf8')) {
  let authKey = env.TS_AUTHKEY || env.TS_AUTH_KEY || '';
  if (authKey.startsWith('file:')) authKey = readFile(authKey.slice(5)).trim();
  return {
    authKey,
    hostname: env.TS_HOSTNAME ?? '',
    // Pointer semantics: undefined = flag not passed; '' = explicitly withdraw routes.
    routes: env.TS_ROUTES,
    extraArgs: (env.TS_EXTRA_ARGS ?? '').split(/\s+/).filter(Boolean),
    daemonExtraArgs: env.TS_TAILSCALED_EXTRA_ARGS ?? '',
    userspace: envBool(env, 'TS_USERSPACE', true),
    stateDir: env.TS_STATE_DIR ?? '',
    socket: env.TS_SOCKET || DEFAULT_SOCKET,
    authOnce: envBool(env, 'TS_AUTH_ONCE', false),
    acceptDNS: parseGoBool(env.TS_ACCEPT_DNS),
    serveConfigPath: env.TS_SERVE_CONFIG ?? '',
    destIP: env.TS_DEST_IP ?? '',
    enableHealthCheck: envBool(env, 'TS_ENABLE_HEALTH_CHECK', false),
    localAddrPort: env.TS_LOCAL_ADDR_PORT || DEFAULT_LOCAL_ADDR_PORT,
    socks5: env.TS_SOCKS5_SERVER ?? '',
    controlDir: env.TAILNET_CONTROL_DIR || DEFAULT_CONTROL_DIR,
    bootTimeoutMs: Number(env.TS_BOOT_TIMEOUT_MS) > 0 ? Number(env.TS_BOOT_TIMEOUT_MS) : 60_000,
  };
}

/** containerboot's validate(), the parts that apply to the double. Returns an error string or undefined. */
export function validateSettings(s) {
  if (s.destIP && s.userspace) return 'TS_DEST_IP is not supported with TS_USERSPACE';
  if (s.routes) {
    for (const r of splitList(s.routes))
      if (!parseCidr(r)) return `invalid subnet route: netip.ParsePrefix("${r}"): bad prefix`;
  }
  return undefined;
}

/** "host:port" / "[v6]:port" / ":port" → {host, port}. */
export function parseAddrPort(s) {
  const m = /^(?:\[([^\]]*)\]|([^:]*)):(\d+)$/.exec(s);
  if (!m) return undefined;
  return { host: m[1] ?? m[2] ?? '', port: Number(m[3]) };
}

// ---- IPv4/IPv6 prefixes (enough for route containment) ----

export function parseIPv4(s) {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (!m) return undefined;
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) return undefined;
  return BigInt(((parts[0] << 24) >>> 0) + (parts[1] << 16) + (parts[2] << 8) + parts[3]);
}

export function parseIPv6(s) {
  if (!s.includes(':')) return undefined;
  const [head, tail, extra] = s.split('::');
  if (extra !== undefined) return undefined;
  const h = head ? head.split(':') : [];
  const t = tail !== undefined && tail ? tail.split(':') : [];
  const fill = tail === undefined ? 0 : 8 - h.length - t.length;
  if (fill < 0 || (tail === undefined && h.length !== 8)) return undefined;
  const groups = [...h, ...Array(fill).fill('0'), ...t];
  let v = 0n;
  for (const g of groups) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
    v = (v << 16n) + BigInt(Number.parseInt(g, 16));
  }
  return v;
}

export function parseIP(s) {
  const v4 = parseIPv4(s);
  if (v4 !== undefined) return { family: 4, value: v4 };
  const v6 = parseIPv6(s);
  if (v6 !== undefined) return { family: 6, value: v6 };
  return undefined;
}

export function parseCidr(s) {
  const [addr, bitsText, more] = s.split('/');
  if (more !== undefined || bitsText === undefined || !/^\d+$/.test(bitsText)) return undefined;
  const ip = parseIP(addr);
  if (!ip) return undefined;
  const bits = Number(bitsText);
  const width = ip.family === 4 ? 32 : 128;
  if (bits > width) return undefined;
  return { ...ip, bits, width };
}

export function cidrContainsIP(cidr, ipText) {
  const c = parseCidr(cidr);
  const ip = parseIP(ipText);
  if (!c || !ip || c.family !== ip.family) return false;
  const shift = BigInt(c.width - c.bits);
  return c.value >> shift === ip.value >> shift;
}

/** outer ⊇ inner */
export function cidrContainsCidr(outer, inner) {
  const o = parseCidr(outer);
  const i = parseCidr(inner);
  if (!o || !i || o.family !== i.family || i.bits < o.bits) return false;
  const shift = BigInt(o.width - o.bits);
  return o.value >> shift === i.value >> shift;
}

/** n-th address of 100.64.0.0/10 (skipping .0 and .255 in the last octet). */
export function tailnetIPv4(n) {
  let k = n;
  const perBlock = 254;
  const block = Math.floor((k - 1) / perBlock);
  k = ((k - 1) % perBlock) + 1;
  const c = block % 256;
  const b = 64 + Math.floor(block / 256);
  return `100.${b}.${c}.${k}`;
}

export const TAILNET_CGNAT = '100.64.0.0/10';

/** Sanitises a hostname into a MagicDNS label, like control does. */
export function dnsLabel(hostname) {
  const l = hostname
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63);
  return l || 'localhost';
}

// ---- the fake control plane (a directory shared by every double and the tests) ----

export function readJson(file, fallback) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return fallback;
  }
}

export function writeJsonAtomic(file, value) {
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  fs.writeFileSync(tmp, `${JSON.stringify(value, null, 2)}\n`);
  fs.renameSync(tmp, file);
}

function sleepSync(ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Runs fn while holding `<dir>/.lock` (O_EXCL create; stale after 10 s). */
export function withControlLock(dir, fn) {
  const lock = path.join(dir, '.lock');
  const deadline = Date.now() + 15_000;
  for (;;) {
    try {
      const fd = fs.openSync(lock, 'wx');
      fs.writeSync(fd, `${process.pid}\n`);
      fs.closeSync(fd);
      break;
    } catch (e) {
      if (e.code !== 'EEXIST') throw e;
      try {
        if (Date.now() - fs.statSync(lock).mtimeMs > 10_000) fs.rmSync(lock, { force: true });
      } catch {}
      if (Date.now() > deadline) throw new Error(`tailscale-double: control lock ${lock} held too long`);
      sleepSync(20);
    }
  }
  try {
    return fn();
  } finally {
    fs.rmSync(lock, { force: true });
  }
}

export function controlFiles(dir) {
  return {
    tailnet: path.join(dir, 'tailnet.json'),
    nodes: path.join(dir, 'nodes.json'),
    keys: path.join(dir, 'keys.json'),
    approvals: path.join(dir, 'approvals.json'),
    sockets: path.join(dir, 'nodes'),
  };
}

export function tailnetSettings(dir) {
  const t = readJson(controlFiles(dir).tailnet, {});
  return {
    name: t.name ?? 'tailbridge-lab',
    magicDNSSuffix: t.magicDNSSuffix ?? 'tblab.ts.net',
    magicDNS: t.magicDNS ?? true,
    https: t.https ?? true,
    ephemeralLogout: t.ephemeralLogout ?? false,
  };
}

export function readNodes(dir) {
  const db = readJson(controlFiles(dir).nodes, {});
  return { nextIP: db.nextIP ?? 1, nextID: db.nextID ?? 1, nodes: Array.isArray(db.nodes) ? db.nodes : [] };
}

export function readApprovals(dir) {
  const a = readJson(controlFiles(dir).approvals, {});
  return {
    routes: a.routes ?? {},
    exitNodes: a.exitNodes ?? [],
    autoApprovers: { routes: a.autoApprovers?.routes ?? {}, exitNode: a.autoApprovers?.exitNode ?? [] },
  };
}

/** Returns the key record, or an error string like control's. */
export function checkAuthKey(dir, key) {
  const keys = readJson(controlFiles(dir).keys, {});
  const bare = key.split('?')[0];
  const rec = keys[bare];
  if (!rec) return { error: 'invalid key: API key does not exist' };
  if (rec.expired) return { error: 'invalid key: API key expired' };
  return {
    key: { ephemeral: Boolean(rec.ephemeral) || key.includes('ephemeral=true'), tags: rec.tags ?? [] },
  };
}

/** Routes of `node` that are approved (per-name list or autoApprovers by tag). */
export function approvedRoutes(node, approvals) {
  const byName = approvals.routes[node.name] ?? [];
  return (node.advertisedRoutes ?? []).filter((r) => {
    if (byName.includes(r) || approvals.routes['*']?.includes(r)) return true;
    return Object.entries(approvals.autoApprovers.routes).some(
      ([prefix, owners]) =>
        cidrContainsCidr(prefix, r) && owners.some((o) => (node.tags ?? []).includes(o) || o === '*'),
    );
  });
}

export function exitNodeApproved(node, approvals) {
  if (!node.exitNodeAdvertised) return false;
  if (approvals.exitNodes.includes(node.name)) return true;
  return approvals.autoApprovers.exitNode.some((o) => (node.tags ?? []).includes(o) || o === '*');
}

/** Which node carries `ip` on the tailnet: its own Tailscale IP, else an approved subnet route (longest prefix). */
export function routeFor(ip, nodes, approvals) {
  const own = nodes.find((n) => n.online && (n.tailscaleIPs ?? []).includes(ip));
  if (own) return { node: own, kind: 'self' };
  let best;
  for (const n of nodes) {
    if (!n.online) continue;
    for (const r of approvedRoutes(n, approvals)) {
      if (!cidrContainsIP(r, ip)) continue;
      const bits = parseCidr(r).bits;
      if (!best || bits > best.bits) best = { node: n, kind: 'subnet', route: r, bits };
    }
  }
  return best;
}

export function nodeFQDN(node, settings) {
  return `${node.name}.${settings.magicDNSSuffix}`;
}

/** MagicDNS: `<name>.<suffix>` (trailing dot optional) or the bare name → the node's first IP. */
export function resolveMagicDNS(host, nodes, settings) {
  const h = host.toLowerCase().replace(/\.$/, '');
  const suffix = `.${settings.magicDNSSuffix}`;
  const name = h.endsWith(suffix) ? h.slice(0, -suffix.length) : h.includes('.') ? undefined : h;
  if (!name) return undefined;
  const n = nodes.find((x) => x.name === name && (x.tailscaleIPs ?? []).length > 0);
  return n?.tailscaleIPs[0];
}

/** Go's log format with containerboot's "boot: " prefix (prefix first, then date and time). */
export function goLogTime(d = new Date()) {
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}/${p(d.getMonth() + 1)}/${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}
