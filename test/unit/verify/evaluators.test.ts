import { describe, expect, it } from 'vitest';
import type { NetworkInfo } from '../../../src/core/ports/docker.js';
import {
  type Check,
  classifyNc,
  detectMode,
  evaluateContainer,
  evaluateEndToEnd,
  evaluateNamespace,
  evaluateTailnet,
  expectations,
  parseNslookup,
  summarize,
  type VerifyReport,
  verdictOf,
} from '../../../src/core/verify/index.js';
import { renderVerifyText } from '../../../src/render/verify.js';
import { config, container, err, ok, status } from './samples.js';

const userspace = expectations(config, 'userspace').containers[0]!;
const macvlan = expectations(config, 'macvlan').containers[0]!;
const byId = (checks: Check[], id: string) => checks.find((c) => c.id === id);

const NETWORKS: NetworkInfo[] = [
  {
    id: 'n1',
    name: 'tailscale_default',
    driver: 'bridge',
    subnets: [],
    gateways: [],
    ipRanges: [],
    labels: { 'com.docker.compose.network': 'default' },
    containers: [],
  },
  {
    id: 'n2',
    name: 'jellyfin_network',
    driver: 'bridge',
    subnets: [],
    gateways: [],
    ipRanges: [],
    labels: {},
    containers: [],
  },
  {
    id: 'n3',
    name: 'arr_network',
    driver: 'bridge',
    subnets: [],
    gateways: [],
    ipRanges: [],
    labels: {},
    containers: [],
  },
  {
    id: 'n4',
    name: 'tailscale_lan',
    driver: 'macvlan',
    subnets: ['192.168.20.0/24'],
    gateways: [],
    ipRanges: [],
    parent: 'eno1',
    labels: { 'com.docker.compose.network': 'lan' },
    containers: [],
  },
];

describe('expectations (derived from generate)', () => {
  it('userspace: default + app networks, no tun, services by container name, gateway as LAN target', () => {
    expect(userspace.networks.map((n) => n.name ?? n.key)).toEqual([
      'default',
      'jellyfin_network',
      'arr_network',
    ]);
    expect(userspace.userspace).toBe(true);
    expect(userspace.needsTun).toBe(false);
    expect(userspace.forwarding).toEqual([]);
    expect(userspace.routes).toEqual(['192.168.20.0/24']);
    expect(userspace.services.map((s) => `${s.host}:${s.port}`)).toEqual([
      'jellyfin:8096',
      'sonarr:8989',
      'radarr:7878',
    ]);
    expect(userspace.lanTargets.map((t) => t.id)).toEqual([
      'gateway',
      'host:jellyfin',
      'host:sonarr',
      'host:radarr',
    ]);
  });

  it('macvlan: fixed address on the macvlan network, tun + IPv4 forwarding, the TrueNAS-safe shim name', () => {
    expect(macvlan.networks.find((n) => n.key === 'lan')).toMatchObject({
      driver: 'macvlan',
      ipv4: '192.168.20.200',
    });
    expect(macvlan.needsTun).toBe(true);
    expect(macvlan.forwarding).toEqual(['/proc/sys/net/ipv4/ip_forward']);
    expect(macvlan.macvlan).toEqual({
      address: '192.168.20.200',
      shimName: 'tailscale-shim',
      shimAddress: '192.168.20.204',
      parent: 'eno1',
    });
  });

  it('serve: one endpoint per service port; L4 targets include the serve endpoints', () => {
    const e = expectations(config, 'serve');
    expect(e.containers[0]!.serve).toEqual([
      { port: 8096, kind: 'https', service: 'jellyfin', target: 'http://jellyfin:8096' },
      { port: 8989, kind: 'https', service: 'sonarr', target: 'http://sonarr:8989' },
      { port: 7878, kind: 'https', service: 'radarr', target: 'http://radarr:7878' },
    ]);
    expect(e.tailnetTargets.map((t) => t.id)).toContain('L4.serve:jellyfin');
  });

  it('host: no networks, no DNS; sidecar: one container per app', () => {
    expect(expectations(config, 'host').containers[0]).toMatchObject({ networkMode: 'host', services: [] });
    expect(expectations(config, 'sidecar').containers.map((c) => c.containerName)).toEqual([
      'ts-jellyfin',
      'ts-sonarr',
      'ts-radarr',
    ]);
  });
});

