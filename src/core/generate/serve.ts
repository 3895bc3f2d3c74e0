import { renderStandalone } from '../compose/edits.js';
import { magicDnsName } from '../control/server.js';
import type { Fact } from '../facts/sources.js';
import type { HomelabConfig } from '../model/config.js';
import { renderHeader } from './header.js';
import { compact } from './manual-steps.js';
import { buildServeConfig, renderServeConfig } from './serve-config.js';
import { commonNotes } from './tailscale-service.js';
import type { Generated } from './types.js';
import { USERSPACE_NOTES, userspaceEdits, userspaceSteps } from './userspace.js';

export const SERVE_DIR = 'tailscale-serve';
const SERVE_MOUNT = '/config';

export const SERVE_NOTES: Fact[] = [
  {
    text: 'containerboot applies TS_SERVE_CONFIG after login, substitutes the node’s cert domain in serve.json and watches the file’s directory, so edits to serve.json apply without a restart (mount the directory, not the file).',
    source: 'serve-config',
  },
  {
    text: 'Each app gets its own tailnet port: a second handler on the same port and path replaces the first, which is why the note’s three `tailscale serve --bg` calls (all HTTPS 443, path /) would have left only the last one.',
    source: 'serve-config',
  },
  {
    text: 'The note’s `command:` started tailscaled by hand without --tun=userspace-networking; TS_USERSPACE is read only by containerboot, so that tailscaled tried kernel mode without a TUN device. Here containerboot does the startup.',
    source: 'containerboot-env',
  },
  {
    text: 'HTTPS handlers need HTTPS certificates enabled for the tailnet; without them containerboot does not apply a config that has HTTPS ports.',
    source: 'ts-kb-1153',
  },
];

export function generateServe(config: HomelabConfig): Generated {
  const { config: serveConfig, entries } = buildServeConfig(
    config.services,
    magicDnsName(config, config.tailscale.hostname),
  );
  const edits = userspaceEdits(config, {
    environment: { TS_SERVE_CONFIG: `${SERVE_MOUNT}/serve.json` },
    volumes: [`./${SERVE_DIR}:${SERVE_MOUNT}:ro`],
  });
  const manualSteps = compact([
    'Enable MagicDNS and HTTPS certificates for the tailnet (admin console → DNS → HTTPS Certificates).',
    `Put ${SERVE_DIR}/serve.json next to this compose file${config.host.platform === 'truenas' ? ' — on TrueNAS "Install via YAML" a relative path is not your dataset: copy the folder to a dataset and make the volume path absolute' : ''}.`,
    ...userspaceSteps(config),
  ]);
  const notes = [...SERVE_NOTES, ...USERSPACE_NOTES.slice(0, 1), ...commonNotes(config, false)];
  const header = renderHeader({
    mode: 'serve',
    intro: [
      'Userspace tailscale that proxies each app with `tailscale serve`, configured by tailscale-serve/serve.json (TS_SERVE_CONFIG). TS_ROUTES is kept for subnet routing.',
    ],
    steps: manualSteps,
    sections: [
      {
        title: 'How to reach your services from the tailnet',
        lines: entries.map((e) => `${e.service.name}: ${e.url}`),
      },
    ],
    notes,
  });
  return {
    mode: 'serve',
    header,
    edits,
    compose: renderStandalone(header, edits),
    files: [
      {
        path: `${SERVE_DIR}/serve.json`,
        content: renderServeConfig(serveConfig),
        purpose: 'tailscale serve configuration (ipn.ServeConfig) read by containerboot via TS_SERVE_CONFIG',
      },
    ],
    manualSteps,
    notes,
  };
}
