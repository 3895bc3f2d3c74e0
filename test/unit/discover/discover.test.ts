import { describe, expect, it } from 'vitest';
import {
  computeDiscovery,
  draftConfig,
  suggestMacvlan,
  toEnvironmentFacts,
} from '../../../src/core/discover/index.js';
import { EXAMPLE_CONFIG } from '../../../src/core/model/example.js';
import { parseConfig } from '../../../src/core/model/load.js';
import { todoProblems } from '../../../src/core/model/todo.js';
import { resolveEnvironment } from '../../../src/core/plan/environment.js';
import { container, TRUENAS_FACTS, TRUENAS_HOST, TWO_NIC_FACTS, WIFI_HOST } from './samples.js';

describe('discover: host and LAN', () => {
  const d = computeDiscovery(TRUENAS_FACTS);

  it('finds the LAN as the interface holding the running node’s advertised route', () => {
    expect(d.lan).toEqual({
      interface: 'br0',
      subnet: '192.168.20.0/24',
      gateway: '192.168.20.1',
      hostAddress: '192.168.20.22',
      source: 'advertised-route',
      routes: ['192.168.20.0/24'],
    });
    expect(d.host).toMatchObject({
      name: 'truenas',
      platform: 'truenas',
      truenasVersion: '25.04.1',
      address: '192.168.20.22',
    });
  });

  it('classifies interfaces (bridge, bond, vlan, ethernet ports, Docker-managed, macvlan)', () => {
    const kinds = Object.fromEntries(d.interfaces.map((i) => [i.name, i.kind]));
    expect(kinds).toMatchObject({
      lo: 'loopback',
      enp3s0: 'ethernet',
      br0: 'bridge',
      bond0: 'bond',
      vlan20: 'vlan',
      docker0: 'bridge',
      veth1a2b3c4: 'veth',
      'tailscale-shim': 'macvlan',
    });
    const managed = d.interfaces.filter((i) => i.dockerManaged).map((i) => i.name);
    expect(managed.sort()).toEqual(['br-0123456789ab', 'docker0', 'veth1a2b3c4']);
    expect(d.interfaces.find((i) => i.name === 'enp3s0')).toMatchObject({
      master: 'br0',
      masterKind: 'bridge',
    });
  });

  it('parents: a bridge port points at its bridge (EBUSY), bond members at the bond, bond/vlan are usable', () => {
    const by = Object.fromEntries(d.parents.map((p) => [p.name, p]));
    expect(Object.keys(by).sort()).toEqual(['bond0', 'br0', 'eno1', 'eno2', 'enp3s0', 'vlan20']);
    expect(by.enp3s0).toMatchObject({ usable: false, useInstead: 'br0' });
    expect(by.enp3s0!.reason).toMatch(/EBUSY/);
    expect(by.eno1).toMatchObject({ usable: false, useInstead: 'bond0' });
    expect(by.br0).toMatchObject({ usable: true, recommended: true, carriesLan: true });
    expect(by.bond0).toMatchObject({ usable: true, recommended: false });
    expect(by.vlan20).toMatchObject({ usable: true, recommended: false });
  });

  it('Wi-Fi carries the LAN: not usable, nothing recommended; the unplugged NIC is usable but down', () => {
    const w = computeDiscovery({ host: WIFI_HOST });
    expect(w.lan?.interface).toBe('wlp2s0');
    const wifi = w.parents.find((p) => p.name === 'wlp2s0')!;
    expect(wifi).toMatchObject({ kind: 'wifi', usable: false, carriesLan: true, recommended: false });
    expect(wifi.reason).toMatch(/one MAC per station/);
    expect(w.parents.find((p) => p.name === 'enp1s0')).toMatchObject({ usable: true, recommended: false });
    expect(w.docker.reachable).toBe(false);
    const env = toEnvironmentFacts(w);
    expect(env).toMatchObject({ parentInterface: 'wlp2s0', parentKind: 'wifi', parentIsBridgePort: false });
  });

  it('without a default route there is no LAN and no suggestion', () => {
    const none = computeDiscovery({ host: { ...WIFI_HOST, routes: [] } });
    expect(none.lan).toBeUndefined();
    expect(none.suggestion).toBeUndefined();
    expect(none.parents.some((p) => p.recommended)).toBe(false);
  });
});

