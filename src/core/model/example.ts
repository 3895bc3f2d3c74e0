/** The seed homelab (TrueNAS, 192.168.20.0/24, Jellyfin, Sonarr, Radarr), used by --example and `npm start`. */
export const EXAMPLE_CONFIG_FILE = '<example>/tailbridge.yaml';

export const EXAMPLE_CONFIG = `# yaml-language-server: $schema=tailbridge.schema.json
# tailbridge.yaml — the homelab from the research note "Tailscale Without Host Mode".
version: 1
lan:
  subnet: 192.168.20.0/24
  gateway: 192.168.20.1
  parentInterface: eno1        # the NIC that carries 192.168.20.x (br0 if TrueNAS has a bridge)
  parentKind: ethernet
  dhcpRange: { start: 192.168.20.100, end: 192.168.20.199 }
  macvlan:
    address: 192.168.20.200    # reserve it in the router
    ipRange: 192.168.20.200/30 # .200-.203, outside the DHCP pool
    shimAddress: 192.168.20.204
    usedAddresses: [192.168.20.22]
host:
  name: truenas
  address: 192.168.20.22
  platform: truenas
  truenasVersion: "25.04.1"
tailscale:
  service: tailscale
  containerName: tailscale
  hostname: truenas
  image: tailscale/tailscale:v1.102.3
  stateDir: /mnt/Fast/docker/tailscale
  auth:
    method: env_file
    path: /mnt/Fast/docker/tailscale/.env   # holds TS_AUTHKEY=…; never put the key here
  advertiseRoutes: [192.168.20.0/24]
  acceptRoutes: false
  exitNode: false
  tags: [tag:homelab]
services:
  - { name: jellyfin, port: 8096, protocol: http, network: jellyfin_network, publishedOnHost: true }
  - { name: sonarr, port: 8989, protocol: http, network: arr_network, publishedOnHost: true }
  - { name: radarr, port: 7878, protocol: http, network: arr_network, publishedOnHost: true }
requirements:
  subnetRouting: true
  dockerServiceDiscovery: true
  nonHttpServices: false
  hostAccess: true
  hostToTailnet: false
  exitNode: false
  reachAtTailscaleIp: false
  priority: balanced
paths:
  compose: truenas/stacks/tailscale/compose.yaml
  notes: ai/SESSION_NOTES.md
  researchNote: docs/tailscale-without-host-mode.md
  decisions: docs/decisions
`;
