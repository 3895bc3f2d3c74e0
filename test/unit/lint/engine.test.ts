import { describe, expect, it } from 'vitest';
import { parseYaml } from '../../../src/core/compose/yaml-source.js';
import { ComposeModel } from '../../../src/core/lint/compose-model.js';
import { lintText, where } from './helpers.js';

const KERNEL = [
  'services:',
  '  ts:',
  '    image: tailscale/tailscale:v1.102.3',
  '    environment:',
  '      - TS_USERSPACE=false',
  '      - TS_STATE_DIR=/var/lib/tailscale',
  '    volumes: [/srv/ts:/var/lib/tailscale]',
  '',
].join('\n');

describe('bad input', () => {
  it.each([
    ['tab indentation', 'services:\n  ts:\n\timage: x\n', '3:1 yaml-syntax', 'tab used for indentation'],
    ['duplicate key', 'services:\n  a:\n    image: x\n    image: y\n', '4:5 yaml-syntax', 'duplicate key'],
    [
      'bad indentation',
      'services:\n  a:\n    image: x\n   ports: []\n',
      '4:1 yaml-syntax',
      'bad indentation',
    ],
    ['unknown anchor', 'services:\n  a:\n    <<: *base\n', '3:9 yaml-syntax', 'unknown anchor: *base'],
    ['scalar document', 'just a string\n', '1:1 not-compose', 'not a Compose file'],
    ['other YAML', 'apiVersion: v1\nkind: Pod\n', '1:1 not-compose', 'not a Compose file'],
    ['empty file', '  \n', '1:1 not-compose', 'empty file'],
    ['comments only', '# nothing\n', '1:1 not-compose', 'only comments'],
  ])('%s → one positioned finding, file not linted', (_, text, pos, message) => {
    const r = lintText(text);
    expect(r.linted).toBe(false);
    expect(where(r.findings)).toEqual([pos]);
    expect(r.findings[0]!.message).toContain(message);
    expect(r.findings[0]!.severity).toBe('error');
  });

  it('reports one finding per YAML problem', () => {
    const r = lintText('services:\n  a:\n    image: x\n    image: y\n  b:\n    image: x\n    image: z\n');
    expect(where(r.findings)).toEqual(['4:5 yaml-syntax', '7:5 yaml-syntax']);
  });

  it('a compose file without services (include only) is linted', () => {
    const r = lintText('include:\n  - other.yaml\n');
    expect(r.linted).toBe(true);
    expect(r.findings).toEqual([]);
  });

  it('reports every schema error at its own position', () => {
    const r = lintText(
      'services:\n  a:\n    image: x\n    bogus: 1\n    ports: 5\n  b:\n    restart: 7\n    nope: true\n',
    );
    expect(where(r.findings)).toEqual([
      '4:5 compose-schema',
      '5:12 compose-schema',
      '7:14 compose-schema',
      '8:5 compose-schema',
    ]);
  });
});

