import { describe, expect, it } from 'vitest';
import { fixSource } from '../../../src/core/lint/engine.js';
import { containerPorts, listenPort } from '../../../src/core/lint/rules/userspace-ports.js';
import { EXAMPLE_CONFIG, EXAMPLE_CONFIG_FILE } from '../../../src/core/model/example.js';
import { parseConfig } from '../../../src/core/model/load.js';
import { fixture, lintFixture, lintText } from './helpers.js';

const config = parseConfig(EXAMPLE_CONFIG_FILE, EXAMPLE_CONFIG);
const MINE = new Set([
  'userspace-ports',
  'route-overlaps-docker-network',
  'macvlan-parent-missing',
  'macvlan-no-fixed-address',
  'macvlan-address-outside-subnet',
  'macvlan-range-in-dhcp',
  'macvlan-ports-ignored',
]);

function mine(text: string, opts = {}): string[] {
  const r = lintText(text, opts);
  expect(r.linted).toBe(true);
  return r.findings.filter((f) => MINE.has(f.ruleId)).map((f) => `${f.line} ${f.ruleId} ${f.severity}`);
}

const TS = [
  'services:',
  '  ts:',
  '    image: tailscale/tailscale:v1.102.3',
  '    environment:',
  '      TS_STATE_DIR: /var/lib/tailscale',
];
const APP = ['  app:', '    image: jellyfin/jellyfin:10.10.7'];
const LAN = [
  'networks:',
  '  lan:',
  '    driver: macvlan',
  '    driver_opts: {parent: eno1}',
  '    ipam:',
  '      config:',
  '        - subnet: 192.168.20.0/24',
  '          ip_range: 192.168.20.200/30',
];
const y = (...parts: string[][]) => `${parts.flat().join('\n')}\n`;

describe('networks rules: seed Option C (macvlan)', () => {
  it('is clean for the macvlan rules with and without the homelab config', () => {
    for (const opts of [{}, { config }]) {
      const r = lintFixture('seed/option-c-macvlan.yaml', opts);
      expect(r.findings.filter((f) => MINE.has(f.ruleId))).toEqual([]);
    }
  });

  it('is flagged once its address or range moves into the DHCP pool (config)', () => {
    const text = fixture('seed/option-c-macvlan.yaml')
      .replace('ip_range: 192.168.20.200/32', 'ip_range: 192.168.20.150/32')
      .replace('ipv4_address: 192.168.20.200', 'ipv4_address: 192.168.20.150');
    expect(mine(text)).toEqual([]);
    expect(mine(text, { config })).toEqual([
      '11 macvlan-range-in-dhcp error',
      '29 macvlan-range-in-dhcp error',
    ]);
  });

  it('is flagged when the parent, the address or ports: change', () => {
    const noParent = fixture('seed/option-c-macvlan.yaml').replace(/ {4}driver_opts:\n.*\n/, '');
    expect(mine(noParent)).toEqual(['4 macvlan-parent-missing error']);
    const outside = fixture('seed/option-c-macvlan.yaml').replace(
      'ipv4_address: 192.168.20.200',
      'ipv4_address: 192.168.2.200',
    );
    expect(mine(outside)).toEqual(['29 macvlan-address-outside-subnet error']);
    const ports = `${fixture('seed/option-c-macvlan.yaml')}    ports:\n      - "443:443"\n`;
    expect(mine(ports)).toEqual(['30 macvlan-ports-ignored warning']);
  });
});

