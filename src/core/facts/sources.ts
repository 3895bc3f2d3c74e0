/**
 * Where tailbridge's statements about Tailscale and Docker come from. Every planner cell,
 * generated comment and lint rule cites one of these ids; the research notes with the
 * exact file and line references live in the project's shared research folder.
 */
export interface Source {
  title: string;
  url: string;
}

export const SOURCES = {
  'ts-kb-1177': {
    title:
      'Tailscale KB 1177: kernel vs userspace subnet routers (userspace routes TCP/UDP/ICMP echo; kernel routes all IP protocols)',
    url: 'https://tailscale.com/kb/1177/kernel-vs-userspace-routers',
  },
  'ts-kb-1282': {
    title: 'Tailscale KB 1282: Docker image and TS_* parameters',
    url: 'https://tailscale.com/kb/1282/docker',
  },
  'ts-kb-1214': {
    title: 'Tailscale KB 1214: site-to-site — IP forwarding sysctls',
    url: 'https://tailscale.com/kb/1214/site-to-site',
  },
  'ts-kb-1153': {
    title: 'Tailscale KB 1153: enabling HTTPS certificates (needed by serve HTTPS)',
    url: 'https://tailscale.com/kb/1153/enabling-https',
  },
  'ts-kb-1337': {
    title: 'Tailscale KB 1337: policy syntax, autoApprovers',
    url: 'https://tailscale.com/kb/1337/policy-syntax',
  },
  'containerboot-env': {
    title:
      'tailscale/tailscale cmd/containerboot settings.go: TS_USERSPACE defaults to true; booleans parsed with strconv.ParseBool',
    url: 'https://github.com/tailscale/tailscale/blob/main/cmd/containerboot/settings.go',
  },
  'containerboot-forwarding': {
    title:
      'containerboot main.go/forwarding.go: kernel mode with TS_ROUTES writes ip_forward and exits if /proc/sys is read-only',
    url: 'https://github.com/tailscale/tailscale/blob/main/cmd/containerboot/forwarding.go',
  },
  'containerboot-state': {
    title:
      'containerboot: TS_STATE_DIR unset → --state=mem: (ephemeral node, new name-1 each restart; tailscale#6362)',
    url: 'https://github.com/tailscale/tailscale/issues/6362',
  },
  'containerboot-auth-once': {
    title:
      'containerboot: TS_AUTH_ONCE=true runs `tailscale set` after first login, TS_EXTRA_ARGS ignored (tailscale#20728)',
    url: 'https://github.com/tailscale/tailscale/issues/20728',
  },
  'containerboot-health': {
    title:
      'containerboot: TS_ENABLE_HEALTH_CHECK → /healthz on TS_LOCAL_ADDR_PORT (default [::]:9002), 200 once the node has a tailnet IP',
    url: 'https://github.com/tailscale/tailscale/blob/main/kube/health/healthz.go',
  },
  'netstack-loopback': {
    title:
      'wgengine/netstack netstack.go: in userspace mode, traffic to the node’s own Tailscale IP is dialed to 127.0.0.1:<port> in the tailscale container',
    url: 'https://github.com/tailscale/tailscale/blob/main/wgengine/netstack/netstack.go',
  },
  'netstack-proxy': {
    title:
      'Userspace mode has no tailscale0: local processes reach the tailnet only via TS_SOCKS5_SERVER / TS_OUTBOUND_HTTP_PROXY_LISTEN (tailscale#2740)',
    url: 'https://github.com/tailscale/tailscale/issues/2740',
  },
  'serve-config': {
    title:
      'ipn/serve.go ServeConfig: TS_SERVE_CONFIG JSON, ${TS_CERT_DOMAIN} substituted; same port+path handler replaces the previous one',
    url: 'https://github.com/tailscale/tailscale/blob/main/ipn/serve.go',
  },
  'runc-tun': {
    title:
      'runc#3468 / tailscale#14256: /dev/net/tun must be a device (devices:), a bind mount fails with "operation not permitted"',
    url: 'https://github.com/tailscale/tailscale/issues/14256',
  },
  'compose-sysctls': {
    title: 'Compose services.sysctls: namespaced net.* sysctls are not allowed with network_mode: host',
    url: 'https://docs.docker.com/reference/compose-file/services/#sysctls',
  },
  'kernel-netns-ipv6': {
    title:
      'Linux addrconf_init_net: new network namespaces start with IPv6 forwarding 0 (IPv4 inherits the host value)',
    url: 'https://github.com/torvalds/linux/blob/master/net/ipv6/addrconf.c',
  },
  'docker-macvlan': {
    title:
      'moby libnetwork docs/macvlan.md: the host cannot reach its own macvlan containers; ports: are ignored; parent goes promiscuous',
    url: 'https://github.com/moby/moby/blob/master/libnetwork/docs/macvlan.md',
  },
  'docker-macvlan-wifi': {
    title:
      'macvlan needs one MAC per container; Wi-Fi client interfaces accept one MAC per station (firejail#1978)',
    url: 'https://github.com/netblue30/firejail/issues/1978',
  },
  'docker-bridge-dns': {
    title:
      'Docker user-defined bridge networks provide DNS by container name; networks are isolated from each other',
    url: 'https://docs.docker.com/engine/network/drivers/bridge/',
  },
  'docker-host-network': {
    title: 'Docker host network: the container shares the host namespace, no Docker DNS, no isolation',
    url: 'https://docs.docker.com/engine/network/drivers/host/',
  },
  'compose-network-mode': {
    title:
      'Compose network_mode: service:<name> shares the namespace; ports belong on the owner; owner restart breaks dependants (compose#6626)',
    url: 'https://docs.docker.com/reference/compose-file/services/#network_mode',
  },
  'truenas-interfaces': {
    title:
      'TrueNAS interface.sync resets unknown interfaces unless the name has an internal prefix (tailscale…, and mac… since 25.04.1)',
    url: 'https://github.com/truenas/middleware/blob/master/src/middlewared/middlewared/plugins/network.py',
  },
  'accept-routes-loop': {
    title:
      'tailscale#6231/#1227: --accept-routes on a kernel-mode router inside the advertised subnet routes the LAN into the tailnet',
    url: 'https://github.com/tailscale/tailscale/issues/6231',
  },
  'ts-perf-netstack': {
    title:
      'No source measures a kernel-vs-userspace % penalty; netstack terminates and re-dials each flow (more CPU per byte), gVisor GSO/GRO reached ~10 Gbit/s (tailscale commits 7bc2ddae, f0230ce0)',
    url: 'https://tailscale.com/kb/1177/kernel-vs-userspace-routers',
  },
  'seed-note': {
    title: 'The user’s research note "Tailscale Without Host Mode" (decision matrix and staged strategy)',
    url: 'docs/tailscale-without-host-mode.md',
  },
  'containerboot-auth-key-resend': {
    title:
      'containerboot: with TS_AUTH_ONCE=false the auth key is sent on every start; once it expired, restarts fail "invalid key" (tailscale#16987)',
    url: 'https://github.com/tailscale/tailscale/issues/16987',
  },
  'tstun-modprobe': {
    title:
      'net/tstun/tun.go: SYS_MODULE is only used for a fallback `modprobe tun`; unneeded when the host has the tun module',
    url: 'https://github.com/tailscale/tailscale/blob/main/net/tstun/tun.go',
  },
  'macvlan-shim': {
    title:
      'docker/docs#5899: a host-side macvlan child ("shim") with a /32 and a route to the container range lets the host reach macvlan containers',
    url: 'https://github.com/docker/docs/issues/5899',
  },
  'docker-ipam-static': {
    title:
      'Docker IPAM is static and authoritative: no DHCP, no conflict check — keep ip_range outside the router’s DHCP pool',
    url: 'https://github.com/devplayer0/docker-net-dhcp/issues/15',
  },
  'truenas-init-scripts': {
    title:
      'TrueNAS initshutdownscript.create (System → Advanced → Init/Shutdown Scripts, when=POSTINIT) persists host commands',
    url: 'https://github.com/truenas/middleware/blob/master/src/middlewared/middlewared/api/v25_04_0/initshutdownscript.py',
  },
  'compose-external-networks': {
    title:
      'Compose networks: external networks must already exist; `name:` is used as is, not prefixed with the project name',
    url: 'https://github.com/compose-spec/compose-spec/blob/main/06-networks.md',
  },
  'macvlan-bridge-port': {
    title:
      'A NIC that is already a bridge port cannot be a macvlan parent ("Device or resource busy"); use the bridge (br0) as parent (jpetazzo/pipework#221)',
    url: 'https://github.com/jpetazzo/pipework/pull/221',
  },
  'compose-ipv4-address': {
    title:
      'Compose services.networks.ipv4_address: the static address must fall inside an ipam subnet of that network',
    url: 'https://docs.docker.com/reference/compose-file/services/#ipv4_address-ipv6_address',
  },
  'docker-address-pools': {
    title:
      'Docker bridge networks take subnets from default-address-pools (TrueNAS: 172.17.0.0/12 split into /24s); a container attached to one routes those addresses to the bridge',
    url: 'https://github.com/truenas/middleware/blob/master/src/middlewared/middlewared/etc_files/docker/daemon.json.py',
  },
  'docker-macvlan-no-ports': {
    title:
      'moby/libnetwork#964 (macvlan/ipvlan drivers): port mappings are not supported and ignored; Docker creates no iptables rules for macvlan/ipvlan networks',
    url: 'https://github.com/moby/libnetwork/pull/964',
  },
  'macvlan-dummy-parent': {
    title:
      'libnetwork macvlan_network.go: without -o parent Docker creates a dummy link as parent ("limit communications to other containers inside of network")',
    url: 'https://github.com/moby/moby/blob/00b2c13a1bc3b38da4772949058015b13a199349/libnetwork/drivers/macvlan/macvlan_network.go',
  },
  'containerboot-main': {
    title:
      'cmd/containerboot main.go: configured only by TS_* environment (no arguments read); TS_SERVE_CONFIG "cannot be used in conjunction with TS_DEST_IP"; a hand-started tailscaled ignores TS_*',
    url: 'https://github.com/tailscale/tailscale/blob/main/cmd/containerboot/main.go',
  },
  'ts-image-entrypoint': {
    title:
      'build_docker.sh: the tailscale/tailscale image’s entrypoint is /usr/local/bin/containerboot; Alpine base with busybox wget, no curl (Dockerfile.base)',
    url: 'https://github.com/tailscale/tailscale/blob/main/build_docker.sh',
  },
  'compose-interpolation': {
    title:
      'Compose interpolation: ${VAR} anywhere in the file is substituted (empty, with a warning, when unset); write $$ for a literal $',
    url: 'https://docs.docker.com/reference/compose-file/interpolation/',
  },
  'compose-depends-on': {
    title:
      'Compose depends_on: short form waits only for the container to start; condition: service_healthy waits for its healthcheck (which must exist)',
    url: 'https://docs.docker.com/reference/compose-file/services/#depends_on',
  },
  'userspace-no-dns': {
    title:
      'wgengine/userspace.go: with --tun=userspace-networking the DNS manager is a no-op, so TS_ACCEPT_DNS does not touch /etc/resolv.conf; in kernel mode it rewrites it to 100.100.100.100',
    url: 'https://github.com/tailscale/tailscale/blob/main/wgengine/userspace.go',
  },
  'containerboot-up-args': {
    title:
      'containerboot tailscaled.go: `tailscale up` gets --advertise-routes/--hostname/--authkey from TS_ROUTES/TS_HOSTNAME/TS_AUTHKEY before $TS_EXTRA_ARGS (split on whitespace, no quote handling); since v1.84 the CLI rejects a repeated flag ("flag provided multiple times", cmd/tailscale/cli/cli.go onceFlagValue)',
    url: 'https://github.com/tailscale/tailscale/blob/main/cmd/containerboot/tailscaled.go',
  },
  'containerboot-extra-args': {
    title:
      'containerboot tailscaled.go (v1.102.3): TS_EXTRA_ARGS is split on whitespace (strings.Fields) and appended to `tailscale up`, e.g. --login-server=<url> for Headscale',
    url: 'https://github.com/tailscale/tailscale/blob/v1.102.3/cmd/containerboot/tailscaled.go',
  },
  'docker-socket-root': {
    title:
      'Docker Engine security, daemon attack surface: control of the Docker API is root on the host (CIS Docker Benchmark 5.31: do not mount docker.sock into containers)',
    url: 'https://docs.docker.com/engine/security/#docker-daemon-attack-surface',
  },
  'tailscale-up-flags': {
    title:
      'cmd/tailscale/cli/up.go at v1.102.3 (newUpFlagSet): the flags `tailscale up` defines on Linux; anything else fails with "flag provided but not defined", and a word that is not a flag with "too many non-flag arguments"',
    url: 'https://github.com/tailscale/tailscale/blob/v1.102.3/cmd/tailscale/cli/up.go',
  },
  'containerboot-settings': {
    title:
      'cmd/containerboot/settings.go at v1.102.3 (validate): TS_HEALTHCHECK_ADDR_PORT is deprecated and refused together with TS_ENABLE_HEALTH_CHECK; TS_LOCAL_ADDR_PORT, TS_HEALTHCHECK_ADDR_PORT and TS_DEBUG_ADDR_PORT must parse as IP:port (netip.ParseAddrPort) or containerboot exits',
    url: 'https://github.com/tailscale/tailscale/blob/v1.102.3/cmd/containerboot/settings.go',
  },
  'ipn-exit-node-self': {
    title:
      'ipn/ipnlocal/local.go at v1.102.3 (checkExitNodePrefsLocked): "Cannot advertise an exit node and use an exit node at the same time."',
    url: 'https://github.com/tailscale/tailscale/blob/v1.102.3/ipn/ipnlocal/local.go',
  },
  'moby-default-caps': {
    title:
      'Docker default capabilities (moby oci/caps/defaults.go): CHOWN, DAC_OVERRIDE, FSETID, FOWNER, MKNOD, NET_RAW, SETGID, SETUID, SETFCAP, SETPCAP, NET_BIND_SERVICE, SYS_CHROOT, KILL, AUDIT_WRITE; tailscaled uses NET_ADMIN (TUN, routes, netfilter) and SYS_MODULE only for a `modprobe tun` fallback',
    url: 'https://github.com/moby/moby/blob/master/oci/caps/defaults.go',
  },
  'docker-privileged': {
    title:
      'Docker run reference, runtime privilege: --privileged gives all capabilities and access to all host devices; tailscaled in kernel mode needs only NET_ADMIN and the /dev/net/tun device',
    url: 'https://docs.docker.com/engine/containers/run/#runtime-privilege-and-linux-capabilities',
  },
  'docker-bind-mounts': {
    title:
      'Docker bind mounts: the host directory is mounted read-write into the container unless :ro; a whole system directory exposes everything under it',
    url: 'https://docs.docker.com/engine/storage/bind-mounts/',
  },
  'compose-env-list': {
    title:
      'Compose environment: in the list form `- KEY=VALUE` everything after = is the value, quotes included (only .env files strip quotes)',
    url: 'https://docs.docker.com/reference/compose-file/services/#environment',
  },
  'compose-references': {
    title:
      'Compose file reference: configs, secrets, networks and named volumes a service uses must be declared at the top level (`docker compose` refuses "undefined config/secret/network/volume")',
    url: 'https://docs.docker.com/reference/compose-file/configs/',
  },
  'serve-config-reset': {
    title:
      'containerboot main.go: with TS_SERVE_CONFIG, containerboot sets an empty serve config after login ("serve proxy: unsetting previous config") and then applies the file, re-applying it on every change',
    url: 'https://github.com/tailscale/tailscale/blob/v1.102.3/cmd/containerboot/main.go',
  },
  'tailscaled-state-default': {
    title:
      'tailscaled (paths_unix.go statePath): without --state/--statedir the state is /var/lib/tailscale/tailscaled.state; --state=mem: keeps it in memory (an ephemeral node)',
    url: 'https://github.com/tailscale/tailscale/blob/v1.102.3/paths/paths_unix.go',
  },
  'headscale-features': {
    title:
      'Headscale v0.29.2 docs/about/features.md: Serve and Funnel are not supported (unchecked); no HTTPS certificates (tailscale status CertDomains is null on the lab)',
    url: 'https://github.com/juanfont/headscale/blob/v0.29.2/docs/about/features.md',
  },
  'headscale-api': {
    title:
      'Headscale v0.29.2 proto/headscale/v1/headscale.proto + hscontrol/grpcv1.go: GET /api/v1/node (availableRoutes, approvedRoutes, subnetRoutes = primary routes), POST /api/v1/node/{id}/approve_routes {"routes"} replaces the approved set; Authorization: Bearer <API key>',
    url: 'https://github.com/juanfont/headscale/blob/v0.29.2/hscontrol/grpcv1.go',
  },
  'headscale-dns': {
    title:
      'Headscale v0.29.2 config-example.yaml dns.base_domain: MagicDNS names are <given name>.<base_domain>; it must differ from server_url’s domain',
    url: 'https://github.com/juanfont/headscale/blob/v0.29.2/config-example.yaml',
  },
  'headscale-tags': {
    title:
      'Headscale v0.29.2 hscontrol/state/state.go: a node registering with a pre-auth key gets its tags from the key (preauthkeys create --tags); --advertise-tags with a pre-auth key is rejected "are invalid or not permitted"',
    url: 'https://github.com/juanfont/headscale/blob/v0.29.2/hscontrol/state/state.go',
  },
  'headscale-policy': {
    title:
      'Headscale v0.29.2 hscontrol/policy/v2/types.go: autoApprovers.routes accept users (name@), groups and tags; a tag used there must be declared in tagOwners',
    url: 'https://github.com/juanfont/headscale/blob/v0.29.2/hscontrol/policy/v2/types.go',
  },
  'ts-api-routes': {
    title:
      'Tailscale API v2 (publicapi/device.md): GET /api/v2/device/{deviceID}/routes → {advertisedRoutes, enabledRoutes}; POST the same path {"routes"} replaces the enabled set; devices are listed by GET /api/v2/tailnet/{tailnet}/devices (nodeId, nodeKey)',
    url: 'https://github.com/tailscale/tailscale/blob/main/publicapi/device.md',
  },
  'ts-api-oauth': {
    title:
      'Tailscale KB 1215 OAuth clients: client credentials at POST https://api.tailscale.com/api/v2/oauth/token give a one-hour access token (Bearer); the scopes decide which endpoints it may call',
    url: 'https://tailscale.com/kb/1215/oauth-clients',
  },
  'containerboot-oauth': {
    title:
      'tailscale v1.102.3: containerboot passes TS_CLIENT_SECRET as `tailscale up --client-secret` (a "file:" value is read from that file); validate() refuses TS_AUTHKEY with TS_CLIENT_ID/SECRET; feature/oauthkey mints a key only with --advertise-tags, ephemeral unless the secret ends in ?ephemeral=false, always at api.tailscale.com',
    url: 'https://github.com/tailscale/tailscale/blob/v1.102.3/feature/oauthkey/oauthkey.go',
  },
  'controlclient-server-key': {
    title:
      'tailscale v1.102.3 control/controlclient/direct.go loadServerPubKeys: the control server’s public key is fetched with GET <login server>/key before the Noise channel starts',
    url: 'https://github.com/tailscale/tailscale/blob/v1.102.3/control/controlclient/direct.go',
  },
  'tailscale-socks5': {
    title:
      'tailscale v1.102.3 net/socks5/socks5.go handleTCP: every failed dial (refused, unreachable, timeout) is answered with reply 1 (general failure), so a refusal cannot be told from no route',
    url: 'https://github.com/tailscale/tailscale/blob/v1.102.3/net/socks5/socks5.go',
  },
  'tailscale-ping-tsmp': {
    title:
      'tailscale v1.102.3 cmd/tailscale/cli/ping.go: `tailscale ping --tsmp` sends a TSMP ping through WireGuard to the peer’s tailscaled (not either host OS stack) and prints "pong from …"',
    url: 'https://github.com/tailscale/tailscale/blob/v1.102.3/cmd/tailscale/cli/ping.go',
  },
} as const satisfies Record<string, Source>;

export type SourceId = keyof typeof SOURCES;

/** A statement with where it comes from: a source id, or a measurement made by tailbridge. */
export interface Fact {
  text: string;
  source: SourceId | 'measured';
}