describe('detectMode', () => {
  it('reads host, macvlan, serve and userspace from the running container', () => {
    expect(detectMode(container({ networkMode: 'host', networks: {} }), NETWORKS).mode).toBe('host');
    expect(
      detectMode(container({ networks: { tailscale_lan: { networkId: 'n4', aliases: [] } } }), NETWORKS).mode,
    ).toBe('macvlan');
    expect(
      detectMode(container({ tsSettings: { TS_SERVE_CONFIG: '/config/serve.json' } }), NETWORKS).mode,
    ).toBe('serve');
    expect(detectMode(container(), NETWORKS).mode).toBe('userspace');
    expect(detectMode(container({ tsSettings: { TS_USERSPACE: 'false' } }), NETWORKS).mode).toBeUndefined();
  });
});

describe('L1 container', () => {
  it('passes a running, healthy container on the planned networks', () => {
    const checks = evaluateContainer(userspace, {
      first: container(),
      second: container(),
      intervalSeconds: 3,
      networks: NETWORKS,
    });
    expect(checks.filter((c) => c.status !== 'pass')).toEqual([]);
    expect(byId(checks, 'L1.network:jellyfin_network')!.evidence).toBe(
      'on jellyfin_network with 172.31.0.3 (driver bridge)',
    );
  });

  it('fails a missing container with a deploy hint, and a crash loop with both restart counts', () => {
    expect(evaluateContainer(userspace, { intervalSeconds: 0, networks: [] })).toMatchObject([
      { id: 'L1.exists', status: 'fail' },
    ]);
    const looping = evaluateContainer(userspace, {
      first: container({ restartCount: 4 }),
      second: container({ restartCount: 5, state: 'restarting', startedAt: '2026-08-22T10:00:09.000Z' }),
      intervalSeconds: 3,
      networks: NETWORKS,
    });
    expect(byId(looping, 'L1.not-restarting')).toMatchObject({ status: 'fail' });
    expect(byId(looping, 'L1.not-restarting')!.evidence).toContain('restart count 4 → 5');
  });

  it('skips health with the reason when there is no healthcheck; fails a missing network and a wrong macvlan address', () => {
    const c = container({
      health: undefined,
      networks: { tailscale_default: { networkId: 'n1', aliases: [] } },
    });
    const checks = evaluateContainer(userspace, {
      first: c,
      second: c,
      intervalSeconds: 3,
      networks: NETWORKS,
    });
    expect(byId(checks, 'L1.health')).toMatchObject({ status: 'skip' });
    expect(byId(checks, 'L1.health')!.evidence).toMatch(/no Docker healthcheck/);
    expect(byId(checks, 'L1.network:arr_network')).toMatchObject({ status: 'fail' });
    const m = container({
      networks: { tailscale_lan: { networkId: 'n4', ipv4: '192.168.20.201', aliases: [] } },
    });
    const mc = evaluateContainer(macvlan, { first: m, second: m, intervalSeconds: 1, networks: NETWORKS });
    expect(byId(mc, 'L1.network:lan')!.evidence).toBe(
      'on tailscale_lan with 192.168.20.201, expected 192.168.20.200',
    );
  });
});

