/**
 * Serve checks on `tailscale serve status --json` recorded from the real tailscaled (v1.102.3) in the
 * lab (test/integration/control-lab.test.ts with TAILBRIDGE_RECORD_FIXTURES=1): HTTP handlers and a
 * TCP forward work locally even on Headscale; a second `serve --bg` on the same port replaced the first.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EXAMPLE_CONFIG, EXAMPLE_CONFIG_FILE } from '../../../src/core/model/example.js';
import { parseConfig } from '../../../src/core/model/load.js';
import { type ExpectedContainer, expectations } from '../../../src/core/verify/expectations.js';
import { evaluateServe } from '../../../src/core/verify/serve.js';
import { labConfigYaml } from '../../lab/real/stack.js';
import { ok, status } from './samples.js';

const fixture = (name: string) =>
  readFileSync(new URL(`../../fixtures/real/tailscale-v1.102.3/${name}`, import.meta.url), 'utf8');
const id = (s: string) => `L3.${s}`;
const lab = parseConfig('/lab/tailbridge.yaml', labConfigYaml('/lab'));

/** What a plan put on these ports (the scenario of issue 10: two services on one port). */
function planned(base: ExpectedContainer, serve: ExpectedContainer['serve']): ExpectedContainer {
  return { ...base, serve };
}

describe('serve checks compare each handler’s backend with its service', () => {
  const exp = planned(expectations(lab, 'userspace').containers[0]!, [
    { port: 8443, kind: 'https', service: 'jellyfin', target: 'http://tbr-jellyfin:8096' },
    { port: 8443, kind: 'https', service: 'sonarr', target: 'http://tbr-sonarr:8989' },
    { port: 7878, kind: 'tcp', service: 'radarr', target: 'tbr-radarr:7878' },
  ]);
  const st = JSON.parse(status({ CertDomains: null }));

  it('the replaced handler fails for the right reason; the one that replaced it passes; ids are per service', () => {
    const checks = evaluateServe(exp, st, ok(fixture('serve-status-replaced.json')), id);
    expect(checks.map((c) => [c.id, c.status])).toEqual([
      ['L3.serve:jellyfin', 'fail'],
      ['L3.serve:sonarr', 'pass'],
      ['L3.serve:radarr', 'pass'],
    ]);
    expect(checks[0]!.evidence).toBe(
      'tbr-nas.tbr.test:8443/ → http://tbr-sonarr:8989; none reaches jellyfin (http://tbr-jellyfin:8096)',
    );
    expect(checks[0]!.hint).toMatch(/a handler on the same port and path replaces the previous one/);
    expect(checks[1]!.evidence).toBe('tbr-nas.tbr.test:8443/ → http://tbr-sonarr:8989');
    expect(checks[2]!.evidence).toBe('TCP 7878 → tbr-radarr:7878');
  });

  it('before the second serve --bg, jellyfin’s handler is there', () => {
    const checks = evaluateServe(exp, st, ok(fixture('serve-status-http-jellyfin.json')), id);
    expect(checks[0]).toMatchObject({ id: 'L3.serve:jellyfin', status: 'pass' });
    expect(checks[1]).toMatchObject({ id: 'L3.serve:sonarr', status: 'fail' });
    expect(checks[2]).toMatchObject({
      id: 'L3.serve:radarr',
      status: 'fail',
      evidence: expect.stringContaining('port 7878 not in the serve config'),
    });
  });

  it('a TCP forward to another backend fails', () => {
    const other = planned(exp, [{ port: 7878, kind: 'tcp', service: 'radarr', target: 'radarr:7878' }]);
    const [c] = evaluateServe(other, st, ok(fixture('serve-status-replaced.json')), id);
    expect(c).toMatchObject({ status: 'fail', evidence: 'TCP 7878 → tbr-radarr:7878, not radarr:7878' });
  });

  it('on Headscale a missing HTTPS port is explained by Headscale lacking HTTPS certificates (the real CLI answers 501)', () => {
    expect(fixture('serve-https-headscale.txt')).toContain(
      'error enabling https feature: error 501 Not Implemented',
    );
    const generated = expectations(lab, 'serve').containers[0]!;
    const checks = evaluateServe(
      generated,
      JSON.parse(fixture('status-userspace-bridge.json')),
      ok('{}'),
      id,
    );
    expect(checks.every((c) => c.status === 'fail')).toBe(true);
    expect(checks[0]!.hint).toMatch(/^Headscale has no Serve, Funnel and HTTPS certificates/);
    expect(new Set(checks.map((c) => c.id)).size).toBe(checks.length);
  });

  it('on Tailscale an HTTPS handler without CertDomains fails and names the admin console setting', () => {
    const ts = parseConfig(EXAMPLE_CONFIG_FILE, EXAMPLE_CONFIG);
    const e = expectations(ts, 'serve').containers[0]!;
    const sc = {
      TCP: { '8096': { HTTPS: true } },
      Web: { 'truenas.tail1234.ts.net:8096': { Handlers: { '/': { Proxy: 'http://jellyfin:8096' } } } },
    };
    const [c] = evaluateServe(e, JSON.parse(status({ CertDomains: null })), ok(JSON.stringify(sc)), id);
    expect(c).toMatchObject({ id: 'L3.serve:jellyfin', status: 'fail' });
    expect(c!.hint).toMatch(/HTTPS certificates are off/);
  });
});
