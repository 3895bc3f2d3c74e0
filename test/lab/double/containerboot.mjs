#!/usr/bin/node
// [tailscale-double] TEST DOUBLE of tailscale/tailscale's /usr/local/bin/containerboot (+ the tailscaled it starts).
// It is NOT Tailscale. It reproduces containerboot's documented env handling, log milestones and failure
// exits, keeps node state in a fake control plane (a directory shared by all doubles, TAILNET_CONTROL_DIR,
// default /tailnet) and relays TCP between doubles over unix sockets (the "fake tailnet").
// See test/lab/double/README.md for what is reproduced and what is simplified.
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {
  approvedRoutes,
  checkAuthKey,
  cidrContainsIP,
  controlFiles,
  DOUBLE_VERSION,
  dnsLabel,
  exitNodeApproved,
  goLogTime,
  nodeFQDN,
  parseAddrPort,
  parseCidr,
  parseIP,
  parseUpFlags,
  readApprovals,
  readJson,
  readNodes,
  resolveMagicDNS,
  routeFor,
  settingsFromEnv,
  splitList,
  TAILNET_CGNAT,
  tailnetIPv4,
  tailnetSettings,
  validateSettings,
  withControlLock,
  writeJsonAtomic,
} from './lib.mjs';

const boot = (msg) => process.stderr.write(`boot: ${goLogTime()} ${msg}\n`);
const daemon = (msg) => process.stdout.write(`${goLogTime()} ${msg}\n`);
const lab = (msg) => process.stderr.write(`[tailscale-double] ${msg}\n`);
const fatal = (msg, code = 1) => {
  boot(msg);
  shutdown(code, false);
};

let cfg;
try {
  cfg = settingsFromEnv(process.env);
} catch (e) {
  boot(`invalid configuration: ${e.message}`);
  process.exit(1);
}
lab(
  `test double of tailscale/tailscale containerboot ${DOUBLE_VERSION} (not Tailscale); control plane ${cfg.controlDir}`,
);

// ---------- runtime state ----------
const state = {
  backend: 'NoState',
  authURL: '',
  node: undefined, // control-plane record of this node
  prefs: {
    hostname: '',
    advertiseRoutes: [],
    acceptRoutes: false,
    exitNode: false,
    tags: [],
    acceptDNS: false,
  },
  serveConfig: {},
  serveEtag: '',
  health: [],
  createdAt: new Date().toISOString(),
};
const servers = [];
let stopping = false;
const timers = [];

function shutdown(code, graceful) {
  if (stopping) return;
  stopping = true;
  for (const t of timers) clearInterval(t);
  if (graceful) boot('Sending SIGTERM to tailscaled');
  try {
    if (state.node) markOffline(graceful);
  } catch (e) {
    lab(`could not update control plane on shutdown: ${e.message}`);
  }
  for (const s of servers) {
    try {
      s.close();
    } catch {}
  }
  try {
    if (state.node) fs.rmSync(dataSocketPath(state.node.tailscaleIPs[0]), { force: true });
    fs.rmSync(cfg.socket, { force: true });
  } catch {}
  process.exitCode = code;
  setTimeout(() => process.exit(code), 50).unref();
  // Exit right away once handles close; the timer is the fallback.
  process.exit(code);
}
process.on('SIGTERM', () => shutdown(0, true));
process.on('SIGINT', () => shutdown(0, true));

// ---------- kernel-mode preflight (containerboot's ensureTunFile / ensureIPForwarding) ----------
const invalid = validateSettings(cfg);
if (invalid) fatal(`invalid configuration: ${invalid}`);

function capNetAdmin() {
  try {
    const m = /^CapEff:\s*([0-9a-f]+)$/m.exec(fs.readFileSync('/proc/self/status', 'utf8'));
    return m ? (BigInt(`0x${m[1]}`) & (1n << 12n)) !== 0n : false;
  } catch {
    return false;
  }
}

function readSysctl(p) {
  try {
    return fs.readFileSync(p, 'utf8').trim();
  } catch {
    return undefined;
  }
}

const V4_FWD = '/proc/sys/net/ipv4/ip_forward';
const V6_FWD = '/proc/sys/net/ipv6/conf/all/forwarding';

function routeFamilies(routes) {
  const fam = { v4: false, v6: false };
  for (const r of routes) {
    const c = parseCidr(r);
    if (c?.family === 4) fam.v4 = true;
    else if (c?.family === 6) fam.v6 = true;
  }
  return fam;
}

function forwardingEnabledFor(ip) {
  const fam = parseIP(ip)?.family;
  return readSysctl(fam === 6 ? V6_FWD : V4_FWD) === '1';
}

