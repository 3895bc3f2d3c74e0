import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { describeGuard, guardIdentity } from '../../../src/core/identity/guard.js';
import { identityPrefs, runningIdentity } from '../../../src/core/identity/node.js';

const status = (over: Record<string, unknown> = {}) =>
  JSON.stringify({
    BackendState: 'Running',
    Self: {
      HostName: 'truenas',
      DNSName: 'truenas.tail1234.ts.net.',
      PrimaryRoutes: ['198.18.20.0/24'],
      Tags: null,
      ExitNodeOption: false,
      ...over,
    },
  });

describe('runningIdentity', () => {
  it('prefers the node’s prefs, then tailscale status, then the container settings', () => {
    const fromEnv = runningIdentity({
      container: 'tailscale',
      tsSettings: {
        TS_HOSTNAME: 'truenas',
        TS_ROUTES: '198.18.20.0/24',
        TS_EXTRA_ARGS: '--accept-routes --advertise-tags=tag:nas --authkey=…redacted',
      },
      stateDir: '/mnt/Fast/docker/tailscale',
    });
    expect(fromEnv).toMatchObject({
      hostname: 'truenas',
      routes: ['198.18.20.0/24'],
      acceptRoutes: true,
      tags: ['tag:nas'],
      exitNode: false,
      stateDir: '/mnt/Fast/docker/tailscale',
      from: { hostname: 'TS_HOSTNAME', routes: 'TS_ROUTES', acceptRoutes: 'TS_EXTRA_ARGS --accept-routes' },
    });
    const fromPrefs = runningIdentity({
      container: 'tailscale',
      tsSettings: { TS_HOSTNAME: 'old', TS_ROUTES: '10.0.0.0/24' },
      status: status(),
      prefs: JSON.stringify({
        Hostname: 'truenas',
        AdvertiseRoutes: ['198.18.20.0/24', '0.0.0.0/0', '::/0'],
        AdvertiseTags: null,
        RouteAll: false,
      }),
    });
    expect(fromPrefs).toMatchObject({
      hostname: 'truenas',
      machineName: 'truenas',
      routes: ['198.18.20.0/24'],
      exitNode: true,
      acceptRoutes: false,
      tags: [],
    });
    expect(fromPrefs.stateDir).toBeUndefined();
    // No TS_HOSTNAME: containerboot uses the container's hostname.
    expect(
      runningIdentity({ container: 't', tsSettings: {}, containerHostname: 'nas' }).from.hostname,
    ).toMatch(/container hostname/);
  });
});

describe('the identity guard', () => {
  const running = runningIdentity({
    container: 'tailscale',
    tsSettings: { TS_HOSTNAME: 'truenas', TS_ROUTES: '198.18.20.0/24', TS_EXTRA_ARGS: '--accept-routes' },
    stateDir: '/mnt/Fast/docker/tailscale',
    status: status(),
  });
  const same = {
    hostname: 'truenas',
    routes: ['198.18.20.0/24'],
    exitNode: false,
    tags: [],
    acceptRoutes: true,
    stateDir: '/mnt/Fast/docker/tailscale/',
  };

  it('passes a config that keeps the node as it is', () => {
    const v = guardIdentity(running, same, []);
    expect(v).toMatchObject({ noNode: false, changes: [], refused: [] });
    expect(describeGuard(v, 'tailscale')).toEqual([
      'identity: tailscale keeps its name, routes, exit node, tags, accept-routes and state directory',
    ]);
  });

  it('refuses the draft of the issue (renamed to vm, the LAN route swapped) and lists each change on its own line', () => {
    const draft = { ...same, hostname: 'vm', routes: ['192.0.2.0/24'], acceptRoutes: false };
    const v = guardIdentity(running, draft, []);
    expect(v.refused.map((c) => c.guard)).toEqual(['allow-rename', 'allow-route-change']);
    const lines = describeGuard(v, 'tailscale');
    expect(lines).toEqual([
      'identity: renames the node truenas → vm (today truenas.<tailnet>): its MagicDNS name changes for every device that uses it — refused without --allow-rename',
      'identity: changes the advertised route 198.18.20.0/24 → 192.0.2.0/24: tailnet devices lose that subnet — refused without --allow-route-change',
      'identity: accept-routes on → off (with the state kept, TS_AUTH_ONCE=true does not re-apply TS_EXTRA_ARGS: docker exec tailscale tailscale set --accept-routes=false)',
    ]);
    expect(guardIdentity(running, draft, ['allow-rename', 'allow-route-change']).refused).toEqual([]);
  });

  it('guards a moved state directory and a dropped exit node; a new route or persisting state is only reported', () => {
    const exit = { ...running, exitNode: true };
    const v = guardIdentity(
      exit,
      { ...same, stateDir: '/srv/ts', routes: ['198.18.20.0/24', '10.9.0.0/16'] },
      [],
    );
    expect(v.refused.map((c) => c.field)).toEqual(['exitNode', 'stateDir']);
    expect(v.changes.find((c) => c.field === 'routes')?.guard).toBeUndefined();
    const ephemeral = guardIdentity({ ...running, stateDir: undefined }, same, []);
    expect(ephemeral.refused).toEqual([]);
    expect(ephemeral.changes[0]!.text).toMatch(/today it is not persisted/);
  });

  it('nothing to keep without a running node', () => {
    expect(describeGuard(guardIdentity(undefined, same, []), 'tailscale')).toEqual([
      'identity: no running tailscale container tailscale: nothing to keep',
    ]);
  });
});

describe('the running node from real tailscale v1.102.3 output (test/fixtures/real)', () => {
  const real = (name: string) =>
    readFileSync(new URL(`../../fixtures/real/tailscale-v1.102.3/${name}`, import.meta.url), 'utf8');

  it('reads name, routes and flags from `tailscale debug prefs` and `tailscale status --json`', () => {
    const id = runningIdentity({
      container: 'tbr-nas',
      tsSettings: {},
      status: real('status-host-kernel-approved.json'),
      prefs: real('prefs-host-kernel.json'),
    });
    expect(id).toMatchObject({
      hostname: 'tbr-nas',
      machineName: 'tbr-nas',
      routes: ['198.18.20.0/24'],
      exitNode: false,
      acceptRoutes: false,
      tags: [],
      from: {
        hostname: 'tailscale debug prefs (Hostname)',
        routes: 'tailscale debug prefs (AdvertiseRoutes)',
      },
    });
  });

  it('keeps none of the private keys `tailscale debug prefs` prints', () => {
    const withKey = real('prefs-host-kernel.json').replace(
      /"PrivateNodeKey": "privkey:0+"/,
      '"PrivateNodeKey": "privkey:CANARY0123456789"',
    );
    expect(withKey).toContain('CANARY0123456789');
    const kept = identityPrefs(withKey)!;
    expect(kept).not.toContain('CANARY');
    expect(JSON.parse(kept)).toEqual({
      Hostname: 'tbr-nas',
      AdvertiseRoutes: ['198.18.20.0/24'],
      AdvertiseTags: null,
      RouteAll: false,
      ControlURL: 'https://198.19.0.10',
    });
  });
});
