/**
 * What the real lab builds, pinned. The Tailscale version is the one tailbridge pins in generated
 * files (src/core/model/config.ts default image); build flags follow tailscale's build_docker.sh.
 */
import { homedir } from 'node:os';
import path from 'node:path';

export const TAILSCALE_VERSION = '1.102.3';
export const HEADSCALE_VERSION = '0.29.2';
export const COMPOSE_VERSION = '2.40.3';

/** The image tag users' compose files name; the lab builds it locally. */
export const TAILSCALE_IMAGE = `tailscale/tailscale:v${TAILSCALE_VERSION}`;

/** Root of everything cached between runs (binaries, the lab CA); outside the work tree. */
export function cacheDir(): string {
  return process.env.TAILBRIDGE_LAB_CACHE ?? path.join(homedir(), '.cache', 'tailbridge-lab');
}

export interface GoBuild {
  /** Directory name under <cache>/bin, keyed by version. */
  key: string;
  module: string;
  version: string;
  /** Main packages inside the module (./cmd/x) and the binary each becomes. */
  binaries: { pkg: string; name: string }[];
  tags: string[];
  ldflags: string[];
  trimpath: boolean;
}

export const TAILSCALE_BUILD: GoBuild = {
  key: `tailscale-v${TAILSCALE_VERSION}`,
  module: 'tailscale.com',
  version: `v${TAILSCALE_VERSION}`,
  binaries: [
    { pkg: './cmd/containerboot', name: 'containerboot' },
    { pkg: './cmd/tailscaled', name: 'tailscaled' },
    { pkg: './cmd/tailscale', name: 'tailscale' },
  ],
  // build_docker.sh: --gotags=ts_kube,ts_package_container and the version stamps.
  tags: ['ts_kube', 'ts_package_container'],
  ldflags: [
    `-X tailscale.com/version.longStamp=${TAILSCALE_VERSION}-tailbridge-lab`,
    `-X tailscale.com/version.shortStamp=${TAILSCALE_VERSION}`,
  ],
  trimpath: false,
};

export const HEADSCALE_BUILD: GoBuild = {
  key: `headscale-v${HEADSCALE_VERSION}`,
  module: 'github.com/juanfont/headscale',
  version: `v${HEADSCALE_VERSION}`,
  binaries: [{ pkg: './cmd/headscale', name: 'headscale' }],
  tags: [],
  ldflags: [],
  trimpath: true,
};

export const COMPOSE_BUILD: GoBuild = {
  key: `compose-v${COMPOSE_VERSION}`,
  module: 'github.com/docker/compose/v2',
  version: `v${COMPOSE_VERSION}`,
  binaries: [{ pkg: './cmd', name: 'docker-compose' }],
  tags: [],
  ldflags: [`-X github.com/docker/compose/v2/internal.Version=v${COMPOSE_VERSION}`],
  trimpath: true,
};
