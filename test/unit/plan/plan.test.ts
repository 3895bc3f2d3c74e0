import { describe, expect, it } from 'vitest';
import { SOURCES } from '../../../src/core/facts/sources.js';
import type { HomelabConfig } from '../../../src/core/model/config.js';
import { MODES } from '../../../src/core/model/modes.js';
import {
  compareVersions,
  deriveEnvironment,
  type EnvironmentFacts,
  type Plan,
  planModes,
  ROW_IDS,
} from '../../../src/core/plan/index.js';
import { example, exampleWith, withRequirements } from './fixtures.js';

const GOOD_MACVLAN: EnvironmentFacts = {
  parentKind: 'ethernet',
  parentIsBridgePort: false,
  tunDevice: true,
  hostIpForward: true,
  virtualized: false,
};

const blocks = (plan: Plan, mode: string) =>
  plan.blockers.filter((b) => b.mode === mode && b.severity === 'blocks');
const rank = (plan: Plan, mode: string) => plan.ranking.find((e) => e.mode === mode)!;

/** Every scenario the tests plan; each must give a complete, sourced, honest matrix. */
const scenarios: [string, HomelabConfig, EnvironmentFacts | undefined][] = [
  ['example', example(), undefined],
  ['isolation', withRequirements({ priority: 'isolation' }), undefined],
  ['performance', withRequirements({ priority: 'performance' }), GOOD_MACVLAN],
  ['hostToTailnet', withRequirements({ hostToTailnet: true, dockerServiceDiscovery: false }), GOOD_MACVLAN],
  ['wifi', example(), { parentKind: 'wifi' }],
  ['wifi-no-tun', example(), { parentKind: 'wifi', tunDevice: false }],
  ['reach', withRequirements({ reachAtTailscaleIp: true }), undefined],
  [
    'reach-tcp',
    exampleWith(
      /services:\n/,
      'services:\n  - { name: postgres, port: 5432, protocol: tcp, network: db_network }\n',
    ),
    undefined,
  ],
  ['dhcp', exampleWith('ipRange: 192.168.20.200/30', 'ipRange: 192.168.20.150/30'), undefined],
  ['no-macvlan', exampleWith(/ {2}macvlan:\n(?: {4}.*\n)+/, ''), undefined],
];

describe('planModes: matrix', () => {
  it.each(scenarios)(
    '%s: every row × mode has a value, a one-line reason and a known source',
    (_n, cfg, env) => {
      const plan = planModes(cfg, env);
      expect(plan.matrix.map((r) => r.id)).toEqual([...ROW_IDS]);
      for (const row of plan.matrix)
        for (const mode of MODES) {
          const cell = row.cells[mode];
          expect(['yes', 'no', 'partial'], `${row.id}/${mode}`).toContain(cell.value);
          expect(cell.reason.length, `${row.id}/${mode}`).toBeGreaterThan(20);
          expect(cell.reason, `${row.id}/${mode}`).not.toMatch(/\n/);
          expect(cell.source === 'measured' || cell.source in SOURCES, `${row.id}/${mode}`).toBe(true);
        }
      for (const b of plan.blockers) expect(b.source === 'measured' || b.source in SOURCES).toBe(true);
    },
  );

  it.each(scenarios)(
    '%s: carries none of the seed note’s invented numbers and round-trips JSON',
    (_n, cfg, env) => {
      const plan = planModes(cfg, env);
      const json = JSON.stringify(plan);
      expect(json).not.toMatch(/10-20|10–20/);
      expect(json).not.toMatch(/\d+\s*%/);
      for (const row of plan.matrix)
        for (const m of MODES) expect(row.cells[m].reason).not.toMatch(/❓|\bunknown\b|may or may not/i);
      expect(JSON.parse(json)).toEqual(plan);
    },
  );

  it('corrects the seed note: userspace subnet routing and exit node work, performance is not a flat "no"', () => {
    const plan = planModes(example());
    const row = (id: string) => plan.matrix.find((r) => r.id === id)!;
    expect(row('subnetRouting').cells.userspace).toMatchObject({ value: 'yes', source: 'ts-kb-1177' });
    expect(row('subnetRouting').cells.userspace.reason).toMatch(
      /ICMP echo.*other IP protocols are not routed/,
    );
    expect(row('subnetRouting').seed?.userspace).toBe('unknown');
    expect(row('exitNode').cells.userspace.value).toBe('yes');
    expect(row('performance').cells.userspace).toMatchObject({
      value: 'partial',
      source: 'ts-perf-netstack',
    });
    expect(row('reachAtTailscaleIp').cells.userspace).toMatchObject({
      value: 'no',
      source: 'netstack-loopback',
    });
    expect(row('hostAccess').cells.macvlan.source).toBe('macvlan-shim');
    expect(row('hostToTailnet').cells.host.value).toBe('yes');
    for (const m of MODES.filter((x) => x !== 'host')) expect(row('hostToTailnet').cells[m].value).toBe('no');
  });

  it('marks exactly the rows the requirements ask for as required', () => {
    const plan = planModes(withRequirements({ exitNode: true, hostAccess: false }));
    const required = plan.matrix.filter((r) => r.required).map((r) => r.id);
    expect(required).toEqual(['subnetRouting', 'dockerNetworking', 'exitNode', 'statePersistence']);
    expect(plan.matrix.filter((r) => !r.required && r.inSeed === false).every((r) => r.weight === 0)).toBe(
      true,
    );
  });

  it('host mode answers at the tailscale IP only for ports published on the host', () => {
    const c = exampleWith(
      'network: arr_network, publishedOnHost: true }\n  - { name: radarr',
      'network: arr_network }\n  - { name: radarr',
    );
    const cell = planModes(c).matrix.find((r) => r.id === 'reachAtTailscaleIp')!.cells.host;
    expect(cell.value).toBe('partial');
    expect(cell.reason).toContain('sonarr');
  });
});

