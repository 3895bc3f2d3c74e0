/**
 * The running node's control server, read from `tailscale debug prefs` as recorded from the real lab
 * (tailscale v1.102.3 on Headscale v0.29.2, test/fixtures/real): `init --discover` must draft
 * tailscale.controlServer for a Headscale node, or its plan and generated files assume Tailscale's.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { identityPrefs, runningIdentity } from '../../../src/core/identity/node.js';

const prefs = readFileSync(
  new URL('../../fixtures/real/tailscale-v1.102.3/prefs-host-kernel.json', import.meta.url),
  'utf8',
);

describe('control server of the running node', () => {
  it('from prefs ControlURL (kept by identityPrefs, which drops the keys)', () => {
    const reduced = identityPrefs(prefs)!;
    expect(JSON.parse(reduced).ControlURL).toBe('https://198.19.0.10');
    expect(reduced).not.toMatch(/privkey|Private/i);
    const id = runningIdentity({ container: 'tbr-tailscale', tsSettings: {}, prefs: reduced });
    expect(id.controlServer).toEqual({
      url: 'https://198.19.0.10',
      from: 'tailscale debug prefs (ControlURL)',
    });
  });

  it('from --login-server in TS_EXTRA_ARGS when prefs are not readable; none for Tailscale’s own', () => {
    const ts = (extra: string) =>
      runningIdentity({ container: 'c', tsSettings: { TS_EXTRA_ARGS: extra } }).controlServer;
    expect(ts('--accept-routes --login-server=https://hs.example.com')).toEqual({
      url: 'https://hs.example.com',
      from: 'TS_EXTRA_ARGS --login-server',
    });
    expect(ts('--login-server https://hs.example.com')?.url).toBe('https://hs.example.com');
    expect(ts('--login-server=https://controlplane.tailscale.com/')).toBeUndefined();
    expect(ts('--accept-routes')).toBeUndefined();
  });
});