if (!cfg.userspace && !stopping) {
  if (!fs.existsSync('/dev/net/tun')) {
    fs.mkdirSync('/dev/net', { recursive: true });
    const r = spawnSync('mknod', ['/dev/net/tun', 'c', '10', '200'], { encoding: 'utf8' });
    if (r.status !== 0) fatal('unable to create tuntap device file: operation not permitted');
  }
  if (!stopping && (cfg.routes !== undefined || cfg.destIP)) {
    const fam = routeFamilies(splitList(cfg.routes));
    if (cfg.destIP) fam[parseIP(cfg.destIP)?.family === 6 ? 'v6' : 'v4'] = true;
    const paths = [...(fam.v4 ? [V4_FWD] : []), ...(fam.v6 ? [V6_FWD] : [])];
    for (const p of paths) {
      const v = readSysctl(p);
      if (v === undefined) {
        boot(`Failed to enable IP forwarding: reading "${p}": open ${p}: no such file or directory`);
        boot('To run tailscale as a proxy or router container, IP forwarding must be enabled.');
        fatal(
          'you can fix this by running the container with privileged=true, or the equivalent in your container runtime that permits access to sysctls.',
        );
        break;
      }
      if (v !== '1') {
        try {
          fs.writeFileSync(p, '1');
        } catch (e) {
          const why =
            e.code === 'EROFS'
              ? 'read-only file system'
              : e.code === 'EACCES'
                ? 'permission denied'
                : e.message;
          boot(`Failed to enable IP forwarding: enabling "${p}": open ${p}: ${why}`);
          boot('To run tailscale as a proxy or router container, IP forwarding must be enabled.');
          fatal(
            'you can fix this by running the container with privileged=true, or the equivalent in your container runtime that permits access to sysctls.',
          );
          break;
        }
      }
    }
  }
}

// ---------- "tailscaled" ----------
if (!stopping) {
  boot('Starting tailscaled');
  boot(`Waiting for tailscaled socket at ${cfg.socket}`);
  daemon(`logtail started`);
  daemon(`Program starting: v${DOUBLE_VERSION}, Go 1.25: ${JSON.stringify(process.argv.slice(1))}`);
  daemon(
    `tailscaled --socket=${cfg.socket} ${cfg.stateDir ? `--statedir=${cfg.stateDir}` : '--state=mem: --statedir=/tmp'}${cfg.userspace ? ' --tun=userspace-networking' : ''}${cfg.socks5 ? ` --socks5-server=${cfg.socks5}` : ''}`,
  );
  if (!cfg.userspace) {
    let tunErr;
    try {
      fs.closeSync(fs.openSync('/dev/net/tun', 'r+'));
    } catch (e) {
      tunErr =
        e.code === 'ENOENT' || e.code === 'ENXIO' || e.code === 'ENODEV'
          ? 'CreateTUN("tailscale0") failed; /dev/net/tun does not exist'
          : 'tstun.New("tailscale0"): operation not permitted';
    }
    // TUNSETIFF needs CAP_NET_ADMIN; Node cannot ioctl, so the capability check stands in for it.
    if (!tunErr && !capNetAdmin()) tunErr = 'tstun.New("tailscale0"): operation not permitted';
    if (tunErr) {
      daemon(`wgengine.NewUserspaceEngine(tun "tailscale0") error: ${tunErr}`);
      daemon(`getLocalBackend error: createEngine: ${tunErr}`);
      fatal(
        `failed to watch tailscaled for updates: Failed to connect to local Tailscale daemon for /localapi/v0/watch-ipn-bus; not running? Error: dial unix ${cfg.socket}: connect: connection refused`,
      );
    }
  }
}

function dataSocketPath(ip) {
  return path.join(controlFiles(cfg.controlDir).sockets, `${ip}.sock`);
}

function statePath() {
  return cfg.stateDir ? path.join(cfg.stateDir, 'tailscaled.state') : '';
}

function saveState() {
  if (!cfg.stateDir || !state.node) return;
  fs.mkdirSync(cfg.stateDir, { recursive: true });
  writeJsonAtomic(statePath(), {
    _comment: 'tailscale-double state (test double of tailscaled.state)',
    nodeID: state.node.id,
    nodeKey: state.node.nodeKey,
    name: state.node.name,
    tailscaleIPs: state.node.tailscaleIPs,
    prefs: state.prefs,
    controlDir: cfg.controlDir,
  });
}

function updateNode(mutate) {
  return withControlLock(cfg.controlDir, () => {
    const files = controlFiles(cfg.controlDir);
    const db = readNodes(cfg.controlDir);
    const n = db.nodes.find((x) => x.nodeKey === state.node?.nodeKey);
    if (!n) return undefined;
    mutate(n, db);
    writeJsonAtomic(files.nodes, db);
    state.node = n;
    return n;
  });
}

function uniqueName(db, wanted, selfKey) {
  const base = dnsLabel(wanted);
  const taken = (name) => db.nodes.some((x) => x.name === name && x.nodeKey !== selfKey);
  if (!taken(base)) return base;
  for (let i = 1; ; i++) if (!taken(`${base}-${i}`)) return `${base}-${i}`;
}

function registerNode(keyInfo) {
  return withControlLock(cfg.controlDir, () => {
    const files = controlFiles(cfg.controlDir);
    fs.mkdirSync(files.sockets, { recursive: true });
    const db = readNodes(cfg.controlDir);
    const nodeKey = `nodekey:${crypto.randomBytes(32).toString('hex')}`;
    const hostName = state.prefs.hostname || os.hostname();
    const n = {
      id: `n${String(db.nextID).padStart(4, '0')}LABCNTRL`,
      nodeKey,
      name: uniqueName(db, hostName, nodeKey),
      hostName,
      tailscaleIPs: [tailnetIPv4(db.nextIP)],
      advertisedRoutes: state.prefs.advertiseRoutes,
      exitNodeAdvertised: state.prefs.exitNode,
      acceptRoutes: state.prefs.acceptRoutes,
      tags: [...new Set([...(keyInfo.tags ?? []), ...state.prefs.tags])],
      ephemeral: !cfg.stateDir || keyInfo.ephemeral,
      userspace: cfg.userspace,
      online: false,
      os: 'linux',
      created: new Date().toISOString(),
      lastSeen: new Date().toISOString(),
    };
    db.nextID += 1;
    db.nextIP += 1;
    db.nodes.push(n);
    writeJsonAtomic(files.nodes, db);
    state.node = n;
    return n;
  });
}

