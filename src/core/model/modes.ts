/** The ways to run the tailscale container. Letters follow the user's research note. */
export const MODES = ['userspace', 'serve', 'macvlan', 'host', 'sidecar'] as const;
export type Mode = (typeof MODES)[number];

export const MODE_INFO: Record<Mode, { letter: string; title: string }> = {
  userspace: { letter: 'A', title: 'Userspace networking in bridge networks' },
  serve: { letter: 'B', title: 'tailscale serve (TS_SERVE_CONFIG) in bridge networks' },
  macvlan: { letter: 'C', title: 'Kernel mode on macvlan with its own LAN IP' },
  host: { letter: 'D', title: 'Host networking (fallback)' },
  sidecar: { letter: 'S', title: 'Sidecar: app shares the tailscale namespace (network_mode: service:)' },
};

export function isMode(s: string): s is Mode {
  return (MODES as readonly string[]).includes(s);
}
