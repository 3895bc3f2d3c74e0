import type { Rule } from '../rule.js';
import { healthcheckCannotPass } from './healthcheck-cannot-pass.js';
import { serveConfigCertDomainInterpolated } from './serve-config-cert-domain-interpolated.js';
import { serveConfigNotMounted } from './serve-config-not-mounted.js';
import { serveConfigWithDestIp } from './serve-config-with-dest-ip.js';
import { serveOverwrite } from './serve-overwrite.js';
import { sidecarAcceptDns } from './sidecar-accept-dns.js';
import { sidecarNotWaitingHealthy } from './sidecar-not-waiting-healthy.js';
import { sidecarPorts } from './sidecar-ports.js';
import { tailscaledCustomCommand } from './tailscaled-custom-command.js';

/** Rules of the "serve-sidecar" group; each lives in its own module next to this file. */
export const PACK_SERVE_SIDECAR: readonly Rule[] = [
  tailscaledCustomCommand,
  serveOverwrite,
  serveConfigNotMounted,
  serveConfigCertDomainInterpolated,
  serveConfigWithDestIp,
  sidecarPorts,
  sidecarNotWaitingHealthy,
  healthcheckCannotPass,
  sidecarAcceptDns,
];