function markOffline(graceful) {
  const settings = tailnetSettings(cfg.controlDir);
  withControlLock(cfg.controlDir, () => {
    const files = controlFiles(cfg.controlDir);
    const db = readNodes(cfg.controlDir);
    const i = db.nodes.findIndex((x) => x.nodeKey === state.node.nodeKey);
    if (i < 0) return;
    if (graceful && state.node.ephemeral && settings.ephemeralLogout) db.nodes.splice(i, 1);
    else {
      db.nodes[i].online = false;
      db.nodes[i].lastSeen = new Date().toISOString();
    }
    writeJsonAtomic(files.nodes, db);
  });
}

// ---------- status (ipnstate.Status field names) ----------
function peerStatus(n, approvals, settings, self) {
  const approved = approvedRoutes(n, approvals);
  const s = {
    ID: n.id,
    PublicKey: n.nodeKey,
    HostName: n.hostName,
    DNSName: `${nodeFQDN(n, settings)}.`,
    OS: n.os ?? 'linux',
    UserID: 1,
    TailscaleIPs: n.tailscaleIPs,
    AllowedIPs: [...n.tailscaleIPs.map((ip) => `${ip}/32`), ...approved],
    Addrs: self ? null : [],
    CurAddr: '',
    Relay: '',
    RxBytes: 0,
    TxBytes: 0,
    Created: n.created,
    LastWrite: '0001-01-01T00:00:00Z',
    LastSeen: n.lastSeen,
    LastHandshake: '0001-01-01T00:00:00Z',
    Online: self ? true : Boolean(n.online),
    ExitNode: false,
    ExitNodeOption: exitNodeApproved(n, approvals),
    Active: false,
    PeerAPIURL: [],
    InNetworkMap: true,
    InMagicSock: !self,
    InEngine: !self,
  };
  if ((n.tags ?? []).length > 0) s.Tags = n.tags;
  if (approved.length > 0) s.PrimaryRoutes = approved;
  return s;
}

function status(withPeers = true) {
  const settings = tailnetSettings(cfg.controlDir);
  const approvals = readApprovals(cfg.controlDir);
  const running = state.backend === 'Running' && state.node;
  const db = readNodes(cfg.controlDir);
  const me = running ? (db.nodes.find((x) => x.nodeKey === state.node.nodeKey) ?? state.node) : undefined;
  const peers = {};
  if (running && withPeers)
    for (const n of db.nodes)
      if (n.nodeKey !== me.nodeKey) peers[n.nodeKey] = peerStatus(n, approvals, settings, false);
  const fqdn = me ? nodeFQDN(me, settings) : '';
  return {
    Version: DOUBLE_VERSION,
    TUN: !cfg.userspace,
    BackendState: state.backend,
    HaveNodeKey: Boolean(state.node),
    AuthURL: state.authURL,
    TailscaleIPs: me ? me.tailscaleIPs : null,
    Self: me
      ? peerStatus(me, approvals, settings, true)
      : {
          ID: '',
          PublicKey: 'nodekey:0000000000000000000000000000000000000000000000000000000000000000',
          HostName: state.prefs.hostname || os.hostname(),
          DNSName: '',
          OS: 'linux',
          UserID: 0,
          TailscaleIPs: null,
          AllowedIPs: null,
          Online: false,
          ExitNode: false,
          ExitNodeOption: false,
          Active: false,
          InNetworkMap: false,
        },
    Health: [...state.health],
    MagicDNSSuffix: settings.magicDNSSuffix,
    CurrentTailnet: running
      ? { Name: settings.name, MagicDNSSuffix: settings.magicDNSSuffix, MagicDNSEnabled: settings.magicDNS }
      : null,
    CertDomains: running && settings.https ? [fqdn] : null,
    Peer: running && withPeers ? peers : null,
    User: running ? { 1: { ID: 1, LoginName: 'lab@tailbridge.test', DisplayName: 'tailbridge lab' } } : null,
    ClientVersion: null,
  };
}

function prefsJSON() {
  return {
    ControlURL: 'https://controlplane.tailscale.com',
    RouteAll: state.prefs.acceptRoutes,
    ExitNodeID: '',
    ExitNodeIP: '',
    CorpDNS: state.prefs.acceptDNS,
    RunSSH: false,
    WantRunning: state.backend === 'Running',
    LoggedOut: !state.node,
    ShieldsUp: false,
    AdvertiseTags: state.prefs.tags.length ? state.prefs.tags : null,
    Hostname: state.prefs.hostname,
    AdvertiseRoutes: state.prefs.advertiseRoutes.length ? state.prefs.advertiseRoutes : null,
    NoSNAT: false,
    NetfilterMode: cfg.userspace ? 0 : 2,
  };
}