describe('discover: Docker', () => {
  const d = computeDiscovery(TRUENAS_FACTS);

  it('lists networks with macvlan parents and whether the parent exists', () => {
    const lan = d.docker.networks.find((n) => n.name === 'lan')!;
    expect(lan).toMatchObject({
      driver: 'macvlan',
      parent: 'br0',
      parentExists: true,
      ipRanges: ['192.168.20.240/29'],
    });
    expect(d.docker.networks.find((n) => n.name === 'oldlan')).toMatchObject({
      parent: 'eno3.30',
      parentExists: false,
    });
    expect(d.docker.networks.find((n) => n.name === 'ix-jellyfin_default')?.composeProject).toBe(
      'ix-jellyfin',
    );
  });

  it('reads compose labels; relative config_files resolve against working_dir', () => {
    const ts = d.docker.containers.find((c) => c.name === 'ix-tailscale-tailscale-1')!;
    expect(ts.compose).toEqual({
      project: 'ix-tailscale',
      service: 'tailscale',
      workingDir: '/mnt/.ix-apps/app_configs/tailscale/versions/1.2.3',
      configFiles: [
        '/mnt/.ix-apps/app_configs/tailscale/versions/1.2.3/templates/rendered/docker-compose.yaml',
      ],
    });
    const jf = d.docker.containers.find((c) => c.name === 'ix-jellyfin-jellyfin-1')!;
    expect(jf.networks).toEqual([{ name: 'ix-jellyfin_default', driver: 'bridge', ipv4: '172.16.1.2' }]);
    expect(jf.publishedPorts[0]).toMatchObject({ container: '8096/tcp', hostPort: '30013' });
  });

  it('finds the tailscale container: host mode, kernel (TS_USERSPACE=false), compose file, state dir', () => {
    expect(d.tailscale).toHaveLength(1);
    expect(d.tailscale[0]).toMatchObject({
      name: 'ix-tailscale-tailscale-1',
      mode: 'host',
      userspace: false,
      composeFile:
        '/mnt/.ix-apps/app_configs/tailscale/versions/1.2.3/templates/rendered/docker-compose.yaml',
      stateDir: { source: '/mnt/Fast/ix-apps/tailscale/state', destination: '/var/lib/tailscale' },
      hostname: 'truenas-ts',
      routes: ['192.168.20.0/24'],
    });
    expect(d.tailscale[0]!.matchedBy[0]).toBe('image');
  });

  it('mode: TS_USERSPACE parsed like Go ParseBool (invalid → default userspace), macvlan network wins', () => {
    const mk = (over: Parameters<typeof container>[0]) =>
      computeDiscovery({
        ...TRUENAS_FACTS,
        docker: { networks: TRUENAS_FACTS.docker!.networks, containers: [container(over)] },
      }).tailscale[0]!;
    expect(mk({ name: 'a', envNames: ['TS_AUTHKEY'] })).toMatchObject({ mode: 'userspace', userspace: true });
    expect(mk({ name: 'b', envNames: ['TS_USERSPACE'], tsSettings: { TS_USERSPACE: 'F' } })).toMatchObject({
      mode: 'kernel',
      userspace: false,
    });
    expect(mk({ name: 'c', envNames: ['TS_USERSPACE'], tsSettings: { TS_USERSPACE: 'no' } })).toMatchObject({
      mode: 'userspace',
      userspace: true,
      invalidUserspace: 'no',
    });
    const mv = mk({
      name: 'd',
      image: 'ghcr.io/tailscale/tailscale:v1.102.3',
      networkMode: 'lan',
      networks: { lan: { networkId: 'net-lan', ipv4: '192.168.20.242', aliases: [] } },
      tsSettings: { TS_USERSPACE: 'false', TS_STATE_DIR: '/var/lib/tailscale/state' },
      mounts: [{ source: '/mnt/tank/ts', destination: '/var/lib/tailscale', type: 'bind' }],
    });
    expect(mv).toMatchObject({ mode: 'macvlan', macvlanAddress: '192.168.20.242', macvlanNetwork: 'lan' });
    expect(mv.stateDir?.source).toBe('/mnt/tank/ts/state');
    expect(
      computeDiscovery({ ...TRUENAS_FACTS, docker: { networks: [], containers: [container({ name: 'x' })] } })
        .tailscale,
    ).toEqual([]);
  });

  it('used addresses include macvlan containers the host cannot see, neighbours, not FAILED entries', () => {
    const lanUsed = d.usedAddresses.filter((u) => u.subnet === '192.168.20.0/24');
    const addrs = lanUsed.map((u) => u.address);
    expect(addrs).toEqual([
      '192.168.20.1',
      '192.168.20.22',
      '192.168.20.50',
      '192.168.20.204',
      '192.168.20.241',
    ]);
    expect(lanUsed.find((u) => u.address === '192.168.20.241')?.by).toMatch(
      /container pihole \(lan, macvlan\)/,
    );
    expect(d.usedAddresses.some((u) => u.subnet === '10.30.0.0/24' && u.address === '10.30.0.1')).toBe(true);
  });

  it('suggests a free /30 near the top and a shim address, honouring a known DHCP pool', () => {
    expect(d.suggestion).toMatchObject({
      address: '192.168.20.248',
      ipRange: '192.168.20.248/30',
      shimAddress: '192.168.20.247',
    });
    expect(d.suggestion!.dhcpKnown).toBe(false);
    const s = suggestMacvlan('192.168.20.0/24', ['192.168.20.1', '192.168.20.199'], {
      start: '192.168.20.100',
      end: '192.168.20.254',
    });
    expect(s).toMatchObject({ address: '192.168.20.96', shimAddress: '192.168.20.95', dhcpKnown: true });
    expect(suggestMacvlan('10.0.0.0/30', [])).toBeUndefined();
  });

  it('environment facts for the planner; a config parent that is a bridge port is flagged', () => {
    expect(toEnvironmentFacts(d)).toMatchObject({
      parentInterface: 'br0',
      parentKind: 'bridge',
      parentIsBridgePort: false,
      tunDevice: true,
      hostIpForward: false,
      truenasVersion: '25.04.1',
      composeFlavor: 'v2',
      freeLanAddress: true,
    });
    const config = parseConfig(
      'x',
      EXAMPLE_CONFIG.replace('parentInterface: eno1', 'parentInterface: enp3s0'),
    );
    const env = toEnvironmentFacts(d, config);
    expect(env).toMatchObject({
      parentInterface: 'enp3s0',
      parentIsBridgePort: true,
      parentBridge: 'br0',
      parentKind: 'ethernet',
    });
    expect(env.lanAddressesInUse).toContain('192.168.20.241');
    // Bridge networks only: traffic for a macvlan network's subnet goes to the LAN, not a Docker bridge.
    expect(env.dockerNetworkSubnets).toContain('172.16.1.0/24');
    expect(env.dockerNetworkSubnets).not.toContain('192.168.20.0/24');
  });

  it('the config’s own shim and the tailscale container being replaced do not count as addresses in use', () => {
    const config = parseConfig(
      'x',
      EXAMPLE_CONFIG.replace(/shimAddress: [\d.]+/, 'shimAddress: 192.168.20.204'),
    );
    const env = toEnvironmentFacts(d, config);
    expect(env.lanAddressesInUse).not.toContain('192.168.20.204'); // the host's tailscale-shim holds it
    expect(env.lanAddressesInUse).toContain('192.168.20.241'); // pihole still does
    expect(resolveEnvironment(config, env).shimAddressUnused).toBe(true);
  });

  it('an interface of no parent kind (a macvlan child, other) does not override the configured parent kind', () => {
    const config = parseConfig(
      'x',
      EXAMPLE_CONFIG.replace('parentInterface: eno1', 'parentInterface: tailscale-shim'),
    );
    expect(config.lan.parentKind).toBe('ethernet');
    const env = toEnvironmentFacts(d, config);
    expect(env.parentInterface).toBe('tailscale-shim');
    expect(env.parentKind).toBeUndefined();
    expect(resolveEnvironment(config, env).parentKind).toBe('ethernet');
  });
});

