import path from 'node:path';

/** Where images and guides mount the state; containerboot uses it only when TS_STATE_DIR says so. */
export const CONVENTIONAL_STATE_DIR = '/var/lib/tailscale';

export interface Mount {
  source: string;
  destination: string;
  type: string;
}

/**
 * The host side of the container's state directory: the mount at TS_STATE_DIR, or the deepest mount
 * above it (the source then extended by the rest of the path). Undefined when nothing persists it —
 * including when TS_STATE_DIR is unset: containerboot then runs `tailscaled --state=mem:` (an
 * ephemeral node), whatever is mounted.
 */
export function stateDirMount(mounts: readonly Mount[], tsStateDir: string | undefined): Mount | undefined {
  if (!tsStateDir) return undefined;
  const exact = mounts.find((m) => m.destination === tsStateDir);
  if (exact) return exact;
  const above = mounts
    .filter((m) => tsStateDir.startsWith(`${m.destination.replace(/\/$/, '')}/`))
    .sort((a, b) => b.destination.length - a.destination.length)[0];
  return above
    ? {
        ...above,
        destination: tsStateDir,
        source: path.posix.join(above.source, path.posix.relative(above.destination, tsStateDir)),
      }
    : undefined;
}
