import { describe, expect, it } from 'vitest';
import { lintFixture } from './helpers.js';

/** The seed note's .env holds the auth key only; pass its names as the adapter would. */
const envFiles = { '/mnt/Fast/docker/tailscale/.env': ['TS_AUTHKEY'] };

function ids(rel: string, opts = {}) {
  const r = lintFixture(`seed/${rel}`, opts);
  expect(r.linted).toBe(true);
  expect(r.findings.filter((f) => f.ruleId === 'compose-schema')).toEqual([]);
  return r.findings.map((f) => `${f.line} ${f.ruleId}`);
}

describe('seed compose snippets', () => {
  it('Option A (userspace): floating image', () => {
    expect(ids('option-a-userspace.yaml', { envFiles })).toEqual([
      '4 image-not-pinned',
      '17 accept-routes-loop',
      '17 routes-in-extra-args',
    ]);
  });

  it('Option B (serve): floating image', () => {
    expect(ids('option-b-serve.yaml')).toContain('4 image-not-pinned');
  });

  it('Option C (macvlan): meant kernel mode but TS_USERSPACE is unset, so caps and tun are unused', () => {
    expect(ids('option-c-macvlan.yaml')).toEqual([
      '15 image-not-pinned',
      '19 userspace-unneeded-privileges',
      '20 userspace-unneeded-privileges',
      '23 routes-in-extra-args',
      '26 userspace-unneeded-privileges',
    ]);
  });

  it('Option D (host): host networking, floating image, unused privileges', () => {
    expect(ids('option-d-host.yaml', { envFiles })).toEqual([
      '7 image-not-pinned',
      '11 host-network',
      '13 userspace-unneeded-privileges',
      '14 userspace-unneeded-privileges',
      '19 accept-routes-loop',
      '19 routes-in-extra-args',
      '22 userspace-unneeded-privileges',
    ]);
  });

  it('an unread env_file might set TS_USERSPACE: no finding that depends on the mode', () => {
    expect(ids('option-d-host.yaml')).toEqual(['7 image-not-pinned', '11 host-network']);
  });
});
