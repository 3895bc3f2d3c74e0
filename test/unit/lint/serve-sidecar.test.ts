import { describe, expect, it } from 'vitest';
import { fixSource } from '../../../src/core/lint/engine.js';
import { parseServe } from '../../../src/core/lint/rules/serve-overwrite.js';
import { serviceScripts, shellScriptCommands } from '../../../src/core/lint/values.js';
import { fixture, lintFixture, lintText } from './helpers.js';

const MINE = new Set([
  'tailscaled-custom-command',
  'serve-overwrite',
  'serve-config-not-mounted',
  'serve-config-cert-domain-interpolated',
  'serve-config-with-dest-ip',
  'sidecar-ports',
  'sidecar-not-waiting-healthy',
  'healthcheck-cannot-pass',
  'sidecar-accept-dns',
]);

function mine(text: string) {
  return lintText(text).findings.filter((f) => MINE.has(f.ruleId));
}

describe('serve-sidecar rules on the seed note', () => {
  it('Option B: the command never runs under containerboot, and its serve calls overwrite each other', () => {
    const r = lintFixture('seed/option-b-serve.yaml');
    const f = r.findings.filter((x) => MINE.has(x.ruleId));
    expect(f.map((x) => `${x.line} ${x.ruleId} ${x.severity}`)).toEqual([
      '14 serve-overwrite error',
      '14 tailscaled-custom-command error',
    ]);
    const custom = f.find((x) => x.ruleId === 'tailscaled-custom-command')!.message;
    expect(custom).toContain('containerboot');
    expect(custom).toContain('--tun=userspace-networking');
    expect(custom).toContain('TS_USERSPACE');
    const serve = f.find((x) => x.ruleId === 'serve-overwrite')!.message;
    expect(serve).toContain('jellyfin:8096');
    expect(serve).toContain('radarr:7878');
    expect(serve).toContain('HTTPS :443 handler for /');
    expect(serve).toContain('TS_SERVE_CONFIG');
  });

  it('with entrypoint: overridden, Option B starts a kernel-mode tailscaled without /dev/net/tun', () => {
    const text = fixture('seed/option-b-serve.yaml').replace(
      '    command: |',
      '    entrypoint: []\n    command: |',
    );
    const f = mine(text).filter((x) => x.ruleId === 'tailscaled-custom-command');
    expect(f).toHaveLength(1);
    expect(f[0]!.severity).toBe('error');
    expect(f[0]!.message).toContain('kernel mode');
    expect(f[0]!.message).toContain('TS_USERSPACE, TS_STATE_DIR');
  });

  it('options A, C and D get nothing from this group', () => {
    for (const f of ['option-a-userspace.yaml', 'option-c-macvlan.yaml', 'option-d-host.yaml'])
      expect(lintFixture(`seed/${f}`).findings.filter((x) => MINE.has(x.ruleId))).toEqual([]);
  });
});

describe('script parsing', () => {
  it('expands sh -c scripts and keeps background markers', () => {
    const cmds = shellScriptCommands(
      "sh -c '\n  tailscaled --state=x &\n  tailscale up --authkey=${K}\n  wait\n'\n",
    );
    expect(cmds).toEqual([
      { argv: ['tailscaled', '--state=x'], background: true },
      { argv: ['tailscale', 'up', '--authkey=${K}'], background: false },
      { argv: ['wait'], background: false },
    ]);
  });

  it('reads healthcheck CMD and CMD-SHELL forms', () => {
    expect(serviceScripts({ healthcheck: { test: ['CMD', 'wget', '-q', 'http://x'] } })[0]!.commands).toEqual(
      [{ argv: ['wget', '-q', 'http://x'], background: false }],
    );
    expect(
      serviceScripts({ healthcheck: { test: ['CMD-SHELL', 'a && b || c'] } })[0]!.commands.map((c) => c.argv),
    ).toEqual([['a'], ['b'], ['c']]);
  });

  it('parses serve flags', () => {
    expect(parseServe(['tailscale', 'serve', '--bg', 'http://a:1'])).toMatchObject({
      proto: 'HTTPS',
      port: '443',
      mount: '/',
    });
    expect(
      parseServe(['tailscale', 'serve', '--bg', '--http=80', '--set-path', '/b/', '3000']),
    ).toMatchObject({
      proto: 'HTTP',
      port: '80',
      mount: '/b',
    });
    expect(
      parseServe(['tailscale', '--socket=/tmp/s', 'serve', '--bg', '--tcp', '22', 'tcp://h:22']),
    ).toMatchObject({
      kind: 'tcp',
      port: '22',
    });
    expect(parseServe(['tailscale', 'serve', 'http://a:1'])).toBeUndefined(); // foreground
    expect(parseServe(['tailscale', 'serve', '--bg', '--https=${PORT}', 'http://a:1'])).toBeUndefined();
    expect(parseServe(['tailscale', 'serve', 'reset'])).toBe('reset');
  });
});