describe('userspace-ports', () => {
  const withPorts = (env: string[], ports: string[], extra: string[][] = [APP]) =>
    y(
      TS,
      env,
      ['    ports:'],
      ports.map((p) => `      - ${p}`),
      ...extra,
    );

  it('flags TCP app ports, in short and long syntax and ranges', () => {
    expect(
      mine(
        withPorts(
          [],
          [
            '"8096:8096"',
            '8989',
            '"127.0.0.1:7878:7878/tcp"',
            '{target: 80, published: 8080}',
            '"9000-9001:9000-9001"',
          ],
        ),
      ),
    ).toEqual([
      '7 userspace-ports warning',
      '8 userspace-ports warning',
      '9 userspace-ports warning',
      '10 userspace-ports warning',
      '11 userspace-ports warning',
    ]);
  });

  it('leaves the container’s own listeners alone: UDP, SOCKS5/HTTP proxy, health/metrics, debug', () => {
    const env = [
      '      TS_SOCKS5_SERVER: ":1055"',
      '      TS_OUTBOUND_HTTP_PROXY_LISTEN: 0.0.0.0:1056',
      '      TS_TAILSCALED_EXTRA_ARGS: --debug=:8081',
    ];
    expect(
      mine(withPorts(env, ['"41641:41641/udp"', '"1055:1055"', '"1056:1056"', '"9002:9002"', '"8081:8081"'])),
    ).toEqual([]);
    // TS_LOCAL_ADDR_PORT moves the health/metrics port
    expect(
      mine(withPorts(['      TS_LOCAL_ADDR_PORT: "[::]:9100"'], ['"9100:9100"', '"9002:9002"'])),
    ).toEqual(['9 userspace-ports warning']);
  });

  it('is silent when it cannot know: serve config, unknown listeners, sidecars, kernel mode, custom images', () => {
    expect(mine(withPorts(['      TS_SERVE_CONFIG: /config/serve.json'], ['"443:443"']))).toEqual([]);
    expect(mine(withPorts(['      TS_SOCKS5_SERVER: ${SOCKS}'], ['"8096:8096"']))).toEqual([]);
    expect(mine(withPorts(['      TS_USERSPACE: ${MODE}'], ['"8096:8096"']))).toEqual([]);
    expect(mine(withPorts(['      TS_USERSPACE: "false"'], ['"8096:8096"']))).toEqual([]);
    expect(mine(withPorts([], ['"${PORT}:8096"']))).toEqual([]);
    // alone in the file: maybe the namespace owner of an app in another project (network_mode: container:ts)
    expect(mine(withPorts([], ['"8096:8096"'], []))).toEqual([]);
    // sidecar by service and by container name
    expect(mine(withPorts([], ['"8096:8096"'], [APP, ['    network_mode: service:ts']]))).toEqual([]);
    const named = y(TS, ['    container_name: tsc', '    ports: ["8096:8096"]'], APP, [
      '    network_mode: container:tsc',
    ]);
    expect(mine(named)).toEqual([]);
    // an unread env_file might set TS_SERVE_CONFIG or a proxy
    expect(
      mine(
        withPorts([], ['"8096:8096"'], [APP]).replace(
          '    environment:',
          '    env_file: .env\n    environment:',
        ),
      ),
    ).toEqual([]);
    // not the official image (other processes may listen), or a custom command
    expect(
      mine(
        withPorts([], ['"8096:8096"']).replace(
          'tailscale/tailscale:v1.102.3',
          'example/app-with-tailscale:1',
        ),
      ),
    ).toEqual([]);
    expect(mine(withPorts(['    command: ["sh", "-c", "x"]'], ['"8096:8096"']))).toEqual([]);
  });

  it('parses ports and listen addresses', () => {
    expect(containerPorts('[::1]:80:8080/udp')).toEqual({ from: 8080, to: 8080, protocol: 'udp' });
    expect(containerPorts({ target: '443', protocol: 'TCP' })).toEqual({
      from: 443,
      to: 443,
      protocol: 'tcp',
    });
    expect(containerPorts('abc')).toBeUndefined();
    expect(listenPort('[::]:9002')).toBe(9002);
    expect(listenPort('localhost:1055')).toBe(1055);
    expect(listenPort('localhost')).toBeUndefined();
  });
});