// ---------- LocalAPI over TS_SOCKET (Host must be local-tailscaled.sock) ----------
function startLocalAPI() {
  fs.mkdirSync(path.dirname(cfg.socket), { recursive: true });
  fs.rmSync(cfg.socket, { force: true });
  const srv = http.createServer((req, res) => {
    const host = (req.headers.host ?? '').split(':')[0];
    if (host !== 'local-tailscaled.sock') {
      res.writeHead(403).end('invalid localapi request\n');
      return;
    }
    const url = new URL(req.url, 'http://local-tailscaled.sock');
    const json = (code, body, headers = {}) => {
      res.writeHead(code, { 'Content-Type': 'application/json', ...headers });
      res.end(`${JSON.stringify(body, null, 2)}\n`);
    };
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      try {
        switch (`${req.method} ${url.pathname}`) {
          case 'GET /localapi/v0/status':
            return json(200, status(url.searchParams.get('peers') !== 'false'));
          case 'GET /localapi/v0/prefs':
            return json(200, prefsJSON());
          case 'PATCH /localapi/v0/prefs':
            applyMaskedPrefs(JSON.parse(body || '{}'));
            return json(200, prefsJSON());
          case 'GET /localapi/v0/serve-config':
            return json(200, state.serveConfig, { Etag: state.serveEtag });
          case 'POST /localapi/v0/serve-config':
            setServeConfig(JSON.parse(body || '{}'));
            return json(200, {});
          case 'GET /localapi/v0/cert-domains':
            return json(200, status().CertDomains ?? []);
          case 'GET /localapi/v0/check-ip-forwarding':
            return json(200, { Warning: forwardingWarning() ?? '' });
          default:
            res.writeHead(404).end('not found\n');
        }
      } catch (e) {
        json(500, { error: e.message });
      }
    });
  });
  // /localapi/v0/dial (Upgrade: ts-dial): what `tailscale nc` uses.
  srv.on('upgrade', (req, sock, head) => {
    const host = req.headers['dial-host'];
    const port = Number(req.headers['dial-port']);
    tailnetOrSystemDial(String(host ?? ''), port, (err, upstream) => {
      if (err) {
        sock.end(`HTTP/1.1 502 Bad Gateway\r\nContent-Type: text/plain\r\n\r\n${err}\n`);
        return;
      }
      sock.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: ts-dial\r\nConnection: upgrade\r\n\r\n');
      if (head?.length) upstream.write(head);
      pipe(sock, upstream);
    });
  });
  srv.listen(cfg.socket);
  servers.push(srv);
  try {
    const def = '/var/run/tailscale/tailscaled.sock';
    if (cfg.socket !== def) {
      fs.mkdirSync(path.dirname(def), { recursive: true, mode: 0o700 });
      fs.rmSync(def, { force: true });
      fs.symlinkSync(cfg.socket, def);
    }
  } catch (e) {
    boot(
      `[warning] failed to symlink socket: ${e.message}\n\tTo interact with the Tailscale CLI please use \`tailscale --socket="${cfg.socket}"\``,
    );
  }
}

function applyMaskedPrefs(p) {
  if (p.AdvertiseRoutesSet) state.prefs.advertiseRoutes = p.AdvertiseRoutes ?? [];
  if (p.RouteAllSet) state.prefs.acceptRoutes = Boolean(p.RouteAll);
  if (p.HostnameSet) state.prefs.hostname = p.Hostname ?? '';
  if (p.CorpDNSSet) state.prefs.acceptDNS = Boolean(p.CorpDNS);
  if (p.AdvertiseTagsSet) state.prefs.tags = p.AdvertiseTags ?? [];
  if (p.ExitNodeAdvertiseSet) state.prefs.exitNode = Boolean(p.ExitNodeAdvertise);
  pushPrefsToControl();
}

function pushPrefsToControl() {
  if (!state.node) return;
  const settingsHost = state.prefs.hostname || os.hostname();
  updateNode((n, db) => {
    n.advertisedRoutes = state.prefs.advertiseRoutes;
    n.acceptRoutes = state.prefs.acceptRoutes;
    n.exitNodeAdvertised = state.prefs.exitNode;
    n.tags = [...new Set([...(n.keyTags ?? []), ...state.prefs.tags])];
    if (n.hostName !== settingsHost) {
      n.hostName = settingsHost;
      n.name = uniqueName(db, settingsHost, n.nodeKey);
    }
  });
  refreshHealth();
  saveState();
}

function forwardingWarning() {
  if (cfg.userspace) return undefined;
  const routes = state.prefs.advertiseRoutes;
  if (routes.length === 0 && !state.prefs.exitNode) return undefined;
  const fam = routeFamilies(routes);
  if (state.prefs.exitNode) {
    fam.v4 = true;
    fam.v6 = true;
  }
  const off = (fam.v4 && readSysctl(V4_FWD) !== '1') || (fam.v6 && readSysctl(V6_FWD) !== '1');
  return off
    ? 'IP forwarding is disabled, subnet routing/exit nodes will not work. See https://tailscale.com/s/ip-forwarding'
    : undefined;
}

function refreshHealth() {
  const w = forwardingWarning();
  state.health = w ? [w] : [];
}

// ---------- `tailscale up` / `tailscale set` (run in-process; output like the CLI) ----------
function upArgs() {
  const args = [`--accept-dns=${cfg.acceptDNS === true}`];
  if (cfg.authKey) args.push(`--authkey=${cfg.authKey}`);
  if (cfg.routes !== undefined) args.push(`--advertise-routes=${cfg.routes}`);
  if (cfg.hostname) args.push(`--hostname=${cfg.hostname}`);
  args.push(...cfg.extraArgs);
  return args;
}