describe('unknown values stay silent', () => {
  it('interpolated TS_SERVE_CONFIG / TS_DEST_IP / TS_ENABLE_HEALTH_CHECK / TS_ACCEPT_DNS', () => {
    const text = [
      'services:',
      '  ts:',
      '    image: tailscale/tailscale:v1.102.3',
      '    environment:',
      '      TS_SERVE_CONFIG: ${SERVE}',
      '      TS_DEST_IP: 10.0.0.1',
      '      TS_ENABLE_HEALTH_CHECK: ${HC}',
      '      TS_ACCEPT_DNS: ${DNS}',
      '      TS_USERSPACE: "false"',
      '    cap_add: [NET_ADMIN]',
      '    devices: [/dev/net/tun:/dev/net/tun]',
      '    healthcheck:',
      '      test: [CMD, wget, -q, --spider, http://127.0.0.1:9002/healthz]',
      '  app:',
      '    image: nginx:1.27',
      '    network_mode: service:ts',
      '    depends_on: {ts: {condition: service_healthy}}',
      '',
    ].join('\n');
    expect(mine(text)).toEqual([]);
  });

  it('sidecar-accept-dns is info in userspace mode', () => {
    const text = fixture('sidecar-accept-dns/bad.yaml').replace(
      'TS_USERSPACE: "false"',
      'TS_USERSPACE: "true"',
    );
    const f = mine(text).filter((x) => x.ruleId === 'sidecar-accept-dns');
    expect(f.map((x) => x.severity)).toEqual(['info']);
  });

  it('serve-config-with-dest-ip is an error in kernel mode too', () => {
    const text = fixture('serve-config-with-dest-ip/bad.yaml').replace(
      '      TS_DEST_IP: 172.20.0.5',
      '      TS_DEST_IP: 172.20.0.5\n      TS_USERSPACE: "false"',
    );
    const f = mine(text).filter((x) => x.ruleId === 'serve-config-with-dest-ip');
    expect(f.map((x) => x.severity)).toEqual(['error']);
    expect(f[0]!.message).toContain('documents as not usable together');
  });
});

describe('fixes', () => {
  it('serve-config-cert-domain-interpolated escapes the placeholder and keeps comments', () => {
    const before = [
      '# header',
      'services:',
      '  ts:',
      '    image: tailscale/tailscale:v1.102.3 # pinned',
      '    environment:',
      '      - TS_STATE_DIR=/var/lib/tailscale',
      '      - TS_SERVE_CONFIG=/config/serve.json',
      '    volumes: [/srv/ts:/var/lib/tailscale]',
      '    configs:',
      '      - source: serve',
      '        target: /config/serve.json',
      'configs:',
      '  serve:',
      '    # inline serve config',
      '    content: |',
      '      {"Web": {"${TS_CERT_DOMAIN}:443": {}}, "AllowFunnel": {"$${TS_CERT_DOMAIN}:443": false}}',
      '',
    ].join('\n');
    const r = fixSource('compose.yaml', before);
    // A replacer function: in a replacement string `$$` would mean a single `$`.
    expect(r.text).toBe(before.replace('{"${TS_CERT_DOMAIN}', () => '{"$${TS_CERT_DOMAIN}'));
    expect(r.result.findings.filter((f) => f.ruleId === 'serve-config-cert-domain-interpolated')).toEqual([]);
  });

  it('sidecar-not-waiting-healthy adds depends_on only where the tailscale service has a healthcheck', () => {
    const before = fixture('sidecar-not-waiting-healthy/bad.yaml');
    const r = fixSource('compose.yaml', before);
    expect(r.text).toBe(
      before.replace(
        '    network_mode: service:ts-app\n  other:',
        '    network_mode: service:ts-app\n    depends_on:\n      ts-app:\n        condition: service_healthy\n  other:',
      ),
    );
    // The short-form list on "other" is left alone.
    expect(r.result.findings.filter((f) => f.ruleId === 'sidecar-not-waiting-healthy')).toHaveLength(1);
  });

  it('sidecar-not-waiting-healthy switches service_started to service_healthy, keeping comments', () => {
    const before = fixture('sidecar-not-waiting-healthy/good.yaml').replace(
      'condition: service_healthy',
      'condition: service_started # was started',
    );
    const r = fixSource('compose.yaml', before);
    expect(r.text).toBe(before.replace('service_started # was started', 'service_healthy # was started'));
  });

  it('no fix without a healthcheck on the tailscale service', () => {
    const text = fixture('sidecar-ports/bad.yaml');
    const f = lintText(text).findings.find((x) => x.ruleId === 'sidecar-not-waiting-healthy');
    expect(f?.fixable).toBe(false);
  });
});
