import { describe, expect, it } from 'vitest';
import { applyFixes, fixSource } from '../../../src/core/lint/engine.js';
import { fixture, lintText } from './helpers.js';

function fix(text: string) {
  const r = fixSource('compose.yaml', text);
  return r;
}

describe('fixes', () => {
  it('kernel-mode-missing-tun adds devices: and keeps every comment byte-identical', () => {
    const before = fixture('kernel-mode-missing-tun/bad.yaml');
    const r = fix(before);
    expect(r.text).toBe(`${before}    devices:\n      - /dev/net/tun:/dev/net/tun\n`);
    expect(r.result.findings.filter((f) => f.ruleId === 'kernel-mode-missing-tun')).toEqual([]);
    expect(r.fixed).toBe(1);
  });

  it('kernel-mode-missing-net-admin appends to an existing block list after its trailing comment', () => {
    const before = [
      '# header comment',
      'services:',
      '  ts:',
      '    image: tailscale/tailscale:v1.102.3 # pinned',
      '    cap_add:',
      '      - SYS_MODULE   # modprobe fallback',
      '    # a comment between keys',
      '    devices: [/dev/net/tun:/dev/net/tun]',
      '    environment: {TS_USERSPACE: "false", TS_STATE_DIR: /var/lib/tailscale}',
      '',
    ].join('\n');
    const r = fix(before);
    expect(r.text).toBe(before.replace('# modprobe fallback\n', '# modprobe fallback\n      - NET_ADMIN\n'));
    expect(r.result.findings.map((f) => f.ruleId)).not.toContain('kernel-mode-missing-net-admin');
  });

  it('appends to a flow list and creates missing keys with the file’s indentation (4 spaces)', () => {
    const before = [
      'services:',
      '    ts:',
      '        image: tailscale/tailscale:v1.102.3',
      '        cap_add: [SYS_MODULE]',
      '        environment:',
      '            - TS_USERSPACE=false # kernel',
      '',
    ].join('\n');
    const r = fix(before);
    expect(r.text).toBe(
      [
        'services:',
        '    ts:',
        '        image: tailscale/tailscale:v1.102.3',
        '        cap_add: [SYS_MODULE, NET_ADMIN]',
        '        environment:',
        '            - TS_USERSPACE=false # kernel',
        '        devices:',
        '            - /dev/net/tun:/dev/net/tun',
        '',
      ].join('\n'),
    );
  });

  it('forwarding-sysctls-missing creates sysctls: in list form', () => {
    const before = fixture('forwarding-sysctls-missing/bad.yaml');
    const r = fix(before);
    expect(r.text).toBe(
      `${before}    sysctls:\n      - net.ipv4.ip_forward=1\n      - net.ipv6.conf.all.forwarding=1\n`,
    );
    expect(r.result.findings).toEqual([]);
  });

  it('forwarding-sysctls-missing completes map form and corrects a 0', () => {
    const before = [
      'services:',
      '  ts:',
      '    image: tailscale/tailscale:v1.102.3',
      '    cap_add: [NET_ADMIN]',
      '    devices: [/dev/net/tun:/dev/net/tun]',
      '    sysctls:',
      '      net.ipv4.ip_forward: 0 # was off',
      '    environment:',
      '      TS_USERSPACE: "false"',
      '      TS_STATE_DIR: /var/lib/tailscale',
      '      TS_EXTRA_ARGS: --advertise-exit-node',
      '',
    ].join('\n');
    const r = fix(before);
    expect(r.text).toBe(
      before.replace(
        '      net.ipv4.ip_forward: 0 # was off\n',
        '      net.ipv4.ip_forward: 1 # was off\n      net.ipv6.conf.all.forwarding: 1\n',
      ),
    );
  });

  it('keeps CRLF line endings', () => {
    const before =
      'services:\r\n  ts:\r\n    image: tailscale/tailscale:v1.102.3\r\n    cap_add:\r\n      - NET_ADMIN\r\n    devices:\r\n      - /dev/net/tun\r\n    environment:\r\n      - TS_USERSPACE=false\r\n      - TS_ROUTES=10.0.0.0/8\r\n';
    const r = fix(before);
    expect(r.text).toBe(
      `${before}    sysctls:\r\n      - net.ipv4.ip_forward=1\r\n      - net.ipv6.conf.all.forwarding=1\r\n`,
    );
  });

  it('does not fix through a shared anchor (the edit would change other services)', () => {
    const text = [
      'x-ts: &ts',
      '  image: tailscale/tailscale:v1.102.3',
      '  cap_add: [SYS_MODULE]',
      '  devices: [/dev/net/tun]',
      '  environment: [TS_USERSPACE=false]',
      'services:',
      '  a:',
      '    <<: *ts',
      '  b:',
      '    <<: *ts',
      '',
    ].join('\n');
    const r = lintText(text);
    const f = r.findings.filter((x) => x.ruleId === 'kernel-mode-missing-net-admin');
    expect(f.map((x) => [x.line, x.column, x.fixable])).toEqual([
      [8, 5, false],
      [10, 5, false],
    ]);
    expect(fixSource('compose.yaml', text).text).toBe(text);
  });

  it('applyFixes skips a finding whose edits overlap an accepted one', () => {
    const base = {
      ruleId: 'x',
      severity: 'error' as const,
      message: '',
      line: 1,
      column: 1,
      endLine: 1,
      endColumn: 1,
    };
    const text = 'abcdef';
    const out = applyFixes(text, [
      { ...base, fixable: true, fix: [{ start: 1, end: 3, text: 'XY' }] },
      { ...base, fixable: true, fix: [{ start: 2, end: 4, text: 'no' }] },
      {
        ...base,
        fixable: true,
        fix: [
          { start: 6, end: 6, text: '!' },
          { start: 0, end: 0, text: '>' },
        ],
      },
    ]);
    expect(out).toBe('>aXYdef!');
  });
});