describe('route-overlaps-docker-network', () => {
  const net = (subnet: string, driver = '') => [
    'networks:',
    '  apps:',
    ...(driver ? [`    driver: ${driver}`] : []),
    '    ipam:',
    '      config:',
    `        - subnet: ${subnet}`,
  ];
  const ts = (env: string, nets = ['    networks: [apps]']) => [...TS, `      ${env}`, ...nets];

  it('flags a route that a Docker network subnet shadows, from TS_ROUTES or TS_EXTRA_ARGS', () => {
    expect(mine(y(ts('TS_ROUTES: 10.0.0.0/8,192.168.20.0/24'), net('10.1.0.0/16')))).toEqual([
      '6 route-overlaps-docker-network warning',
    ]);
    expect(
      mine(y(ts('TS_EXTRA_ARGS: --advertise-routes=192.168.0.0/16 --reset'), net('192.168.20.0/24'))),
    ).toEqual(['6 route-overlaps-docker-network warning']);
  });

  it('accepts advertising exactly the Docker network, unless that network sits on the LAN (config)', () => {
    expect(mine(y(ts('TS_ROUTES: 172.30.0.0/24'), net('172.30.0.0/24')))).toEqual([]);
    expect(mine(y(ts('TS_ROUTES: 192.168.20.0/24'), net('192.168.20.0/24')))).toEqual([]);
    expect(mine(y(ts('TS_ROUTES: 192.168.20.0/24'), net('192.168.20.0/24')), { config })).toEqual([
      '6 route-overlaps-docker-network warning',
    ]);
  });

  it('ignores macvlan/ipvlan networks (they are the LAN), unattached, external and interpolated ones', () => {
    const ipvlan = mine(y(ts('TS_ROUTES: 192.168.20.0/24'), net('192.168.20.0/24', 'ipvlan')), { config });
    expect(ipvlan.filter((f) => f.includes('route-overlaps'))).toEqual([]);
    const ext = ['networks:', '  apps:', '    external: true', '    name: apps'];
    expect(mine(y(ts('TS_ROUTES: 192.168.0.0/16'), ext))).toEqual([]);
    expect(
      mine(y(ts('TS_ROUTES: 192.168.0.0/16', ['    networks: [other]']), net('192.168.20.0/24'))),
    ).toEqual([]);
    expect(mine(y(ts('TS_ROUTES: 192.168.0.0/16'), net('${SUBNET}')))).toEqual([]);
    expect(mine(y(ts('TS_ROUTES: ${ROUTES}'), net('192.168.20.0/24')))).toEqual([]);
    expect(mine(y(ts('TS_ROUTES: 192.168.0.0/16'), net('192.168.20.0/24', '${DRIVER}')))).toEqual([]);
  });

  it('counts the implicit default network and every network in host mode', () => {
    const dflt = [
      'networks:',
      '  default:',
      '    ipam:',
      '      config:',
      '        - subnet: 192.168.20.0/28',
    ];
    expect(mine(y(ts('TS_ROUTES: 192.168.20.0/24', []), dflt))).toEqual([
      '6 route-overlaps-docker-network warning',
    ]);
    expect(
      mine(
        y(
          ts('TS_ROUTES: 192.168.20.0/24', ['    network_mode: host']),
          APP,
          ['    networks: [apps]'],
          net('192.168.20.0/28'),
        ),
      ),
    ).toEqual(['6 route-overlaps-docker-network warning']);
  });
});