describe('compose understanding', () => {
  it('follows merge keys and points at the merge entry of each service', () => {
    const text = [
      'x-ts: &ts',
      '  image: tailscale/tailscale:latest',
      '  environment: [TS_STATE_DIR=/var/lib/tailscale]',
      '  volumes: [/srv/ts:/var/lib/tailscale]',
      'services:',
      '  a:',
      '    <<: *ts',
      '  b:',
      '    <<: [*ts]',
      '    image: tailscale/tailscale:v1.102.3',
      '',
    ].join('\n');
    expect(where(lintText(text).findings)).toEqual(['7:5 image-not-pinned']);
  });

  it('follows an aliased environment list', () => {
    const text = [
      'x-env: &env',
      '  - TS_USERSPACE=false',
      '  - TS_STATE_DIR=/var/lib/tailscale',
      'services:',
      '  ts:',
      '    image: tailscale/tailscale:v1.102.3',
      '    devices: [/dev/net/tun]',
      '    volumes: [/srv/ts:/var/lib/tailscale]',
      '    environment: *env',
      '',
    ].join('\n');
    expect(where(lintText(text).findings)).toEqual(['9:18 kernel-mode-missing-net-admin']);
  });

  it('never judges an interpolated value', () => {
    const text = KERNEL.replace('TS_USERSPACE=false', 'TS_USERSPACE=${USERSPACE:-false}').replace(
      'v1.102.3',
      '${TS_TAG}',
    );
    expect(lintText(text).findings).toEqual([]);
  });

  it('$$ is a literal, not a variable', () => {
    const text = KERNEL.replace('TS_USERSPACE=false', () => 'TS_USERSPACE=$$no');
    expect(where(lintText(text).findings)).toEqual(['5:9 ts-userspace-invalid-bool']);
  });

  it('a variable set only in an env_file has an unknown value; an unread env_file makes everything unknown', () => {
    const text = KERNEL.replace('      - TS_USERSPACE=false\n', '').concat(
      '    env_file: [ts.env]\n    cap_add: [NET_ADMIN]\n',
    );
    expect(where(lintText(text, { envFiles: { 'ts.env': ['TS_AUTHKEY'] } }).findings)).toEqual([
      '8:15 userspace-unneeded-privileges',
    ]);
    expect(lintText(text, { envFiles: { 'ts.env': ['TS_USERSPACE'] } }).findings).toEqual([]);
    expect(lintText(text).findings).toEqual([]);
  });

  it('environment map and list forms, mode parsing like Go ParseBool', () => {
    const model = (env: string) => {
      const { source } = parseYaml(
        'c.yaml',
        `services:\n  ts:\n    image: tailscale/tailscale:v1\n    environment: ${env}\n`,
      );
      const m = new ComposeModel(source);
      return m.mode(m.service('ts')!);
    };
    expect(model('[TS_USERSPACE=F]')).toBe('kernel');
    expect(model('{TS_USERSPACE: 0}')).toBe('kernel');
    expect(model('{TS_USERSPACE: false}')).toBe('kernel');
    expect(model('[TS_USERSPACE=off]')).toBe('userspace');
    expect(model('[TS_USERSPACE=True]')).toBe('userspace');
    expect(model('[TS_USERSPACE]')).toBe('unknown');
    expect(model('{TS_USERSPACE: }')).toBe('unknown');
    expect(model('[TS_HOSTNAME=x]')).toBe('userspace');
  });

  it('recognises tailscale services by image, TS_* variables or a tailscaled command', () => {
    const { source } = parseYaml(
      'c.yaml',
      [
        'services:',
        '  a: {image: ghcr.io/tailscale/tailscale@sha256:abc}',
        '  b: {image: my/tailscale-derived, environment: {TS_AUTHKEY: x, TS_STATE_DIR: /state}}',
        '  c: {image: alpine, command: ["sh", "-c", "tailscaled --tun=userspace-networking & sleep 1"]}',
        '  d: {image: nginx, environment: [TAILSCALE=1]}',
        '  e: {image: mytailscale/tailscale-fork}',
        // A tsnet program (tsbridge, golink) takes only the login variables: not containerboot.
        '  f: {image: ghcr.io/jtdowney/tsbridge, environment: {TS_AUTHKEY: x, TS_HOSTNAME: y}}',
      ].join('\n'),
    );
    const m = new ComposeModel(source);
    expect(m.tailscaleServices().map((s) => s.name)).toEqual(['a', 'b', 'c']);
    expect(['a', 'b', 'c', 'f'].map((n) => m.launcher(m.service(n)!))).toEqual([
      'containerboot',
      'containerboot',
      'tailscaled',
      'none',
    ]);
  });
});

describe('suppressions', () => {
  const bad = (comment: string) =>
    KERNEL.replace('      - TS_USERSPACE=false', `${comment}\n      - TS_USERSPACE=false`);

  it('suppresses the named rule on the next content line', () => {
    const r = lintText(
      bad(
        '      # tailbridge-disable-next-line kernel-mode-missing-net-admin, kernel-mode-missing-tun -- runs privileged elsewhere',
      ),
    );
    expect(r.findings).toEqual([]);
  });

  it('skips blank and comment lines to find the target', () => {
    const r = lintText(
      bad(
        '      # tailbridge-disable-next-line kernel-mode-missing-net-admin -- a\n\n      # tailbridge-disable-next-line kernel-mode-missing-tun -- b',
      ),
    );
    expect(r.findings).toEqual([]);
  });

  it('a suppression without a reason is a warning (and still applies)', () => {
    const r = lintText(
      bad('      # tailbridge-disable-next-line kernel-mode-missing-net-admin, kernel-mode-missing-tun'),
    );
    expect(r.findings.map((f) => [f.line, f.column, f.severity, f.ruleId])).toEqual([
      [5, 7, 'warning', 'invalid-suppression'],
    ]);
  });

  it('an unknown rule id is a warning', () => {
    const r = lintText(bad('      # tailbridge-disable-next-line no-such-rule -- typo'));
    const inv = r.findings.filter((f) => f.ruleId === 'invalid-suppression');
    expect(inv.map((f) => f.message)).toEqual(['unknown rule "no-such-rule" in suppression']);
  });

  it('text inside a block scalar is not a suppression', () => {
    const text = `${KERNEL}    command: |\n      # tailbridge-disable-next-line kernel-mode-missing-tun\n      echo\n`;
    expect(lintText(text).findings.map((f) => f.ruleId)).not.toContain('invalid-suppression');
  });
});
