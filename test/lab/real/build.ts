/**
 * `npm run lab -- build`: the pinned binaries, the lab CA and the tailscale image, each reused when
 * its inputs are unchanged (a second run takes seconds).
 */
import { existsSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { ensureLabCa, type LabCa, labCaPaths } from './ca.js';
import { type BuiltBinaries, binDir, ensureGoBuild, isBuilt } from './gobuild.js';
import { ensureTailscaleImage, type ImageResult } from './image.js';
import { NET } from './topology.js';
import { COMPOSE_BUILD, cacheDir, HEADSCALE_BUILD, TAILSCALE_BUILD } from './versions.js';

export const HEADSCALE_DNS_NAME = 'headscale.tbr.test';

export interface LabBuild {
  tailscale: BuiltBinaries;
  headscale: BuiltBinaries;
  ca: LabCa;
  image: ImageResult;
  /** Milliseconds per step. */
  durations: Record<string, number>;
}

function timed<T>(durations: Record<string, number>, step: string, f: () => T): T {
  const t = Date.now();
  try {
    return f();
  } finally {
    durations[step] = Date.now() - t;
  }
}

export function buildLab(log: (line: string) => void = () => {}): LabBuild {
  const durations: Record<string, number> = {};
  const tailscale = timed(durations, 'tailscale', () => ensureGoBuild(TAILSCALE_BUILD, log));
  const headscale = timed(durations, 'headscale', () => ensureGoBuild(HEADSCALE_BUILD, log));
  const ca = timed(durations, 'ca', () => ensureLabCa(NET.headscale, HEADSCALE_DNS_NAME));
  const image = timed(durations, 'image', () => ensureTailscaleImage(tailscale.paths, ca));
  return { tailscale, headscale, ca, image, durations };
}

/** The binaries and CA of an earlier build, without building anything (undefined if missing). */
export function existingBuild(): Omit<LabBuild, 'image' | 'durations'> | undefined {
  const specs = [TAILSCALE_BUILD, HEADSCALE_BUILD];
  const ca = labCaPaths();
  if (!specs.every(isBuilt) || !existsSync(ca.caCert)) return undefined;
  const of = (spec: typeof TAILSCALE_BUILD): BuiltBinaries => ({
    dir: binDir(spec),
    paths: Object.fromEntries(spec.binaries.map((b) => [b.name, `${binDir(spec)}/${b.name}`])),
    built: false,
  });
  return { tailscale: of(TAILSCALE_BUILD), headscale: of(HEADSCALE_BUILD), ca };
}

/**
 * Optional: docker compose v2 (what TrueNAS runs) built from github.com/docker/compose/v2, as a CLI
 * plugin in a DOCKER_CONFIG directory of its own — never in ~/.docker, where it would switch every
 * `docker compose` user on the machine to v2. Use it with `DOCKER_CONFIG=<returned dir>`.
 */
export function ensureComposeV2(log: (line: string) => void = () => {}): string {
  const bin = ensureGoBuild(COMPOSE_BUILD, log).paths['docker-compose']!;
  const config = path.join(cacheDir(), 'docker-config');
  const plugin = path.join(config, 'cli-plugins', 'docker-compose');
  mkdirSync(path.dirname(plugin), { recursive: true });
  rmSync(plugin, { force: true });
  symlinkSync(bin, plugin);
  return config;
}