describe('planModes: ranking and attempt order', () => {
  it('subnet routing + service discovery + isolation: userspace is the clear winner, seed order A → C → D', () => {
    const plan = planModes(withRequirements({ priority: 'isolation' }));
    expect(plan.recommended).toBe('userspace');
    expect(plan.ranking[0]).toMatchObject({ mode: 'userspace', fit: true });
    expect(plan.ranking[0]!.score - rank(plan, 'macvlan').score).toBeGreaterThanOrEqual(20);
    expect(plan.order).toEqual(['userspace', 'macvlan', 'host']);
    expect(plan.orderReasons).toHaveLength(3);
    expect(plan.orderReasons[0]).toMatch(/isolation priority/);
    expect(plan.orderReasons[2]).toMatch(/^fallback: host/);
    expect(rank(plan, 'host')).toMatchObject({ fit: false });
    expect(rank(plan, 'host').unfitReasons.join()).toMatch(/Docker networking/);
    expect(plan.dropped.map((d) => d.mode).sort()).toEqual(['serve', 'sidecar']);
  });

  it('host → tailnet required: host mode is the only honest answer', () => {
    const plan = planModes(
      withRequirements({ hostToTailnet: true, dockerServiceDiscovery: false }),
      GOOD_MACVLAN,
    );
    expect(plan.recommended).toBe('host');
    expect(plan.order).toEqual(['host']);
    expect(plan.ranking.filter((e) => e.fit).map((e) => e.mode)).toEqual(['host']);
    expect(plan.orderReasons[0]).toMatch(/only mode that provides Host → tailnet/);
    for (const m of ['userspace', 'serve', 'sidecar', 'macvlan'] as const)
      expect(rank(plan, m).unfitReasons.join()).toMatch(/Host → tailnet/);
  });

  it('host → tailnet plus service discovery conflict: host is still offered, and says what it costs', () => {
    const plan = planModes(withRequirements({ hostToTailnet: true }));
    expect(plan.order).toEqual(['host']);
    expect(plan.ranking.every((e) => !e.fit)).toBe(true);
    expect(plan.orderReasons[0]).toMatch(/not fit \(misses Docker networking/);
  });

  it('performance priority with a good macvlan setup puts macvlan first', () => {
    const plan = planModes(withRequirements({ priority: 'performance' }), GOOD_MACVLAN);
    expect(plan.order).toEqual(['macvlan', 'userspace', 'host']);
    expect(plan.recommended).toBe('macvlan');
    expect(plan.orderReasons[0]).toMatch(/performance priority: kernel path/);
    expect(blocks(plan, 'macvlan')).toEqual([]);
  });

  it('a Wi-Fi parent blocks macvlan; the order drops it and lists why', () => {
    const plan = planModes(example(), { parentKind: 'wifi' });
    expect(blocks(plan, 'macvlan')).toEqual([
      expect.objectContaining({ source: 'docker-macvlan-wifi', message: expect.stringMatching(/Wi-Fi/) }),
    ]);
    expect(plan.order).toEqual(['userspace', 'host']);
    expect(plan.dropped.find((d) => d.mode === 'macvlan')?.reason).toMatch(/^blocked: .*Wi-Fi/);
    expect(rank(plan, 'macvlan').fit).toBe(false);
  });

  it('Wi-Fi parent and no /dev/net/tun: both kernel modes are out, userspace (not host) is the answer', () => {
    const plan = planModes(example(), { parentKind: 'wifi', tunDevice: false });
    expect(plan.order).toEqual(['userspace']);
    expect(plan.recommended).toBe('userspace');
    expect(blocks(plan, 'host')).toEqual([expect.objectContaining({ source: 'runc-tun' })]);
    expect(
      blocks(plan, 'macvlan')
        .map((b) => b.source)
        .sort(),
    ).toEqual(['docker-macvlan-wifi', 'runc-tun']);
  });

  it('reachAtTailscaleIp with HTTP services: serve and sidecar join the order, userspace is unfit', () => {
    const plan = planModes(withRequirements({ reachAtTailscaleIp: true }));
    expect(plan.order.slice(0, 2).sort()).toEqual(['serve', 'sidecar']);
    expect(plan.order).not.toContain('userspace');
    expect(plan.order.at(-1)).toBe('host');
    expect(rank(plan, 'userspace').unfitReasons.join()).toMatch(/127\.0\.0\.1/);
    expect(plan.dropped.find((d) => d.mode === 'userspace')?.reason).toMatch(/^not fit/);
  });

  it('non-HTTP service + reachAtTailscaleIp: sidecar and serve (TCPForward) before the kernel modes', () => {
    const cfg = exampleWith(
      /requirements:\n(?:.*\n)*?paths:/,
      'requirements:\n  nonHttpServices: true\n  reachAtTailscaleIp: true\npaths:',
    );
    const withTcp = {
      ...cfg,
      services: [
        ...cfg.services,
        { name: 'postgres', port: 5432, protocol: 'tcp' as const, network: 'db', publishedOnHost: false },
      ],
    };
    const plan = planModes(withTcp);
    expect(plan.order.slice(0, 2).sort()).toEqual(['serve', 'sidecar']);
    expect(plan.matrix.find((r) => r.id === 'nonHttp')).toMatchObject({ required: true });
    expect(plan.matrix.find((r) => r.id === 'nonHttp')!.cells.serve.value).toBe('partial');
    expect(plan.blockers).toContainEqual(
      expect.objectContaining({
        mode: 'serve',
        severity: 'warns',
        message: expect.stringMatching(/postgres is raw TCP: serve uses TCPForward/),
      }),
    );
    expect(plan.order.indexOf('macvlan')).toBeGreaterThan(1);
  });
});

describe('planModes: environment blockers', () => {
  it('ip_range inside the DHCP pool blocks macvlan', () => {
    const plan = planModes(exampleWith('ipRange: 192.168.20.200/30', 'ipRange: 192.168.20.150/30'));
    expect(blocks(plan, 'macvlan')).toContainEqual(
      expect.objectContaining({
        source: 'docker-ipam-static',
        message: expect.stringMatching(/overlaps the DHCP pool 192\.168\.20\.100–192\.168\.20\.199/),
      }),
    );
    expect(plan.order).toEqual(['userspace', 'host']);
  });

  it('no lan.macvlan (no free address) blocks macvlan', () => {
    const cfg = exampleWith(/ {2}macvlan:\n(?: {4}.*\n)+/, '');
    expect(cfg.lan.macvlan).toBeUndefined();
    const plan = planModes(cfg);
    expect(blocks(plan, 'macvlan')).toEqual([
      expect.objectContaining({ message: expect.stringMatching(/^no lan\.macvlan/) }),
    ]);
    expect(plan.matrix.find((r) => r.id === 'hostAccess')!.cells.macvlan.reason).not.toMatch(/undefined/);
  });

  it('address outside the subnet, in usedAddresses, or seen on the LAN blocks macvlan', () => {
    const outside = planModes(exampleWith('address: 192.168.20.200', 'address: 192.168.30.200'));
    expect(
      blocks(outside, 'macvlan')
        .map((b) => b.message)
        .join(),
    ).toMatch(/outside lan\.subnet/);
    const used = planModes(exampleWith('usedAddresses: [192.168.20.22]', 'usedAddresses: [192.168.20.200]'));
    expect(
      blocks(used, 'macvlan')
        .map((b) => b.message)
        .join(),
    ).toMatch(/already in use/);
    const seen = planModes(example(), { lanAddressesInUse: ['192.168.20.200'] });
    expect(
      blocks(seen, 'macvlan')
        .map((b) => b.message)
        .join(),
    ).toMatch(/192\.168\.20\.200 is already in use/);
  });

  it('a parent that is a bridge port blocks macvlan (EBUSY) and names the bridge', () => {
    const plan = planModes(example(), { parentIsBridgePort: true, parentBridge: 'br0' });
    expect(blocks(plan, 'macvlan')).toEqual([
      expect.objectContaining({
        source: 'macvlan-bridge-port',
        message: expect.stringMatching(/EBUSY; use br0/),
      }),
    ]);
  });

  it('warns (does not block) on route/Docker-subnet overlap, ip_forward=0, old TrueNAS and VMs', () => {
    const cfg = exampleWith('truenasVersion: "25.04.1"', 'truenasVersion: "24.10.2"');
    const plan = planModes(cfg, {
      dockerNetworkSubnets: ['192.168.20.0/25'],
      hostIpForward: false,
      virtualized: true,
    });
    const warns = plan.blockers.filter((b) => b.severity === 'warns');
    expect(
      warns
        .filter((b) => b.source === 'docker-address-pools')
        .map((b) => b.mode)
        .sort(),
    ).toEqual(['host', 'serve', 'sidecar', 'userspace']);
    expect(warns).toContainEqual(
      expect.objectContaining({ mode: 'macvlan', source: 'containerboot-forwarding' }),
    );
    expect(warns).toContainEqual(expect.objectContaining({ mode: 'host', source: 'compose-sysctls' }));
    expect(warns).toContainEqual(expect.objectContaining({ mode: 'macvlan', source: 'truenas-interfaces' }));
    expect(warns).toContainEqual(
      expect.objectContaining({ mode: 'macvlan', message: expect.stringMatching(/VM/) }),
    );
    expect(plan.order).toEqual(['userspace', 'macvlan', 'host']);
  });

  it('a vSwitch that drops extra MACs blocks macvlan', () => {
    const plan = planModes(example(), { virtualized: true, vswitchAllowsExtraMacs: false });
    expect(blocks(plan, 'macvlan')).toHaveLength(1);
  });

  it('derives environment defaults from the config', () => {
    const env = deriveEnvironment(example());
    expect(env).toMatchObject({
      parentInterface: 'eno1',
      parentKind: 'ethernet',
      freeLanAddress: true,
      macvlanAddressInSubnet: true,
      macvlanRangeInSubnet: true,
      macvlanAddressOutsideDhcp: true,
      macvlanRangeOutsideDhcp: true,
      macvlanAddressUnused: true,
      shimAddressUnused: true,
      shimAddressOutsidePools: true,
      truenasVersion: '25.04.1',
    });
    expect(env.tunDevice).toBeUndefined();
    expect(compareVersions('24.10.2', '25.04.1')).toBeLessThan(0);
    expect(compareVersions('25.04.1', '25.04.1')).toBe(0);
    expect(compareVersions('25.10', '25.04.1')).toBeGreaterThan(0);
  });
});