describe('discover from what runs: two interfaces, the default route elsewhere (the issue’s lab NAS)', () => {
  const two = computeDiscovery(TWO_NIC_FACTS);

  it('takes the LAN from the interface that holds the advertised route, not the default route', () => {
    expect(two.defaultInterface).toBe('eth0');
    expect(two.lan).toEqual({
      interface: 'eth1',
      subnet: '198.18.20.0/24',
      hostAddress: '198.18.20.10',
      source: 'advertised-route',
      routes: ['198.18.20.0/24'],
    });
  });

  it('lists the LAN-side veth as a macvlan parent, with why', () => {
    expect(two.parents.find((p) => p.name === 'eth1')).toMatchObject({
      kind: 'veth',
      usable: true,
      recommended: true,
      carriesLan: true,
      reason: expect.stringMatching(/^veth .*valid macvlan parent/),
    });
  });

  it('reads identity and intent from the running container and its compose file', () => {
    const ts = two.tailscale[0]!;
    expect(ts.identity).toMatchObject({
      hostname: 'truenas',
      machineName: 'truenas',
      routes: ['198.18.20.0/24'],
      acceptRoutes: true,
      tags: ['tag:nas'],
      exitNode: false,
      stateDir: '/srv/stacks/tailscale/state',
    });
    expect(ts.envFiles).toEqual([
      { path: '/srv/stacks/tailscale/tailscale.env', names: ['TS_AUTHKEY'], holdsAuth: true },
    ]);
    // The compose file passes the key in TS_EXTRA_ARGS: noticed, never copied.
    expect(ts.inlineAuthKey).toBe(true);
    expect(JSON.stringify(two)).not.toContain('kCANARY2');
  });
});

