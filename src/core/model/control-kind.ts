/**
 * Which control server a URL is, without the zod model (lint rules import this; the model imports
 * the lint settings, so the rules must not import the model at run time).
 */

/** Tailscale's own coordination server: what `tailscale up` uses without --login-server. */
export const DEFAULT_CONTROL_SERVER = 'https://controlplane.tailscale.com';

export const CONTROL_KINDS = ['tailscale', 'headscale'] as const;
export type ControlKind = (typeof CONTROL_KINDS)[number];

/** The kind of control server: explicit, or derived from the URL (Tailscale's own hosts vs anything else). */
export function controlKindOf(ts: {
  controlServer: string;
  control?: { kind?: ControlKind } | undefined;
}): ControlKind {
  if (ts.control?.kind) return ts.control.kind;
  try {
    const host = new URL(ts.controlServer).hostname;
    return host === 'tailscale.com' || host.endsWith('.tailscale.com') ? 'tailscale' : 'headscale';
  } catch {
    return 'tailscale';
  }
}
