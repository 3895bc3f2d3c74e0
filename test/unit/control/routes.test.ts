import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fromHeadscaleNode, type HeadscaleApiNode } from '../../../src/adapters/control/headscale.js';
import { autoApproversSnippet, planApproval } from '../../../src/core/control/approval.js';
import { findNode, nameHolders } from '../../../src/core/control/find-node.js';
import type { ControlNode } from '../../../src/core/control/ports.js';
import { routeViews } from '../../../src/core/control/routes.js';

const hs = (name: string) =>
  fromHeadscaleNode(
    JSON.parse(
      readFileSync(new URL(`../../fixtures/real/headscale-v0.29.2/${name}.json`, import.meta.url), 'utf8'),
    ) as HeadscaleApiNode,
  );
const LAN = '198.18.20.0/24';

describe('Headscale nodes (recorded from Headscale v0.29.2)', () => {
  it('maps availableRoutes, approvedRoutes and subnetRoutes (primary) and the owner', () => {
    const pending = hs('node-route-pending');
    expect(pending).toMatchObject({
      id: '3',
      name: 'tbr-nas',
      hostname: 'tbr-nas',
      nodeKey: expect.stringMatching(/^nodekey:/),
      user: 'lab',
      tags: [],
      routes: { advertised: [LAN], approved: [], primary: [] },
    });
  });

  it('tells the four states apart', () => {
    expect(routeViews([LAN], hs('node-route-pending').routes!)[0]?.state).toBe('awaiting-approval');
    expect(routeViews([LAN], hs('node-approved-by-api').routes!)[0]?.state).toBe('serving');
    expect(routeViews([LAN], { advertised: [], approved: [], primary: [] })[0]?.state).toBe('not-advertised');
    const other: ControlNode = { ...hs('node-approved-by-api'), id: '9', name: 'old-nas', online: true };
    const standby = routeViews([LAN], { advertised: [LAN], approved: [LAN], primary: [] }, [other])[0];
    expect(standby).toMatchObject({
      state: 'standby',
      primary: false,
      primaryElsewhere: 'old-nas (id 9, online)',
    });
  });

  it('on Tailscale (no primary in the API) uses the node’s own view when it has seen the approval', () => {
    const routes = { advertised: [LAN], approved: [LAN] };
    expect(routeViews([LAN], routes)[0]?.state).toBe('approved');
    expect(routeViews([LAN], routes, [], { allowedIPs: [LAN], primaryRoutes: [LAN] })[0]?.state).toBe(
      'serving',
    );
    expect(routeViews([LAN], routes, [], { allowedIPs: [LAN], primaryRoutes: [] })[0]?.state).toBe('standby');
    // Stale node view (approval not received yet): primary unknown.
    expect(routeViews([LAN], routes, [], { allowedIPs: [], primaryRoutes: [] })[0]?.state).toBe('approved');
  });

  it('finds the node by key, id, then an unambiguous name; names the name-1 drift holder', () => {
    const me = hs('node-route-pending');
    const old: ControlNode = { ...me, id: '1', nodeKey: 'nodekey:old', online: false };
    const drifted: ControlNode = { ...me, name: 'tbr-nas-1' };
    expect(findNode([old, drifted], { nodeKey: me.nodeKey!, hostname: 'tbr-nas' })).toMatchObject({
      found: true,
      by: 'node key',
      node: { id: '3' },
    });
    expect(findNode([old, drifted], { stableId: '3', hostname: 'tbr-nas' })).toMatchObject({
      found: true,
      by: 'node id',
    });
    expect(findNode([old, { ...drifted, name: 'tbr-nas' }], { hostname: 'tbr-nas' })).toMatchObject({
      found: false,
    });
    expect(nameHolders([old, drifted], 'tbr-nas', drifted)).toEqual([old]);
  });
});

describe('approval', () => {
  it('approves what is expected and advertised, keeps what was approved, reports the rest', () => {
    const plan = planApproval([LAN, '10.0.0.0/8'], {
      advertised: [LAN, '172.16.0.0/12'],
      approved: ['192.168.1.0/24'],
    });
    expect(plan).toEqual({
      toApprove: [LAN],
      keep: ['192.168.1.0/24'],
      approvedAfter: ['192.168.1.0/24', LAN],
      notAdvertised: ['10.0.0.0/8'],
      notExpected: ['172.16.0.0/12'],
    });
  });

  it('autoApprovers: Headscale users or tags (with tagOwners), Tailscale tags', () => {
    const user = autoApproversSnippet('headscale', [LAN], { tags: [], user: 'lab' }, []);
    expect(JSON.parse(user.json)).toEqual({ autoApprovers: { routes: { [LAN]: ['lab@'] } } });
    const tagged = autoApproversSnippet(
      'headscale',
      [LAN, '0.0.0.0/0', '::/0'],
      { tags: ['tag:router'] },
      [],
    );
    expect(JSON.parse(tagged.json)).toEqual({
      tagOwners: { 'tag:router': ['<user>@'] },
      autoApprovers: { routes: { [LAN]: ['tag:router'] }, exitNode: ['tag:router'] },
    });
    expect(tagged.source).toBe('headscale-policy');
    const ts = autoApproversSnippet('tailscale', [LAN], { tags: [] }, ['tag:homelab']);
    expect(JSON.parse(ts.json)).toEqual({ autoApprovers: { routes: { [LAN]: ['tag:homelab'] } } });
  });
});