describe('L1 health before Docker’s first healthcheck', () => {
  it('passes "starting" when the same check run now passes, and says what it ran', () => {
    const c = container({ health: 'starting' });
    const command = ['wget', '-q', '--spider', 'http://127.0.0.1:9002/healthz'];
    const ok = evaluateContainer(userspace, {
      first: c,
      second: c,
      intervalSeconds: 3,
      networks: NETWORKS,
      healthNow: { command, exitCode: 0, output: '' },
    });
    expect(byId(ok, 'L1.health')).toMatchObject({ status: 'pass' });
    expect(byId(ok, 'L1.health')!.evidence).toMatch(
      /starting .* run now: wget -q --spider .*healthz: exit 0/,
    );
    const bad = evaluateContainer(userspace, {
      first: c,
      second: c,
      intervalSeconds: 3,
      networks: NETWORKS,
      healthNow: { command, exitCode: 1, output: 'wget: server returned error: HTTP/1.1 503' },
    });
    expect(byId(bad, 'L1.health')).toMatchObject({ status: 'fail' });
    expect(byId(bad, 'L1.health')!.evidence).toContain('exit 1 (wget: server returned error: HTTP/1.1 503)');
  });
});

describe('L2 namespace: busybox output', () => {
  it('classifies nc: exit 0 open, "Connection refused" answered, "timed out", "bad address"', () => {
    expect(classifyNc(ok()).outcome).toBe('open');
    expect(classifyNc(err("nc: can't connect to remote host (192.168.20.1): Connection refused\n"))).toEqual({
      outcome: 'refused',
      detail: "nc: can't connect to remote host (192.168.20.1): Connection refused",
    });
    expect(classifyNc(err('nc: timed out\n')).outcome).toBe('timeout');
    expect(classifyNc(err("nc: bad address 'jellyfin'\n")).outcome).toBe('unresolved');
    expect(
      classifyNc(err('OCI runtime exec failed: exec: "sh": executable file not found', 127)).outcome,
    ).toBe('error');
  });

  it('parses nslookup in the 1.3x and 1.28 formats and its NXDOMAIN line', () => {
    const new_ =
      'Server:\t\t127.0.0.11\nAddress:\t127.0.0.11:53\n\nNon-authoritative answer:\nName:\tjellyfin\nAddress: 172.31.0.2\n\n';
    expect(parseNslookup(ok(new_)).addresses).toEqual(['172.31.0.2']);
    const old =
      'Server:    127.0.0.11\nAddress 1: 127.0.0.11\n\nName:      jellyfin\nAddress 1: 172.31.0.2 jellyfin.jellyfin_network\n';
    expect(parseNslookup(ok(old)).addresses).toEqual(['172.31.0.2']);
    const nx = {
      exitCode: 1,
      stdout: "Server:\t\t127.0.0.11\nAddress:\t127.0.0.11:53\n\n** server can't find radarr: NXDOMAIN\n",
      stderr: '',
    };
    expect(parseNslookup(nx)).toEqual({ addresses: [], detail: "server can't find radarr: NXDOMAIN" });
  });

  it('a service on a network the container did not join: DNS fails with the nslookup line, TCP is skipped', () => {
    const checks = evaluateNamespace(
      userspace,
      {
        sysctls: {},
        services: {
          jellyfin: { dns: ok('Name:\tjellyfin\nAddress: 172.31.0.2\n'), tcp: ok() },
          radarr: {
            dns: { exitCode: 1, stdout: "** server can't find radarr: NXDOMAIN\n", stderr: '' },
            tcp: err("nc: bad address 'radarr'"),
          },
        },
        lan: {
          gateway: [
            { port: 80, result: err("nc: can't connect to remote host (192.168.20.1): Connection refused") },
          ],
        },
      },
      { hostAddress: '192.168.20.22' },
    );
    expect(byId(checks, 'L2.dns:jellyfin')!.status).toBe('pass');
    expect(byId(checks, 'L2.tcp:jellyfin')!.status).toBe('pass');
    expect(byId(checks, 'L2.dns:radarr')).toMatchObject({
      status: 'fail',
      evidence: "nslookup radarr: server can't find radarr: NXDOMAIN",
    });
    expect(byId(checks, 'L2.dns:radarr')!.hint).toContain('arr_network');
    expect(byId(checks, 'L2.tcp:radarr')!.status).toBe('skip');
    expect(byId(checks, 'L2.lan:gateway')).toMatchObject({ status: 'pass' });
    expect(byId(checks, 'L2.lan:gateway')!.evidence).toContain('so it is reachable');
    expect(byId(checks, 'L2.dns:sonarr')!.status).toBe('skip'); // not gathered → says so, never passes
  });

  it('macvlan: tun, forwarding, and host ↔ container with the shim state in the evidence', () => {
    const base = {
      sysctls: { '/proc/sys/net/ipv4/ip_forward': ok('0\n') },
      services: {},
      lan: {},
      tun: err('', 1),
    };
    const without = evaluateNamespace(
      macvlan,
      {
        ...base,
        macvlan: {
          onDockerHost: true,
          shimPresent: false,
          hostToContainer: { outcome: 'timeout', detail: 'no answer within 2000 ms' },
          containerToHost: err('nc: timed out'),
          listenerPort: 40123,
          listenerAccepted: 0,
        },
      },
      { hostAddress: '192.168.20.22' },
    );
    expect(byId(without, 'L2.tun')!.status).toBe('fail');
    expect(byId(without, 'L2.sysctl:net.ipv4.ip_forward')).toMatchObject({
      status: 'fail',
      evidence: 'cat /proc/sys/net/ipv4/ip_forward: 0',
    });
    expect(byId(without, 'L2.macvlan:host-to-container')!.hint).toContain('tailbridge shim apply');
    expect(byId(without, 'L2.macvlan:container-to-host')!.evidence).toContain('shim tailscale-shim absent');
    const withShim = evaluateNamespace(
      macvlan,
      {
        sysctls: {},
        services: {},
        lan: {},
        macvlan: {
          onDockerHost: true,
          shimPresent: true,
          hostToContainer: { outcome: 'refused', detail: 'ECONNREFUSED (connection refused)' },
          containerToHost: ok(),
          listenerPort: 40123,
          listenerAccepted: 1,
        },
      },
      { hostAddress: '192.168.20.22' },
    );
    expect(byId(withShim, 'L2.macvlan:host-to-container')!.status).toBe('pass');
    expect(byId(withShim, 'L2.macvlan:container-to-host')!.status).toBe('pass');
  });
});

