import { describe, expect, it } from 'vitest';
import { composeDrift, driftMessage } from '../../../src/core/deploy/drift.js';

const local = `# the user's commented file
x-common: &common
  restart: unless-stopped
services:
  tailscale:
    <<: *common
    image: tailscale/tailscale:v1.102.3 # pinned
    network_mode: host
    ports:
      - 8080
`;

// What TrueNAS keeps after app.update: PyYAML's dump, every string quoted, keys sorted, no anchors.
const redumped = `services:
  tailscale:
    image: 'tailscale/tailscale:v1.102.3'
    network_mode: 'host'
    ports:
    - 8080
    restart: 'unless-stopped'
x-common:
  restart: 'unless-stopped'
`;

describe('composeDrift', () => {
  it('sees no drift when only comments, order, quoting and anchors differ', () => {
    expect(composeDrift('app:tailscale', local, redumped)).toEqual({ drifted: false });
  });

  it('names the paths a UI edit changed', () => {
    const edited = redumped
      .replace("network_mode: 'host'", "network_mode: 'bridge'")
      .replace('- 8080', '- 9090');
    expect(composeDrift('app:tailscale', local, edited)).toEqual({
      drifted: true,
      key: 'app:tailscale',
      differences: ['services.tailscale.network_mode', 'services.tailscale.ports[0]'],
    });
  });

  it('says in one line which document differs and where', () => {
    const drift = composeDrift('app:tailscale', local, redumped.replace("'host'", "'bridge'"));
    expect(drift.drifted).toBe(true);
    if (!drift.drifted) return;
    expect(driftMessage(drift, 'compose.yaml')).toBe(
      'the deployed app:tailscale differs from compose.yaml at services.tailscale.network_mode (edited outside tailbridge?): make the file match what should run, then apply again',
    );
  });
});
