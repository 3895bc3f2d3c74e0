import { type ComposeEdit, renderStandalone } from '../compose/edits.js';
import type { Fact } from '../facts/sources.js';
import type { HomelabConfig } from '../model/config.js';
import { renderHeader } from './header.js';
import { acceptRoutesLoopNote } from './kernel-notes.js';
import {
  approveRoutesStep,
  authStep,
  clientAcceptRoutesStep,
  compact,
  keyExpiryStep,
} from './manual-steps.js';
import {
  authEdits,
  commonNotes,
  kernelModeKeys,
  mainServiceOptions,
  tailscaleServiceEdits,
} from './tailscale-service.js';
import type { Generated } from './types.js';

export const HOST_NOTES: Fact[] = [
  {
    text: 'Host networking: the container shares the host’s network namespace — no Docker DNS to reach apps by name and no network isolation.',
    source: 'docker-host-network',
  },
  {
    text: 'No sysctls: compose rejects namespaced net.* sysctls with network_mode: host, so forwarding must be enabled on the host.',
    source: 'compose-sysctls',
  },
  {
    text: 'With TS_ROUTES in kernel mode containerboot checks IP forwarding and exits if it is off and cannot be switched on.',
    source: 'containerboot-forwarding',
  },
  {
    text: '/dev/net/tun is passed under devices:, not volumes: a bind-mounted tun fails with "operation not permitted" since runc 1.2.',
    source: 'runc-tun',
  },
];

function forwardingStep(config: HomelabConfig): string {
  const where =
    config.host.platform === 'truenas'
      ? 'TrueNAS: System → Advanced → Sysctl, add'
      : 'On the host, add to /etc/sysctl.d/99-tailscale.conf and run `sysctl --system`:';
  return `Enable IP forwarding on the host (${where} net.ipv4.ip_forward=1 and net.ipv6.conf.all.forwarding=1).`;
}

export function generateHost(config: HomelabConfig): Generated {
  const edits: ComposeEdit[] = [
    ...tailscaleServiceEdits(
      config,
      { ...mainServiceOptions(config, false), placement: { network_mode: 'host' } },
      kernelModeKeys(false),
    ),
    ...authEdits(config),
  ];
  const manualSteps = compact([
    forwardingStep(config),
    authStep(config),
    approveRoutesStep(config, config.tailscale.hostname),
    clientAcceptRoutesStep(config),
    keyExpiryStep(config, config.tailscale.hostname),
  ]);
  const notes = [
    ...HOST_NOTES,
    ...acceptRoutesLoopNote(config, config.host.address),
    ...commonNotes(config, true),
  ];
  const header = renderHeader({
    mode: 'host',
    intro: [
      'tailbridge: fallback — host mode is the documented last resort, so `tailbridge lint` reports it as info.',
      'The fallback: kernel-mode tailscale in the host network namespace. Simplest routing, but the trade-off is no Docker DNS (apps only via published ports), no isolation, and forwarding sysctls must be set on the host because compose cannot set them here.',
    ],
    steps: manualSteps,
    notes,
  });
  return {
    mode: 'host',
    header,
    edits,
    compose: renderStandalone(header, edits),
    files: [],
    manualSteps,
    notes,
  };
}