function cliFail(lines, exit = 1) {
  for (const l of lines) process.stderr.write(`${l}\n`);
  fatal(`failed to auth tailscale: failed to auth tailscale: tailscale up failed: exit status ${exit}`);
}

function prefsFromFlags(flags, base) {
  return {
    hostname: flags.hostname ?? base.hostname,
    advertiseRoutes:
      flags.advertiseRoutes !== undefined ? splitList(flags.advertiseRoutes) : base.advertiseRoutes,
    acceptRoutes: flags.acceptRoutes ?? base.acceptRoutes,
    exitNode: flags.advertiseExitNode ?? base.exitNode,
    tags: flags.advertiseTags !== undefined ? splitList(flags.advertiseTags) : base.tags,
    acceptDNS: flags.acceptDns ?? base.acceptDNS,
  };
}

const DEFAULT_PREFS = {
  hostname: '',
  advertiseRoutes: [],
  acceptRoutes: false,
  exitNode: false,
  tags: [],
  acceptDNS: true,
};

/** cli/up.go checkForAccidentalSettingReverts, for the flags the double knows. */
function accidentalReverts(flags, current) {
  const missing = [];
  if (current.acceptRoutes && !flags.mentioned.has('accept-routes')) missing.push('--accept-routes');
  if (current.exitNode && !flags.mentioned.has('advertise-exit-node')) missing.push('--advertise-exit-node');
  if (current.advertiseRoutes.length && !flags.mentioned.has('advertise-routes'))
    missing.push(`--advertise-routes=${current.advertiseRoutes.join(',')}`);
  if (current.tags.length && !flags.mentioned.has('advertise-tags'))
    missing.push(`--advertise-tags=${current.tags.join(',')}`);
  if (current.hostname && !flags.mentioned.has('hostname')) missing.push(`--hostname=${current.hostname}`);
  return missing;
}

function tailscaleUp(loggedIn) {
  boot("Running 'tailscale up'");
  const flags = parseUpFlags(upArgs());
  if (flags.unknown.length > 0) {
    const bad = flags.unknown[0].replace(/=.*/, '').replace(/^-+/, '');
    return cliFail([`flag provided but not defined: -${bad}`], 2);
  }
  for (const r of splitList(flags.advertiseRoutes)) {
    if (!parseCidr(r)) return cliFail([`invalid IP address or CIDR prefix "${r}"`]);
  }
  if (loggedIn && !flags.reset) {
    const missing = accidentalReverts(flags, state.prefs);
    if (missing.length) {
      return cliFail([
        "Error: changing settings via 'tailscale up' requires mentioning all",
        'non-default flags. To proceed, either re-run your command with --reset or',
        'use the command below to explicitly mention the current value of',
        'all non-default settings:',
        '',
        `\ttailscale up ${[...upArgs().filter((a) => !a.startsWith('--authkey')), ...missing].join(' ')}`,
      ]);
    }
  }
  const base = flags.reset || !loggedIn ? DEFAULT_PREFS : state.prefs;
  state.prefs = prefsFromFlags(flags, base);
  let keyInfo;
  if (flags.authkey) {
    const k = checkAuthKey(cfg.controlDir, flags.authkey);
    if (k.error) return cliFail([`backend error: ${k.error}`]);
    keyInfo = k.key;
  }
  const warn = forwardingWarning();
  if (warn) process.stderr.write(`Warning: ${warn}\n`);
  if (loggedIn) {
    pushPrefsToControl();
    return goRunning();
  }
  if (!keyInfo) return needsLogin();
  registerNode(keyInfo);
  updateNode((n) => {
    n.keyTags = keyInfo.tags ?? [];
  });
  saveState();
  refreshHealth();
  return goRunning();
}

function tailscaleSet() {
  boot("Running 'tailscale set'");
  if (cfg.routes !== undefined) state.prefs.advertiseRoutes = splitList(cfg.routes);
  if (cfg.hostname) state.prefs.hostname = cfg.hostname;
  state.prefs.acceptDNS = cfg.acceptDNS === true;
  pushPrefsToControl();
}

function needsLogin() {
  state.backend = 'NeedsLogin';
  state.authURL = `https://login.tailscale.com/a/${crypto.randomBytes(6).toString('hex')}`;
  daemon('Switching ipn state NoState -> NeedsLogin (WantRunning=true, nm=false)');
  process.stdout.write(`\nTo authenticate, visit:\n\n\t${state.authURL}\n\n`);
  const t = setTimeout(() => {
    if (state.backend !== 'Running')
      fatal('failed to auth tailscale: failed to auth tailscale: tailscale up failed: signal: killed');
  }, cfg.bootTimeoutMs);
  t.unref?.();
  timers.push(t);
}

