import { describe, expect, it } from 'vitest';
import { EXAMPLE_CONFIG, EXAMPLE_CONFIG_FILE } from '../../../src/core/model/example.js';
import { parseConfig } from '../../../src/core/model/load.js';
import { lintFixture, lintText } from './helpers.js';

const headscale = parseConfig(
  EXAMPLE_CONFIG_FILE,
  EXAMPLE_CONFIG.replace(
    'tags: [tag:homelab]',
    'tags: [tag:homelab]\n  controlServer: https://headscale.example.net',
  ),
);
const tailscaleOnly = parseConfig(EXAMPLE_CONFIG_FILE, EXAMPLE_CONFIG);

const ids = (r: { findings: { ruleId: string; line: number; severity: string }[] }, id: string) =>
  r.findings.filter((f) => f.ruleId === id).map((f) => `${f.line} ${f.severity}`);

const service = (env: string[]) => `services:
  ts:
    image: tailscale/tailscale:v1.102.3
    environment:
${env.map((e) => `      - ${e}`).join('\n')}
    volumes:
      - ./state:/var/lib/tailscale
`;

describe('login-server-mismatch (with tailbridge.yaml)', () => {
  it('flags a login server other than tailscale.controlServer', () => {
    const r = lintFixture('login-server-mismatch/bad.yaml', { config: headscale });
    expect(ids(r, 'login-server-mismatch')).toEqual(['7 error']);
    expect(r.findings.find((f) => f.ruleId === 'login-server-mismatch')?.message).toMatch(
      /logs in to https:\/\/old-headscale\.example\.net, but tailbridge\.yaml says the control server is https:\/\/headscale\.example\.net/,
    );
    expect(
      ids(lintFixture('login-server-mismatch/good.yaml', { config: headscale }), 'login-server-mismatch'),
    ).toEqual([]);
  });

  it('flags a missing --login-server when the config names Headscale, and one when it names Tailscale', () => {
    const none = lintText(service(['TS_STATE_DIR=/var/lib/tailscale', 'TS_EXTRA_ARGS=--accept-routes']), {
      config: headscale,
    });
    expect(none.findings.find((f) => f.ruleId === 'login-server-mismatch')?.message).toMatch(
      /has no --login-server, so it logs in to Tailscale's control plane/,
    );
    const extra = lintFixture('login-server-mismatch/good.yaml', { config: tailscaleOnly });
    expect(ids(extra, 'login-server-mismatch')).toEqual(['6 error']);
  });

  it('does not judge what it cannot read (interpolated, env_file)', () => {
    const r = lintText(service(['TS_STATE_DIR=/var/lib/tailscale', 'TS_EXTRA_ARGS=${EXTRA}']), {
      config: headscale,
    });
    expect(ids(r, 'login-server-mismatch')).toEqual([]);
  });
});

describe('OAuth and pre-auth key rules', () => {
  it('headscale-advertise-tags follows the config: a URL the config calls tailscale is not Headscale', () => {
    const text = lintFixture('headscale-advertise-tags/bad.yaml');
    expect(ids(text, 'headscale-advertise-tags')).toEqual(['7 error']);
    const asTailscale = parseConfig(
      EXAMPLE_CONFIG_FILE,
      EXAMPLE_CONFIG.replace(
        'tags: [tag:homelab]',
        'tags: [tag:homelab]\n  controlServer: https://headscale.example.net\n  control: { kind: tailscale }',
      ),
    );
    expect(
      ids(
        lintFixture('headscale-advertise-tags/bad.yaml', { config: asTailscale }),
        'headscale-advertise-tags',
      ),
    ).toEqual([]);
  });

  it('auth-key-with-oauth names the variables, never their values', () => {
    const r = lintFixture('auth-key-with-oauth/bad.yaml');
    const f = r.findings.find((x) => x.ruleId === 'auth-key-with-oauth');
    expect(f?.message).toContain('sets TS_AUTHKEY and TS_CLIENT_SECRET');
    expect(f?.message).not.toContain('/run/secrets');
  });

  it('login-server-not-https refuses a value that is not a URL', () => {
    const r = lintText(
      service(['TS_STATE_DIR=/var/lib/tailscale', 'TS_EXTRA_ARGS=--login-server=headscale:8080']),
    );
    expect(ids(r, 'login-server-not-https')).toEqual(['6 error']);
  });
});
