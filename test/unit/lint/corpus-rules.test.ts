import { describe, expect, it } from 'vitest';
import { fixSource } from '../../../src/core/lint/engine.js';
import { parseAddrPort } from '../../../src/core/lint/rules/health-addr.js';
import { parseUpArgs } from '../../../src/core/lint/tailscale-cli.js';
import { lintText } from './helpers.js';

/** A containerboot service with these environment items (list form) and persisted state. */
function svc(env: string[], extra: string[] = []): string {
  return [
    'services:',
    '  ts:',
    '    image: tailscale/tailscale:v1.102.3',
    '    environment:',
    '      - TS_STATE_DIR=/var/lib/tailscale',
    ...env.map((e) => `      - ${e}`),
    '    volumes: [./s:/var/lib/tailscale]',
    ...extra,
    '',
  ].join('\n');
}

const messages = (text: string, id: string) =>
  lintText(text)
    .findings.filter((f) => f.ruleId === id)
    .map((f) => f.message);

describe('health check addresses', () => {
  it('parses IP:port like netip.ParseAddrPort', () => {
    for (const ok of ['127.0.0.1:9002', '0.0.0.0:1', '[::]:9002', '[::1]:65535', '[fe80::1%eth0]:80'])
      expect(parseAddrPort(ok), ok).toBeDefined();
    for (const bad of [
      'localhost:9002',
      ':9002',
      '9002',
      '::1:9002',
      '127.0.0.1:70000',
      '256.1.1.1:80',
      '127.0.0.1',
    ])
      expect(parseAddrPort(bad), bad).toBeUndefined();
  });

  it('TS_LOCAL_ADDR_PORT is judged only when health or metrics use it', () => {
    expect(messages(svc(['TS_LOCAL_ADDR_PORT=localhost:9002']), 'addr-port-invalid')).toEqual([]);
    expect(
      messages(svc(['TS_ENABLE_METRICS=true', 'TS_LOCAL_ADDR_PORT=localhost:9002']), 'addr-port-invalid'),
    ).toHaveLength(1);
    expect(messages(svc(['TS_DEBUG_ADDR_PORT=${DEBUG}']), 'addr-port-invalid')).toEqual([]);
  });

  it('a probe aimed at another port than the deprecated listener fails; the listener itself is fine', () => {
    const probe = (url: string) => ['    healthcheck:', `      test: [CMD, wget, -q, --spider, ${url}]`];
    const legacy = 'TS_HEALTHCHECK_ADDR_PORT=127.0.0.1:8080';
    expect(
      messages(svc([legacy], probe('http://127.0.0.1:8080/healthz')), 'healthcheck-cannot-pass'),
    ).toEqual([]);
    const [m] = messages(svc([legacy], probe('http://127.0.0.1:9002/healthz')), 'healthcheck-cannot-pass');
    expect(m).toContain('listens on TS_HEALTHCHECK_ADDR_PORT 127.0.0.1:8080');
    // Both variables: containerboot does not start at all — that is healthcheck-addr-deprecated's error.
    const both = svc([legacy, 'TS_ENABLE_HEALTH_CHECK=true'], probe('http://127.0.0.1:9002/healthz'));
    expect(messages(both, 'healthcheck-cannot-pass')).toEqual([]);
    expect(lintText(both).findings.find((f) => f.ruleId === 'healthcheck-addr-deprecated')?.severity).toBe(
      'error',
    );
  });

  it('the deprecated variable migrates in place without a second TS_ENABLE_HEALTH_CHECK', () => {
    const before = svc(['TS_HEALTHCHECK_ADDR_PORT=127.0.0.1:8080', 'TS_ENABLE_HEALTH_CHECK=false']);
    const after = fixSource('c.yaml', before).text;
    expect(after).toContain('- TS_LOCAL_ADDR_PORT=127.0.0.1:8080\n      - TS_ENABLE_HEALTH_CHECK=true\n');
    expect(after.match(/TS_ENABLE_HEALTH_CHECK/g)).toHaveLength(1);
  });
});