// ---------- Running ----------
function goRunning() {
  state.backend = 'Running';
  state.authURL = '';
  updateNode((n) => {
    n.online = true;
    n.userspace = cfg.userspace;
    n.lastSeen = new Date().toISOString();
  });
  daemon('Switching ipn state Starting -> Running (WantRunning=true, nm=true)');
  startDataPlane();
  if (cfg.authOnce && loggedInAtBoot) tailscaleSet();
  if (cfg.serveConfigPath) {
    boot('serve proxy: unsetting previous config');
    setServeConfig({});
    watchServeConfig();
  }
  if (cfg.socks5) startSocks5();
  boot('Startup complete, waiting for shutdown signal');
  // The runLoop: leaving Running (node deleted/expired in the control plane) ends containerboot.
  timers.push(
    setInterval(() => {
      const db = readNodes(cfg.controlDir);
      const n = db.nodes.find((x) => x.nodeKey === state.node.nodeKey);
      if (!n || n.expired || n.loggedOut) {
        state.backend = 'NeedsLogin';
        state.node = n ? state.node : undefined;
        daemon('Switching ipn state Running -> NeedsLogin (WantRunning=true, nm=false)');
        fatal('tailscaled left running state (now in state "NeedsLogin"), exiting');
      }
    }, 1000),
  );
}

// ---------- serve ----------
function setServeConfig(sc) {
  state.serveConfig = sc ?? {};
  state.serveEtag = crypto.createHash('sha256').update(JSON.stringify(state.serveConfig)).digest('hex');
}

function watchServeConfig() {
  let last;
  let reportedMissing = false;
  const tick = () => {
    let text;
    try {
      text = fs.readFileSync(cfg.serveConfigPath, 'utf8');
    } catch {
      if (!reportedMissing)
        boot(`serve proxy: serve config file "${cfg.serveConfigPath}" does not exist, skipping`);
      reportedMissing = true;
      return;
    }
    reportedMissing = false;
    if (!text.trim()) return;
    const settings = tailnetSettings(cfg.controlDir);
    const certDomain = settings.https ? nodeFQDN(state.node, settings) : 'no-https';
    const replaced = text.replaceAll('${TS_CERT_DOMAIN}', certDomain);
    if (replaced === last) return;
    last = replaced;
    let sc;
    try {
      sc = JSON.parse(replaced);
    } catch (e) {
      fatal(`failed to read serve config: ${e.message}`);
      return;
    }
    if (!settings.https && Object.values(sc.TCP ?? {}).some((h) => h?.HTTPS)) {
      boot(
        'serve proxy: this node is configured as a proxy that exposes an HTTPS endpoint to tailnet, (perhaps a Kubernetes operator Ingress proxy) but it is not able to issue TLS certs, so this will likely not work. To make it work, ensure that HTTPS is enabled for your tailnet, see https://tailscale.com/kb/1153/enabling-https for more details.',
      );
      return;
    }
    boot('Applying serve config');
    setServeConfig(sc);
  };
  tick();
  timers.push(setInterval(tick, 1000));
}

function webServer() {
  return http.createServer((req, res) => {
    const port = req.socket.servePort;
    const host = (req.headers.host ?? '').replace(/:\d+$/, '');
    const web = state.serveConfig.Web?.[`${host}:${port}`];
    const urlPath = (req.url ?? '/').split('?')[0];
    const mounts = Object.keys(web?.Handlers ?? {})
      .filter((m) => m === '/' || urlPath === m || urlPath.startsWith(m.endsWith('/') ? m : `${m}/`))
      .sort((a, b) => b.length - a.length);
    const mount = mounts[0];
    const h = mount ? web.Handlers[mount] : undefined;
    if (!h) {
      res.writeHead(404).end('404 page not found\n');
      return;
    }
    if (h.Text !== undefined) {
      res.writeHead(200, { 'Content-Type': 'text/plain' }).end(h.Text);
      return;
    }
    if (h.Redirect) {
      res.writeHead(302, { Location: h.Redirect }).end();
      return;
    }
    if (!h.Proxy) {
      res.writeHead(501).end('[tailscale-double] only Proxy/Text/Redirect serve handlers are emulated\n');
      return;
    }
    const target = /^https?:\/\//.test(h.Proxy)
      ? new URL(h.Proxy)
      : /^\d+$/.test(h.Proxy)
        ? new URL(`http://127.0.0.1:${h.Proxy}`)
        : new URL(`http://${h.Proxy}`);
    const rest = mount === '/' ? req.url : req.url.slice(mount.replace(/\/$/, '').length) || '/';
    const outPath = `${target.pathname.replace(/\/$/, '')}${rest.startsWith('/') ? rest : `/${rest}`}`;
    const up = http.request(
      {
        host: target.hostname,
        port: Number(target.port || 80),
        method: req.method,
        path: outPath,
        headers: { ...req.headers, 'x-forwarded-for': '100.100.100.100' },
      },
      (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      },
    );
    up.on('error', (e) => {
      res.writeHead(502).end(`[tailscale-double] proxy error: ${e.message}\n`);
    });
    req.pipe(up);
  });
}

// ---------- the fake tailnet data plane ----------
function pipe(a, b) {
  a.pipe(b);
  b.pipe(a);
  const end = () => {
    a.destroy();
    b.destroy();
  };
  a.on('error', end);
  b.on('error', end);
  a.on('close', end);
  b.on('close', end);
}

function errText(e) {
  return e.code === 'ECONNREFUSED'
    ? 'connection refused'
    : e.code === 'ETIMEDOUT'
      ? 'i/o timeout'
      : e.code || e.message;
}

