import { describe, expect, it } from 'vitest';
import { generate } from '../../../src/core/generate/index.js';
import type { ServeConfig } from '../../../src/core/generate/serve-config.js';
import { cidrContains, cidrWithin, parseCidr, parseIPv4 } from '../../../src/core/model/net.js';
import { example, parseCompose } from './helpers.js';

const config = example();

describe('A userspace', () => {
  const g = generate(config, 'userspace');
  const ts = parseCompose(g.compose).services.tailscale;
  const doc = parseCompose(g.compose);

  it('is userspace without kernel privileges', () => {
    expect(ts.environment.TS_USERSPACE).toBe('true');
    expect(ts.cap_add).toBeUndefined();
    expect(ts.devices).toBeUndefined();
    expect(ts.sysctls).toBeUndefined();
    expect(ts.network_mode).toBeUndefined();
  });

  it('joins default and every app network as external by name', () => {
    expect(ts.networks).toEqual(['default', 'jellyfin_network', 'arr_network']);
    expect(doc.networks.jellyfin_network).toEqual({ external: true, name: 'jellyfin_network' });
    expect(doc.networks.arr_network).toEqual({ external: true, name: 'arr_network' });
  });

  it('advertises routes via TS_ROUTES and tags via TS_EXTRA_ARGS', () => {
    expect(ts.environment.TS_ROUTES).toBe('192.168.20.0/24');
    expect(ts.environment.TS_EXTRA_ARGS).toBe('--advertise-tags=tag:homelab');
  });

  it('explains the loopback trap and the working route to apps', () => {
    expect(g.notes.some((n) => n.source === 'netstack-loopback')).toBe(true);
    expect(g.notes.some((n) => n.source === 'ts-kb-1177')).toBe(true);
    expect(g.header).toContain('jellyfin: http://192.168.20.22:8096 (via the subnet route)');
  });
});

describe('B serve', () => {
  const g = generate(config, 'serve');
  const ts = parseCompose(g.compose).services.tailscale;
  const file = g.files.find((f) => f.path === 'tailscale-serve/serve.json');
  const serve = JSON.parse(file?.content ?? '{}') as ServeConfig;

  it('points TS_SERVE_CONFIG into a mounted directory', () => {
    expect(ts.environment.TS_USERSPACE).toBe('true');
    expect(ts.environment.TS_SERVE_CONFIG).toBe('/config/serve.json');
    expect(ts.volumes).toContain('./tailscale-serve:/config:ro');
    expect(ts.environment.TS_ROUTES).toBe('192.168.20.0/24');
  });

  it('keeps ${TS_CERT_DOMAIN} out of the compose file', () => {
    expect(g.compose).not.toContain('${');
    expect(file?.content).toContain('${TS_CERT_DOMAIN}:8096');
  });

  it('serves every app on its own port and path', () => {
    const handlers = Object.entries(serve.Web ?? {}).flatMap(([hostPort, web]) =>
      Object.keys(web.Handlers).map((path) => `${hostPort}${path}`),
    );
    expect(new Set(handlers).size).toBe(handlers.length);
    expect(handlers).toHaveLength(config.services.length);
    for (const s of config.services) {
      expect(serve.TCP[String(s.port)]).toEqual({ HTTPS: true });
      expect(serve.Web?.[`\${TS_CERT_DOMAIN}:${s.port}`]?.Handlers['/']).toEqual({
        Proxy: `http://${s.name}:${s.port}`,
      });
    }
  });

  it('tells the user to enable HTTPS certificates and why the note’s serve calls clashed', () => {
    expect(g.manualSteps[0]).toMatch(/HTTPS certificates/);
    expect(g.notes.some((n) => n.source === 'ts-kb-1153')).toBe(true);
    expect(g.notes.some((n) => /--tun=userspace-networking/.test(n.text))).toBe(true);
    expect(g.notes.some((n) => /replaces the first/.test(n.text))).toBe(true);
  });
});