describe('draftConfig', () => {
  it('is a valid Config filled from the TrueNAS discovery, with TODOs where unknown', () => {
    const text = draftConfig(computeDiscovery(TRUENAS_FACTS));
    const c = parseConfig('draft.yaml', text);
    expect(c.lan).toMatchObject({
      subnet: '192.168.20.0/24',
      gateway: '192.168.20.1',
      parentInterface: 'br0',
      parentKind: 'bridge',
    });
    expect(c.lan.macvlan).toMatchObject({
      address: '192.168.20.248',
      ipRange: '192.168.20.248/30',
      shimAddress: '192.168.20.247',
    });
    expect(c.lan.macvlan!.usedAddresses).toContain('192.168.20.241');
    expect(c.host).toMatchObject({
      name: 'truenas',
      address: '192.168.20.22',
      platform: 'truenas',
      truenasVersion: '25.04.1',
    });
    expect(c.tailscale).toMatchObject({
      service: 'tailscale',
      containerName: 'ix-tailscale-tailscale-1',
      hostname: 'truenas-ts',
      image: 'tailscale/tailscale:v1.80.2',
      stateDir: '/mnt/Fast/ix-apps/tailscale/state',
      advertiseRoutes: ['192.168.20.0/24'],
    });
    expect(c.services).toEqual([
      expect.objectContaining({
        name: 'jellyfin',
        container: 'ix-jellyfin-jellyfin-1',
        port: 8096,
        network: 'ix-jellyfin_default',
        publishedOnHost: true,
      }),
    ]);
    expect(c.paths.compose).toBe(
      '/mnt/.ix-apps/app_configs/tailscale/versions/1.2.3/templates/rendered/docker-compose.yaml',
    );
    expect(text).toMatch(/# dhcpRange: .*# TODO/);
    expect(text).toMatch(/path: \/TODO\/tailscale\/\.env/);
  });

  it('keeps the running node of the issue’s two-interface NAS: name, routes, flags, state and env file', () => {
    const text = draftConfig(computeDiscovery(TWO_NIC_FACTS));
    const c = parseConfig('draft.yaml', text);
    expect(c.lan).toMatchObject({ subnet: '198.18.20.0/24', parentInterface: 'eth1', parentKind: 'veth' });
    expect(c.host.address).toBe('198.18.20.10');
    expect(c.tailscale).toMatchObject({
      containerName: 'truenas',
      hostname: 'truenas',
      advertiseRoutes: ['198.18.20.0/24'],
      acceptRoutes: true,
      tags: ['tag:nas'],
      exitNode: false,
      stateDir: '/srv/stacks/tailscale/state',
      auth: { method: 'env_file', path: '/srv/stacks/tailscale/tailscale.env' },
    });
    expect(c.paths.compose).toBe('/srv/stacks/tailscale/compose.yaml');
    expect(text).not.toContain('kCANARY2');
    expect(text).not.toContain('192.0.2.');
    // The one thing this host cannot know: the LAN router (no route through eth1).
    expect(todoProblems('draft.yaml', text).map((p) => `${p.line}: ${p.message}`)).toEqual([
      expect.stringMatching(
        /^\d+: TODO not filled in: the LAN router: no route on this host goes through 198\.18\.20\.0\/24/,
      ),
    ]);
  });

  it('is valid with nothing known (no route, no Docker): placeholders marked TODO', () => {
    const text = draftConfig(
      computeDiscovery({ host: { ...WIFI_HOST, routes: [] }, dockerError: 'Docker engine not reachable' }),
    );
    const c = parseConfig('draft.yaml', text);
    expect(c.lan.subnet).toBe('192.168.1.0/24');
    expect(c.host.name).toBe('Mini-PC');
    expect(c.tailscale.hostname).toBe('mini-pc');
    expect(c.services).toEqual([]);
    expect(text.match(/TODO/g)!.length).toBeGreaterThanOrEqual(6);
  });

  it('Wi-Fi LAN: parentInterface kept with a check note saying why it cannot carry macvlan', () => {
    const text = draftConfig(computeDiscovery({ host: WIFI_HOST }));
    const c = parseConfig('draft.yaml', text);
    expect(c.lan.parentKind).toBe('wifi');
    expect(text).toMatch(/parentInterface: wlp2s0 +# check: not usable for macvlan: Wi-Fi/);
  });

  it('a tailscale container already on a macvlan LAN network keeps its address and range', () => {
    const facts = {
      ...TRUENAS_FACTS,
      host: TRUENAS_HOST,
      docker: {
        ...TRUENAS_FACTS.docker!,
        containers: [
          container({
            name: 'tailscale',
            image: 'tailscale/tailscale:latest',
            networkMode: 'lan',
            networks: { lan: { networkId: 'net-lan', ipv4: '192.168.20.242', aliases: [] } },
          }),
        ],
      },
    };
    const text = draftConfig(computeDiscovery(facts));
    const c = parseConfig('draft.yaml', text);
    expect(c.lan.macvlan).toMatchObject({ address: '192.168.20.242', ipRange: '192.168.20.240/29' });
    expect(c.tailscale.image).toBe('tailscale/tailscale:v1.102.3');
    expect(text).toMatch(/check: the running image tailscale\/tailscale:latest is not pinned/);
  });
});
