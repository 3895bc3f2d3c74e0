import { describe, expect, it } from 'vitest';
import { composeDrift } from '../../../src/core/deploy/drift.js';
import { driftOverwriteNote, driftRefusal } from '../../../src/core/deploy/drift-report.js';

/** What the TrueNAS middleware writes back (PyYAML dump: quoted strings, sorted keys, no comments). */
const APP_COPY = `"services":
  "tailscale":
    "environment":
    - "TS_HOSTNAME=nas"
    "image": "tailscale/tailscale:v1.102.3"
    "network_mode": "host"
`;
const LOCAL = `services:
  tailscale:   # the router
    image: tailscale/tailscale:v1.102.3
    network_mode: host
    environment: [TS_HOSTNAME=nas]
`;

describe('drift report', () => {
  it('the middleware re-dump of the same compose is not drift', () => {
    expect(composeDrift('app:tailscale', LOCAL, APP_COPY)).toEqual({ drifted: false });
  });

  it('an edit in the UI is one line naming the paths and both ways out', () => {
    const drift = composeDrift('app:tailscale', LOCAL, APP_COPY.replace('"host"', '"bridge"'));
    expect(drift.drifted).toBe(true);
    if (!drift.drifted) return;
    expect(driftRefusal(drift, 'compose.yaml', 'TrueNAS app tailscale')).toBe(
      "drift: TrueNAS app tailscale's compose differs from compose.yaml at services.tailscale.network_mode (edited outside tailbridge?): bring compose.yaml up to date with the app, or pass --overwrite-drift to replace the app's version with compose.yaml; nothing was changed",
    );
    expect(driftOverwriteNote(drift, 'TrueNAS app tailscale')).toContain('--overwrite-drift replaces it');
  });

  it('lists five paths and counts the rest', () => {
    const differences = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
    const line = driftRefusal({ drifted: true, key: 'app:x', differences }, 'c.yaml', 'TrueNAS app x');
    expect(line).toContain('at a, b, c, d, e and 2 more (');
  });
});