describe('C macvlan', () => {
  const g = generate(config, 'macvlan');
  const doc = parseCompose(g.compose);
  const ts = doc.services.tailscale;
  const lan = doc.networks.lan;
  const ipam = lan.ipam.config[0];
  const macvlan = config.lan.macvlan!;

  it('runs in kernel mode with the tun device, NET_ADMIN and both forwarding sysctls', () => {
    expect(ts.environment.TS_USERSPACE).toBe('false');
    expect(ts.devices).toContain('/dev/net/tun:/dev/net/tun');
    expect(ts.cap_add).toEqual(['NET_ADMIN']);
    expect(ts.sysctls).toEqual({ 'net.ipv4.ip_forward': 1, 'net.ipv6.conf.all.forwarding': 1 });
    expect(ts.volumes.some((v: string) => v.includes('/dev/net/tun'))).toBe(false);
  });

  it('declares the macvlan LAN with a fixed address inside the subnet and a range outside DHCP', () => {
    expect(lan.driver).toBe('macvlan');
    expect(lan.driver_opts).toEqual({ parent: 'eno1' });
    expect(ipam).toMatchObject({
      subnet: '192.168.20.0/24',
      gateway: '192.168.20.1',
      ip_range: macvlan.ipRange,
    });
    expect(ts.networks.lan.ipv4_address).toBe(macvlan.address);
    expect(cidrContains(ipam.subnet, ts.networks.lan.ipv4_address)).toBe(true);
    expect(cidrWithin(ipam.ip_range, ipam.subnet)).toBe(true);
    const range = parseCidr(ipam.ip_range)!;
    const dhcp = config.lan.dhcpRange!;
    expect(range.last < parseIPv4(dhcp.start)! || range.first > parseIPv4(dhcp.end)!).toBe(true);
    expect(Object.values(ipam.aux_addresses)).toContain(macvlan.shimAddress);
  });

  it('keeps the app networks for Docker DNS', () => {
    expect(Object.keys(ts.networks)).toEqual(['lan', 'jellyfin_network', 'arr_network']);
  });

  it('ships an idempotent, executable shim script with a TrueNAS-safe name', () => {
    const shim = g.files.find((f) => f.path === 'tailscale-shim.sh')!;
    expect(shim.executable).toBe(true);
    expect(shim.content.startsWith('#!/bin/sh\n')).toBe(true);
    expect(shim.content).toContain("SHIM='tailscale-shim'");
    expect(shim.content).toContain("SHIM_ADDR='192.168.20.204/32'");
    expect(shim.content).toContain("RANGE='192.168.20.200/30'");
    expect(shim.content).toContain('ip addr replace');
    expect(shim.content).toContain('ip route replace');
    expect(shim.content).toMatch(/midclt call initshutdownscript\.create .*"when":"POSTINIT"/);
    expect(g.manualSteps.join('\n')).toMatch(/Reserve 192\.168\.20\.200\/30/);
  });
});

describe('D host', () => {
  const g = generate(config, 'host');
  const doc = parseCompose(g.compose);
  const ts = doc.services.tailscale;

  it('uses host networking in kernel mode without sysctls or networks', () => {
    expect(ts.network_mode).toBe('host');
    expect(ts.environment.TS_USERSPACE).toBe('false');
    expect(ts.devices).toEqual(['/dev/net/tun:/dev/net/tun']);
    expect(ts.cap_add).toEqual(['NET_ADMIN']);
    expect(ts.sysctls).toBeUndefined();
    expect(ts.networks).toBeUndefined();
    expect(doc.networks).toBeUndefined();
  });

  it('spells out the trade-off and the host sysctls', () => {
    expect(g.header).toMatch(/no Docker DNS/);
    expect(g.manualSteps[0]).toContain('System → Advanced → Sysctl');
    expect(g.manualSteps[0]).toContain('net.ipv4.ip_forward=1');
    expect(g.manualSteps[0]).toContain('net.ipv6.conf.all.forwarding=1');
  });
});

describe('sidecar', () => {
  const g = generate(config, 'sidecar');
  const doc = parseCompose(g.compose);

  it('adds one userspace tailscale per app with its own state dir and hostname', () => {
    for (const s of config.services) {
      const ts = doc.services[`ts-${s.name}`];
      expect(ts.environment.TS_USERSPACE).toBe('true');
      expect(ts.environment.TS_HOSTNAME).toBe(`truenas-${s.name}`);
      expect(ts.volumes).toEqual([`/mnt/Fast/docker/tailscale/${s.name}:/var/lib/tailscale`]);
      expect(ts.environment.TS_ROUTES).toBeUndefined();
      expect(ts.ports).toEqual([`${s.port}:${s.port}`]);
      expect(ts.networks[s.network].aliases).toEqual([s.name]);
    }
  });

  it('moves each app into the namespace and deletes its networks and ports', () => {
    for (const s of config.services) {
      expect(doc.services[s.name]).toEqual({
        network_mode: `service:ts-${s.name}`,
        depends_on: { [`ts-${s.name}`]: { condition: 'service_healthy' } },
      });
      for (const key of ['networks', 'ports'])
        expect(g.edits).toContainEqual({
          op: 'delete',
          path: ['services', s.name, key],
          reason: expect.objectContaining({ text: expect.stringMatching(/^moved to ts-/) }),
        });
    }
  });

  it('says it is an override file and warns about restarts', () => {
    expect(g.header).toContain('-f tailscale.sidecar.yaml');
    expect(g.notes.some((n) => n.source === 'compose-network-mode')).toBe(true);
  });
});