describe('L3 tailnet: status JSON', () => {
  const l3 = (text: string, exp = userspace) => evaluateTailnet(exp, { status: ok(text) });

  it('passes Running with IPs, the right name and an approved route', () => {
    const checks = l3(status());
    expect(checks.filter((c) => c.status !== 'pass').map((c) => c.id)).toEqual(['L3.control']);
    expect(byId(checks, 'L3.control')!.status).toBe('skip');
    expect(byId(checks, 'L3.route:192.168.20.0/24')!.evidence).toBe(
      'in Self.AllowedIPs and Self.PrimaryRoutes',
    );
  });

  it('an unapproved route fails with where to approve it and an autoApprovers snippet', () => {
    const checks = l3(status({}, { AllowedIPs: ['100.101.102.103/32'], PrimaryRoutes: null }));
    const route = byId(checks, 'L3.route:192.168.20.0/24')!;
    expect(route.status).toBe('fail');
    expect(route.hint).toContain('admin console → Machines → truenas → Edit route settings');
    expect(route.hint).toContain('"autoApprovers": {"routes": {"192.168.20.0/24": ["tag:homelab"]}}');
  });

  it('name-1 means the state was lost', () => {
    const checks = l3(status({}, { DNSName: 'truenas-1.tail1234.ts.net.' }));
    const c = byId(checks, 'L3.hostname')!;
    expect(c.status).toBe('fail');
    expect(c.evidence).toContain('became truenas-1');
    expect(c.hint).toMatch(/^state was lost/);
  });

  it('NeedsLogin fails without showing the AuthURL; the rest is skipped with the reason', () => {
    const checks = l3(
      status({
        BackendState: 'NeedsLogin',
        AuthURL: 'https://login.tailscale.com/a/SECRET123',
        TailscaleIPs: null,
      }),
    );
    expect(byId(checks, 'L3.backend')).toMatchObject({ status: 'fail', evidence: 'BackendState NeedsLogin' });
    expect(JSON.stringify(checks)).not.toContain('SECRET123');
    expect(byId(checks, 'L3.route:192.168.20.0/24')).toMatchObject({
      status: 'skip',
      evidence: 'BackendState is NeedsLogin',
    });
  });

  it('Health warnings fail unless informational', () => {
    const bad = l3(
      status({
        Health: ['Tailscale could not connect to any relay server. Check your Internet connection.'],
      }),
    );
    expect(byId(bad, 'L3.health')!.status).toBe('fail');
    const benign = l3(status({ Health: ['Some peers are advertising routes but --accept-routes is false'] }));
    expect(byId(benign, 'L3.health')!.status).toBe('pass');
  });

  it('serve: ports present with handlers pass; a missing port with CertDomains empty names HTTPS', () => {
    const serveExp = expectations(config, 'serve').containers[0]!;
    const sc = {
      TCP: { '8096': { HTTPS: true }, '8989': { HTTPS: true } },
      Web: {
        'truenas.tail1234.ts.net:8096': { Handlers: { '/': { Proxy: 'http://jellyfin:8096' } } },
        'truenas.tail1234.ts.net:8989': { Handlers: { '/': { Proxy: 'http://sonarr:8989' } } },
      },
    };
    const checks = evaluateTailnet(serveExp, {
      status: ok(status({ CertDomains: null })),
      serve: ok(JSON.stringify(sc)),
    });
    expect(byId(checks, 'L3.serve:radarr')!.hint).toContain('HTTPS certificates are off');
    expect(byId(checks, 'L3.serve:jellyfin')!.status).toBe('fail'); // present, but CertDomains empty
    const good = evaluateTailnet(serveExp, { status: ok(status()), serve: ok(JSON.stringify(sc)) });
    expect(byId(good, 'L3.serve:jellyfin')).toMatchObject({
      status: 'pass',
      evidence: 'truenas.tail1234.ts.net:8096/ → http://jellyfin:8096',
    });
  });
});