describe('macvlan rules', () => {
  it('macvlan-no-fixed-address: map entries, the implicit default, and a single-address ip_range', () => {
    expect(mine(y(TS, ['    networks:', '      lan: {}'], LAN))).toEqual([
      '7 macvlan-no-fixed-address warning',
    ]);
    expect(mine(y(TS, ['    networks:', '      lan:', '        ipv4_address: ${IP}'], LAN))).toEqual([]);
    const dflt = LAN.map((l) => l.replace('  lan:', '  default:'));
    expect(mine(y(TS, APP, dflt))).toEqual([
      '2 macvlan-no-fixed-address warning',
      '6 macvlan-no-fixed-address warning',
    ]);
    const single = LAN.map((l) => l.replace('/30', '/32'));
    expect(mine(y(TS, ['    networks: [lan]'], single))).toEqual([]);
  });

  it('macvlan-address-outside-subnet: no ipam subnet at all is an error; external networks are not judged', () => {
    const bare = ['networks:', '  lan:', '    driver: macvlan', '    driver_opts: {parent: eno1}'];
    expect(mine(y(TS, ['    networks:', '      lan: {ipv4_address: 192.168.20.200}'], bare))).toEqual([
      '7 macvlan-address-outside-subnet error',
    ]);
    const ext = ['networks:', '  lan:', '    external: true'];
    expect(mine(y(TS, ['    networks:', '      lan: {ipv4_address: 10.9.9.9}'], ext))).toEqual([]);
  });

  it('macvlan-range-in-dhcp is silent without a DHCP range; bridge networks are not judged', () => {
    const inDhcp = LAN.map((l) => l.replace('192.168.20.200/30', '192.168.20.96/27'));
    expect(mine(y(TS, ['    networks:', '      lan: {ipv4_address: 192.168.20.120}'], inDhcp))).toEqual([]);
    expect(
      mine(y(TS, ['    networks:', '      lan: {ipv4_address: 192.168.20.120}'], inDhcp), { config }),
    ).toEqual(['7 macvlan-range-in-dhcp error', '15 macvlan-range-in-dhcp error']);
    const bridge = inDhcp.filter((l) => !/driver/.test(l));
    expect(
      mine(y(TS, ['    networks:', '      lan: {ipv4_address: 192.168.20.120}'], bridge), { config }),
    ).toEqual([]);
  });

  it('macvlan-ports-ignored only when every network of the service is macvlan/ipvlan', () => {
    const both = [
      '    networks:',
      '      lan: {ipv4_address: 192.168.20.200}',
      '      apps: {}',
      '    ports: ["443:443"]',
    ];
    expect(mine(y(TS, both, LAN, ['  apps: {}']))).toEqual([]);
  });

  it('macvlan-parent-missing skips internal networks', () => {
    const internal = ['networks:', '  lan:', '    driver: macvlan', '    internal: true'];
    expect(mine(y(TS, ['    networks: [lan]'], internal))).toEqual(['6 macvlan-no-fixed-address warning']);
  });
});

describe('macvlan-parent-missing fix', () => {
  it('adds driver_opts.parent from the homelab config and keeps every comment', () => {
    const before = fixture('macvlan-parent-missing/bad.yaml');
    const r = fixSource('compose.yaml', before, { config });
    expect(r.text).toBe(
      before.replace(
        '          ip_range: 192.168.20.200/30\n',
        '          ip_range: 192.168.20.200/30\n    driver_opts:\n      parent: eno1\n',
      ),
    );
    expect(r.result.findings.filter((f) => f.ruleId === 'macvlan-parent-missing')).toEqual([]);
    expect(r.text).toContain('# no driver_opts.parent: Docker uses a dummy interface');
  });

  it('adds to an existing driver_opts map, next to a comment', () => {
    const before = y(
      TS,
      ['    networks:', '      lan: {ipv4_address: 192.168.20.200}'],
      [
        'networks:',
        '  lan:',
        '    driver: macvlan',
        '    driver_opts:',
        '      macvlan_mode: bridge # default',
        '    ipam:',
        '      config:',
        '        - subnet: 192.168.20.0/24',
      ],
    );
    const r = fixSource('compose.yaml', before, { config });
    expect(r.text).toBe(before.replace('# default\n', '# default\n      parent: eno1\n'));
  });

  it('offers no fix without a config, or when the subnet is not the configured LAN', () => {
    const before = fixture('macvlan-parent-missing/bad.yaml');
    expect(lintText(before).findings.find((f) => f.ruleId === 'macvlan-parent-missing')?.fixable).toBe(false);
    const other = before.replace('subnet: 192.168.20.0/24', 'subnet: 10.0.50.0/24');
    expect(
      lintText(other, { config }).findings.find((f) => f.ruleId === 'macvlan-parent-missing')?.fixable,
    ).toBe(false);
  });
});
