/**
 * kernel-mode-missing-tun against what the real image does (test/fixtures/real/tailscale-v1.102.3/
 * containerboot-kernel-no-tun-device.log, recorded on this lab's Docker 20.10.24 with runc 1.1.5:
 * `docker run --cap-add NET_ADMIN -e TS_USERSPACE=false tailscale/tailscale:v1.102.3`, no devices:).
 * containerboot creates /dev/net/tun itself when it is missing (cmd/containerboot/main.go
 * ensureTunFile: mknod c 10 200), and runc 1.1's default device list allows it, so tailscaled made
 * tailscale0. runc 1.2.0–1.2.3 dropped the tun device from that list (tailscale#14256): the same file
 * then fails with "operation not permitted" — which cannot be produced here. So the rule warns that it
 * depends on the runtime (not an error that it fails), and its fix adds the device.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { lintText } from './helpers.js';

const log = readFileSync(
  new URL('../../fixtures/real/tailscale-v1.102.3/containerboot-kernel-no-tun-device.log', import.meta.url),
  'utf8',
);

const KERNEL_WITHOUT_DEVICE = `services:
  tailscale:
    image: tailscale/tailscale:v1.102.3
    cap_add: [NET_ADMIN]
    environment:
      TS_USERSPACE: "false"
      TS_STATE_DIR: /var/lib/tailscale
    volumes: [./state:/var/lib/tailscale]
`;

describe('kernel mode without devices: /dev/net/tun, as recorded from the real image', () => {
  it('the real containerboot created tailscale0 without the device entry (runc 1.1.5)', () => {
    expect(log).toContain('wgengine.NewUserspaceEngine(tun "tailscale0") ...');
    expect(log).toContain('Creating WireGuard device...');
    expect(log).toContain("boot: 2026/12/01 07:22:34 Running 'tailscale up'");
    expect(log).not.toMatch(/ensuring that \/dev\/net\/tun exists|operation not permitted|no TUN/);
  });

  it('so the rule warns that it depends on the runtime, and does not call it an error', () => {
    const findings = lintText(KERNEL_WITHOUT_DEVICE).findings.filter(
      (f) => f.ruleId === 'kernel-mode-missing-tun',
    );
    expect(findings).toHaveLength(1);
    expect(findings[0]!.severity).toBe('warning');
    expect(findings[0]!.message).toContain("depends on the container runtime's default device list");
    expect(findings[0]!.fixable).toBe(true);
  });
});