/** Dials host:port from this container's network namespace ("SystemDial"). */
function systemDial(host, port, cb) {
  const s = net.connect({ host, port, timeout: 5000, allowHalfOpen: true });
  let done = false;
  s.once('connect', () => {
    if (done) return;
    done = true;
    s.setTimeout(0);
    cb(undefined, s);
  });
  s.once('timeout', () => s.destroy(Object.assign(new Error('i/o timeout'), { code: 'ETIMEDOUT' })));
  s.once('error', (e) => {
    if (done) return;
    done = true;
    cb(errText(e));
  });
}

function startDataPlane() {
  const ip = state.node.tailscaleIPs[0];
  const sockPath = dataSocketPath(ip);
  fs.mkdirSync(path.dirname(sockPath), { recursive: true });
  fs.rmSync(sockPath, { force: true });
  const web = webServer();
  const srv = net.createServer({ allowHalfOpen: true }, (sock) => {
    let buf = Buffer.alloc(0);
    const onData = (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      const nl = buf.indexOf(10);
      if (nl < 0) {
        if (buf.length > 512) sock.destroy();
        return;
      }
      sock.off('data', onData);
      sock.pause();
      const line = buf.subarray(0, nl).toString().trim();
      const rest = buf.subarray(nl + 1);
      const m = /^CONNECT (.+)$/.exec(line);
      const ap = m ? parseAddrPort(m[1]) : undefined;
      if (!ap) {
        sock.end('ERR bad request\n');
        return;
      }
      inbound(ap.host, ap.port, sock, rest, web);
    };
    sock.on('data', onData);
    sock.on('error', () => {});
  });
  srv.listen(sockPath);
  servers.push(srv);
  daemon(`[tailscale-double] fake tailnet data plane listening at ${sockPath}`);
}

/** A peer's connection arrives for dstIP:port (netstack's acceptTCP/forwardTCP, emulated). */
function inbound(dstIP, port, sock, rest, web) {
  const accept = (err, upstream) => {
    if (err) {
      sock.end(`ERR ${err}\n`);
      return;
    }
    sock.write('OK\n');
    if (rest.length) upstream.write(rest);
    sock.resume();
    pipe(sock, upstream);
  };
  if (state.node.tailscaleIPs.includes(dstIP)) {
    const h = state.serveConfig.TCP?.[String(port)];
    if (h?.TCPForward) {
      const ap = parseAddrPort(h.TCPForward);
      if (!ap) return accept('bad TCPForward target');
      return systemDial(ap.host || '127.0.0.1', ap.port, accept);
    }
    if (h?.HTTPS || h?.HTTP) {
      sock.write('OK\n');
      sock.servePort = port;
      if (rest.length) sock.unshift(rest);
      web.emit('connection', sock);
      sock.resume();
      return;
    }
    // Netstack-loopback: inbound to the node's own IP is dialed at 127.0.0.1:<port> in THIS netns
    // (kernel mode + TS_DEST_IP: DNAT to the destination instead).
    const target = !cfg.userspace && cfg.destIP ? cfg.destIP : '127.0.0.1';
    return systemDial(target, port, (err, up) =>
      accept(err ? `could not connect to local backend server at ${target}:${port}: ${err}` : undefined, up),
    );
  }
  const approvals = readApprovals(cfg.controlDir);
  const db = readNodes(cfg.controlDir);
  const me = db.nodes.find((n) => n.nodeKey === state.node.nodeKey) ?? state.node;
  const route = approvedRoutes(me, approvals).find((r) => cidrContainsIP(r, dstIP));
  if (!route) return accept(`no route to ${dstIP} on this node (route not advertised or not approved)`);
  if (!cfg.userspace && !forwardingEnabledFor(dstIP))
    return accept('packet dropped: IP forwarding is disabled in this network namespace');
  return systemDial(dstIP, port, accept);
}

/** Outbound dial from this node (SOCKS5 / tailscale nc): tailnet when an IP belongs to it, else the system. */
function tailnetOrSystemDial(host, port, cb) {
  if (state.backend !== 'Running') return cb('tailscaled is not running');
  const settings = tailnetSettings(cfg.controlDir);
  const db = readNodes(cfg.controlDir);
  const resolved = parseIP(host) ? host : resolveMagicDNS(host, db.nodes, settings);
  if (!resolved) return systemDial(host, port, cb); // not a tailnet name: system resolver + dial
  const approvals = readApprovals(cfg.controlDir);
  const me = db.nodes.find((n) => n.nodeKey === state.node.nodeKey) ?? state.node;
  let route = routeFor(resolved, db.nodes, approvals);
  if (route?.kind === 'subnet' && (route.node.nodeKey === me.nodeKey || !state.prefs.acceptRoutes))
    route = undefined;
  if (!route) {
    if (cidrContainsIP(TAILNET_CGNAT, resolved)) return cb(`no tailnet peer has IP ${resolved}`);
    return systemDial(resolved, port, cb);
  }
  const s = net.connect({ path: dataSocketPath(route.node.tailscaleIPs[0]), allowHalfOpen: true });
  let buf = Buffer.alloc(0);
  const onData = (chunk) => {
    buf = Buffer.concat([buf, chunk]);
    const nl = buf.indexOf(10);
    if (nl < 0) return;
    s.off('data', onData);
    const line = buf.subarray(0, nl).toString();
    if (line !== 'OK') {
      s.destroy();
      return cb(line.replace(/^ERR /, '') || 'tailnet dial failed');
    }
    s.pause();
    const rest = buf.subarray(nl + 1);
    if (rest.length) s.unshift(rest);
    cb(undefined, s);
  };
  s.on('data', onData);
  s.once('error', (e) => cb(`peer ${route.node.name} unreachable: ${errText(e)}`));
  s.write(`CONNECT ${resolved.includes(':') ? `[${resolved}]` : resolved}:${port}\n`);
}

