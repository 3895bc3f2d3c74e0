import type { Fact } from '../facts/sources.js';
import type { Mode } from '../model/modes.js';

/** Statements in the user's research note that the generated files deliberately do not repeat. */

const ALL: Fact[] = [
  {
    text: 'Note: `image: tailscale/tailscale:latest`. Generated: the pinned tag from tailscale.image, so a restart never silently upgrades.',
    source: 'ts-kb-1282',
  },
  {
    text: 'Note: routes via `TS_EXTRA_ARGS=--advertise-routes=…`. Generated: TS_ROUTES, which triggers the forwarding setup and is re-applied on restart.',
    source: 'containerboot-forwarding',
  },
  {
    text: 'Note: `--accept-routes` on the router itself. Generated: only when acceptRoutes is set; in kernel mode it can route your own LAN into the tailnet.',
    source: 'accept-routes-loop',
  },
];

const BY_MODE: Record<Mode, Fact[]> = {
  userspace: [
    {
      text: 'Note: "subnet routing may not work in userspace". It does: TCP, UDP and ICMP echo are relayed.',
      source: 'ts-kb-1177',
    },
    {
      text: 'Note: a fixed "% slower" figure for userspace. No source measures one; tailbridge prints none.',
      source: 'ts-perf-netstack',
    },
    {
      text: 'Note: test with `curl http://<truenas-tailscale-ip>:8096`. In userspace that hits the tailscale container’s own 127.0.0.1:8096, not Jellyfin.',
      source: 'netstack-loopback',
    },
    {
      text: 'Note: "exit node may not work". Advertising an exit node works in userspace mode.',
      source: 'ts-kb-1177',
    },
  ],
  serve: [
    {
      text: 'Note: `command:` starting tailscaled without --tun=userspace-networking. Generated: containerboot with TS_USERSPACE=true and TS_SERVE_CONFIG.',
      source: 'containerboot-env',
    },
    {
      text: 'Note: three `tailscale serve --bg` calls on the same port and path, each replacing the previous. Generated: one port per app in serve.json.',
      source: 'serve-config',
    },
    {
      text: 'Note: HTTPS serve with no word on certificates. Generated: a manual step to enable HTTPS certificates, without which the config is not applied.',
      source: 'ts-kb-1153',
    },
  ],
  macvlan: [
    {
      text: 'Note: `/dev/net/tun:/dev/net/tun` under volumes. Generated: under devices (a bind mount fails since runc 1.2).',
      source: 'runc-tun',
    },
    {
      text: 'Note: no TS_USERSPACE=false, so containerboot defaulted to userspace and the TUN, caps and LAN IP were unused. Generated: TS_USERSPACE "false".',
      source: 'containerboot-env',
    },
    {
      text: 'Note: no forwarding sysctls. Generated: both, since IPv6 forwarding is 0 in a new namespace and containerboot exits when it cannot enable it.',
      source: 'kernel-netns-ipv6',
    },
    {
      text: 'Note: SYS_MODULE in cap_add. Generated: only NET_ADMIN; SYS_MODULE only serves a modprobe fallback.',
      source: 'tstun-modprobe',
    },
    {
      text: 'Note: "Docker host can’t communicate" as a given. Generated: a shim script that fixes it.',
      source: 'macvlan-shim',
    },
    {
      text: 'Note: "reserve the IP in router DHCP". Docker does no DHCP: the range must lie outside the DHCP pool.',
      source: 'docker-ipam-static',
    },
  ],
  host: [
    {
      text: 'Note: host mode as "guaranteed to work". Forwarding must still be enabled on the host; compose cannot set sysctls with host networking.',
      source: 'compose-sysctls',
    },
  ],
  sidecar: [],
};

export function seedMistakesAvoided(mode: Mode): Fact[] {
  return [...ALL, ...BY_MODE[mode]];
}