describe('TS_EXTRA_ARGS', () => {
  it('reads arguments the way Go flags do', () => {
    expect(parseUpArgs(['--authkey', 'x', '--ssh', 'up', '--y']).map((a) => a.kind)).toEqual([
      'flag',
      'flag',
      'word',
      'word',
    ]);
    expect(parseUpArgs(['-hostname=a'])).toEqual([
      { kind: 'flag', name: 'hostname', written: '--hostname', value: 'a', index: 0 },
    ]);
  });

  it('says what is wrong, with hints', () => {
    const one = (args: string) => messages(svc([`TS_EXTRA_ARGS=${args}`]), 'extra-args-invalid')[0] ?? '';
    expect(one('--tun=userspace-networking')).toContain('TS_TAILSCALED_EXTRA_ARGS');
    expect(one('--auto-update')).toContain('tailscale set');
    expect(one('--advertise-tag=tag:x')).toContain('did you mean --advertise-tags?');
    expect(one('--accept-routes true')).toContain('--flag=true');
    expect(one('--ssh --ssh')).toContain('given 2 times');
    expect(one('--hostname')).toContain('needs a value');
    expect(one('--advertise-tags=tag:a --accept-routes --exit-node-allow-lan-access')).toBe('');
    const both = messages(svc(['TS_AUTHKEY=${K}', 'TS_EXTRA_ARGS=--authkey=${K}']), 'extra-args-invalid');
    expect(both).toEqual([]); // interpolated: not judged
    const key = messages(svc(['TS_HOSTNAME=a', 'TS_EXTRA_ARGS=--hostname=b']), 'extra-args-invalid')[0];
    expect(key).toContain('from TS_HOSTNAME');
  });

  it('exit-node-self and extra-args-reset', () => {
    expect(
      messages(svc(['TS_EXTRA_ARGS=--advertise-exit-node=false --exit-node=100.64.0.1']), 'exit-node-self'),
    ).toEqual([]);
    const reset = lintText(svc(['TS_AUTH_ONCE=true', 'TS_EXTRA_ARGS=--reset'])).findings.find(
      (f) => f.ruleId === 'extra-args-reset',
    );
    expect(reset?.message).toContain('only matters for the first login');
  });
});

describe('containerboot or not', () => {
  it('a command on the official image is ignored, whatever it runs; with an entrypoint it runs', () => {
    const base = ['services:', '  ts:', '    image: tailscale/tailscale:v1.102.3'];
    const ignored = [...base, '    command: ash connect.sh', ''].join('\n');
    expect(messages(ignored, 'tailscaled-custom-command')[0]).toContain('runs ash');
    const overridden = [...base, '    entrypoint: ["/bin/sh", "-c", "exec containerboot"]', ''].join('\n');
    expect(messages(overridden, 'tailscaled-custom-command')).toEqual([]);
  });

  it('a hand-started tailscaled keeps its state where no volume is, or in memory', () => {
    const run = (cmd: string, volumes = '') =>
      messages(
        [
          'services:',
          '  ts:',
          '    image: alpine:3.22',
          `    entrypoint: ["sh", "-c", "${cmd}"]`,
          volumes,
          '',
        ].join('\n'),
        'state-not-persisted',
      );
    expect(run('tailscaled --tun=userspace-networking & tailscale up')[0]).toContain('/var/lib/tailscale');
    expect(run('tailscaled --tun=userspace-networking --state=mem: & tailscale up')[0]).toContain(
      '--state=mem:',
    );
    expect(run('tailscaled --statedir=/data & tailscale up', '    volumes: [./d:/data]')).toEqual([]);
  });

  it('an ephemeral key makes memory state the intent', () => {
    const text = [
      'services:',
      '  ts:',
      '    image: tailscale/tailscale:v1.102.3',
      '    environment: [TS_AUTHKEY=tskey-auth-x?ephemeral=true]',
      '',
    ].join('\n');
    expect(messages(text, 'state-not-persisted')).toEqual([]);
  });
});