describe('L4 and the report', () => {
  it('a target through the subnet route passes when open, fails when silent', () => {
    const targets = expectations(config, 'userspace').tailnetTargets;
    const checks = evaluateEndToEnd(
      targets,
      {
        'L4.lan:jellyfin': {
          host: '192.168.20.22',
          result: { outcome: 'open', detail: 'SOCKS5 CONNECT succeeded' },
        },
        'L4.lan:sonarr': {
          host: '192.168.20.22',
          result: { outcome: 'unreachable', detail: 'SOCKS5 reply 4 (host unreachable)' },
        },
      },
      'probe',
    );
    expect(byId(checks, 'L4.lan:jellyfin')!.status).toBe('pass');
    expect(byId(checks, 'L4.lan:sonarr')!.status).toBe('fail');
    expect(byId(checks, 'L4.lan:radarr')!.status).toBe('skip');
  });

  it('verdict: fail on any fail, pass with skips; the text groups by layer with ✔ ✖ –', () => {
    const checks = [
      ...evaluateTailnet(userspace, { status: ok(status()) }),
      ...evaluateEndToEnd(expectations(config, 'userspace').tailnetTargets, {}, 'probe'),
    ];
    expect(verdictOf(checks)).toBe('pass');
    const report: VerifyReport = {
      mode: 'userspace',
      modeSource: 'option',
      container: 'tailscale',
      startedAt: '2026-08-22T10:00:00.000Z',
      durationMs: 4200,
      checks,
      verdict: verdictOf(checks),
      summary: summarize(checks),
    };
    const text = renderVerifyText(report);
    expect(text).toContain('L3 Tailnet\n  ✔ BackendState is Running');
    expect(text).toContain('L4 End to end\n  – ');
    expect(text).toMatch(/✔ verified: \d+ passed, 0 failed, \d+ skipped \(4\.2s\)/);
  });
});