// ---------- SOCKS5 (RFC 1928: no auth, CONNECT, IPv4/domain/IPv6) ----------
function startSocks5() {
  const ap = parseAddrPort(cfg.socks5);
  if (!ap) return fatal(`invalid TS_SOCKS5_SERVER ${cfg.socks5}`);
  const srv = net.createServer({ allowHalfOpen: true }, (sock) => {
    let buf = Buffer.alloc(0);
    let stage = 0;
    sock.on('error', () => {});
    const onData = (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      if (stage === 0) {
        if (buf.length < 2 || buf.length < 2 + buf[1]) return;
        if (buf[0] !== 5) return sock.destroy();
        buf = buf.subarray(2 + buf[1]);
        sock.write(Buffer.from([5, 0]));
        stage = 1;
      }
      if (stage === 1) {
        if (buf.length < 5) return;
        const atyp = buf[3];
        let host;
        let off;
        if (atyp === 1) {
          if (buf.length < 10) return;
          host = [...buf.subarray(4, 8)].join('.');
          off = 8;
        } else if (atyp === 3) {
          const len = buf[4];
          if (buf.length < 5 + len + 2) return;
          host = buf.subarray(5, 5 + len).toString();
          off = 5 + len;
        } else if (atyp === 4) {
          if (buf.length < 22) return;
          const g = [];
          for (let i = 0; i < 16; i += 2) g.push(buf.readUInt16BE(4 + i).toString(16));
          host = g.join(':');
          off = 20;
        } else return sock.end(Buffer.from([5, 8, 0, 1, 0, 0, 0, 0, 0, 0]));
        const port = buf.readUInt16BE(off);
        const rest = buf.subarray(off + 2);
        sock.off('data', onData);
        sock.pause();
        if (buf[1] !== 1) return sock.end(Buffer.from([5, 7, 0, 1, 0, 0, 0, 0, 0, 0]));
        tailnetOrSystemDial(host, port, (err, up) => {
          if (err) {
            lab(`socks5: dial ${host}:${port} failed: ${err}`);
            const code = /refused/.test(err)
              ? 5
              : /no route|no tailnet|unreachable|dropped/.test(err)
                ? 4
                : 1;
            sock.end(Buffer.from([5, code, 0, 1, 0, 0, 0, 0, 0, 0]));
            return;
          }
          sock.write(Buffer.from([5, 0, 0, 1, 0, 0, 0, 0, 0, 0]));
          if (rest.length) up.write(rest);
          sock.resume();
          up.resume();
          pipe(sock, up);
        });
      }
    };
    sock.on('data', onData);
  });
  srv.listen(ap.port, ap.host || '0.0.0.0');
  servers.push(srv);
  daemon(`SOCKS5 server listening on ${cfg.socks5} (tailscale-double: dials go through the fake tailnet)`);
}

// ---------- /healthz ----------
function startHealth() {
  const ap = parseAddrPort(cfg.localAddrPort);
  if (!ap) return fatal(`invalid TS_LOCAL_ADDR_PORT ${cfg.localAddrPort}`);
  boot(`Running healthcheck endpoint at ${cfg.localAddrPort}/healthz`);
  const srv = http.createServer((req, res) => {
    if ((req.url ?? '').split('?')[0] !== '/healthz') {
      res.writeHead(404).end('404 page not found\n');
      return;
    }
    if (state.backend === 'Running' && state.node?.tailscaleIPs?.length) res.writeHead(200).end('ok');
    else res.writeHead(503).end('node currently has no tailscale IPs');
  });
  const host = ap.host === '' ? '::' : ap.host;
  srv.once('error', (e) => {
    if (host === '::' && (e.code === 'EAFNOSUPPORT' || e.code === 'EADDRNOTAVAIL'))
      srv.listen(ap.port, '0.0.0.0');
    else fatal(`failed to listen on ${cfg.localAddrPort}: ${e.message}`);
  });
  srv.listen(ap.port, host);
  servers.push(srv);
}

// ---------- boot sequence ----------
let loggedInAtBoot = false;
if (!stopping) {
  fs.mkdirSync(controlFiles(cfg.controlDir).sockets, { recursive: true });
  startLocalAPI();
  if (cfg.enableHealthCheck) startHealth();
  // Load persisted identity (TS_STATE_DIR) and find it in the control plane.
  const saved = cfg.stateDir ? readJson(statePath(), undefined) : undefined;
  if (saved?.nodeKey) {
    const n = readNodes(cfg.controlDir).nodes.find((x) => x.nodeKey === saved.nodeKey);
    if (n && !n.expired && !n.loggedOut) {
      state.node = n;
      state.prefs = { ...DEFAULT_PREFS, ...saved.prefs };
      loggedInAtBoot = true;
    } else daemon('[tailscale-double] saved node is unknown to the control plane: NeedsLogin');
  }
  daemon(`Switching ipn state NoState -> ${loggedInAtBoot ? 'Starting' : 'NeedsLogin'} (WantRunning=true)`);
  if (cfg.authOnce && loggedInAtBoot) {
    refreshHealth();
    goRunning();
  } else tailscaleUp(loggedInAtBoot);
}
