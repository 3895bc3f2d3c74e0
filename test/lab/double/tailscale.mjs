#!/usr/bin/node
// [tailscale-double] TEST DOUBLE of the `tailscale` CLI. Talks to the containerboot double's LocalAPI over
// the tailscaled socket (default /var/run/tailscale/tailscaled.sock, or --socket=PATH), like the real CLI.
// Implemented: status [--json] [--peers=false], ip [-4|-6], version, serve status [--json], nc HOST PORT,
// set (--advertise-routes, --accept-routes, --hostname, --accept-dns, --advertise-exit-node, --advertise-tags).
import fs from 'node:fs';
import http from 'node:http';
import { DOUBLE_VERSION, parseGoBool, parseUpFlags, splitList } from './lib.mjs';

let args = process.argv.slice(2);
let socket = '/var/run/tailscale/tailscaled.sock';
while (args[0]?.startsWith('--socket')) {
  socket = args[0].includes('=') ? args[0].split('=')[1] : args[1];
  args = args.slice(args[0].includes('=') ? 1 : 2);
}
const [cmd, ...rest] = args;

function die(msg, code = 1) {
  process.stderr.write(`${msg}\n`);
  process.exit(code);
}

function api(method, p, body) {
  return new Promise((resolve) => {
    if (!fs.existsSync(socket))
      die(
        `failed to connect to local tailscaled; it doesn't appear to be running (sudo systemctl start tailscaled ?)`,
      );
    const req = http.request(
      { socketPath: socket, method, path: p, headers: { Host: 'local-tailscaled.sock' } },
      (res) => {
        let data = '';
        res.on('data', (c) => {
          data += c;
        });
        res.on('end', () => resolve({ status: res.statusCode, body: data }));
      },
    );
    req.on('error', (e) =>
      die(`failed to connect to local tailscaled (${e.code}); it doesn't appear to be running`),
    );
    if (body !== undefined) req.write(JSON.stringify(body));
    req.end();
  });
}

const flag = (name) => rest.some((a) => a === `--${name}` || a === `-${name}` || a === `--${name}=true`);

async function main() {
  switch (cmd) {
    case 'version':
    case '--version':
      process.stdout.write(`${DOUBLE_VERSION}\n  tailscale commit: tailscale-double\n  go version: lab\n`);
      return;
    case 'status': {
      const peers = !rest.includes('--peers=false');
      const st = JSON.parse((await api('GET', `/localapi/v0/status${peers ? '' : '?peers=false'}`)).body);
      if (flag('json')) {
        process.stdout.write(`${JSON.stringify(st, null, 2)}\n`);
        return;
      }
      if (st.BackendState === 'NeedsLogin') die(`Logged out.\nLog in at: ${st.AuthURL}`);
      if (st.BackendState !== 'Running') die(`Tailscale is stopped.`);
      const line = (p) =>
        `${(p.TailscaleIPs?.[0] ?? '-').padEnd(16)}${p.DNSName.split('.')[0].padEnd(24)}lab@         linux   ${p.Online ? '-' : 'offline'}`;
      const out = [line(st.Self), ...Object.values(st.Peer ?? {}).map(line)];
      process.stdout.write(`${out.join('\n')}\n`);
      for (const h of st.Health ?? []) process.stdout.write(`\n# Health check:\n#     - ${h}\n`);
      return;
    }
    case 'ip': {
      const st = JSON.parse((await api('GET', '/localapi/v0/status?peers=false')).body);
      const ips = st.TailscaleIPs ?? [];
      if (ips.length === 0) die(`no current Tailscale IPs; state: ${st.BackendState}`);
      const want = flag('4')
        ? ips.filter((i) => !i.includes(':'))
        : flag('6')
          ? ips.filter((i) => i.includes(':'))
          : ips;
      if (want.length === 0) die('no Tailscale IP of the requested family');
      process.stdout.write(`${(flag('4') || flag('6') ? want.slice(0, 1) : want).join('\n')}\n`);
      return;
    }
    case 'serve': {
      if (rest[0] !== 'status')
        die('[tailscale-double] only `tailscale serve status [--json]` is implemented', 2);
      const sc = JSON.parse((await api('GET', '/localapi/v0/serve-config')).body);
      if (flag('json')) process.stdout.write(`${JSON.stringify(sc, null, 2)}\n`);
      else if (!sc.TCP && !sc.Web) process.stdout.write('No serve config\n');
      else process.stdout.write(`${JSON.stringify(sc, null, 2)}\n`);
      return;
    }
    case 'set': {
      const f = parseUpFlags(rest);
      if (f.unknown.length) die(`flag provided but not defined: ${f.unknown[0].replace(/=.*/, '')}`, 2);
      const p = {};
      if (f.advertiseRoutes !== undefined)
        Object.assign(p, { AdvertiseRoutes: splitList(f.advertiseRoutes), AdvertiseRoutesSet: true });
      if (f.acceptRoutes !== undefined) Object.assign(p, { RouteAll: f.acceptRoutes, RouteAllSet: true });
      if (f.hostname !== undefined) Object.assign(p, { Hostname: f.hostname, HostnameSet: true });
      if (f.acceptDns !== undefined) Object.assign(p, { CorpDNS: f.acceptDns, CorpDNSSet: true });
      if (f.advertiseTags !== undefined)
        Object.assign(p, { AdvertiseTags: splitList(f.advertiseTags), AdvertiseTagsSet: true });
      if (f.advertiseExitNode !== undefined)
        Object.assign(p, { ExitNodeAdvertise: f.advertiseExitNode, ExitNodeAdvertiseSet: true });
      const r = await api('PATCH', '/localapi/v0/prefs', p);
      if (r.status !== 200) die(r.body);
      return;
    }
    case 'nc': {
      const [host, port] = rest;
      if (!host || !port) die('usage: tailscale nc <hostname-or-IP> <port>', 2);
      const req = http.request({
        socketPath: socket,
        method: 'POST',
        path: '/localapi/v0/dial',
        headers: {
          Host: 'local-tailscaled.sock',
          Connection: 'upgrade',
          Upgrade: 'ts-dial',
          'Dial-Host': host,
          'Dial-Port': port,
        },
      });
      req.on('upgrade', (_res, sock, head) => {
        if (head.length) process.stdout.write(head);
        process.stdin.pipe(sock);
        sock.pipe(process.stdout);
        sock.on('close', () => process.exit(0));
        process.stdin.on('end', () => sock.end());
      });
      req.on('response', (res) => {
        let d = '';
        res.on('data', (c) => {
          d += c;
        });
        res.on('end', () => die(`dial ${host}:${port}: ${d.trim()}`));
      });
      req.on('error', (e) => die(`failed to connect to local tailscaled: ${e.message}`));
      req.end();
      return;
    }
    case 'up':
    case 'login':
    case 'logout':
    case 'down':
      die(
        `[tailscale-double] \`tailscale ${cmd}\` is run by the containerboot double itself; not implemented in the CLI double`,
        2,
      );
      return;
    default:
      if (parseGoBool(cmd) !== undefined || !cmd)
        die('usage: tailscale <status|ip|version|serve status|nc|set>', 2);
      die(`[tailscale-double] tailscale ${cmd}: not implemented by the test double`, 2);
  }
}
main();
