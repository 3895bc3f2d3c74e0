import type { HomelabConfig } from '../model/config.js';
import type { Mode } from '../model/modes.js';
import type { Cell, CellValue, MatrixRow, Priority, RowId, SeedValue } from './types.js';

const yes = (reason: string, source: Cell['source']): Cell => ({ value: 'yes', reason, source });
const no = (reason: string, source: Cell['source']): Cell => ({ value: 'no', reason, source });
const partial = (reason: string, source: Cell['source']): Cell => ({ value: 'partial', reason, source });

interface RowSpec {
  id: RowId;
  label: string;
  inSeed: boolean;
  seed?: Partial<Record<Mode, SeedValue>>;
  cells: (config: HomelabConfig) => Record<Mode, Cell>;
}

/** The seed note's decision matrix (userspace / macvlan / host columns), ❓ kept as "unknown". */
const seed = (userspace: SeedValue, macvlan: SeedValue, host: SeedValue) => ({ userspace, macvlan, host });

const ROWS: RowSpec[] = [
  {
    id: 'noHostMode',
    label: 'No host mode',
    inSeed: true,
    seed: seed('yes', 'yes', 'no'),
    cells: () => ({
      userspace: yes(
        'tailscaled runs with --tun=userspace-networking in its own bridge-network namespace',
        'containerboot-env',
      ),
      serve: yes(
        'userspace tailscaled in bridge networks, proxying to apps via TS_SERVE_CONFIG',
        'serve-config',
      ),
      macvlan: yes('own namespace on a macvlan network with its own LAN address', 'docker-macvlan'),
      host: no(
        'network_mode: host shares the host namespace — the thing this tool removes',
        'docker-host-network',
      ),
      sidecar: yes(
        'apps join the tailscale container’s namespace, which itself sits on a bridge network',
        'compose-network-mode',
      ),
    }),
  },
  {
    id: 'subnetRouting',
    label: 'Subnet routing',
    inSeed: true,
    seed: seed('unknown', 'yes', 'yes'),
    cells: () => ({
      userspace: yes(
        'netstack relays TCP/UDP and ICMP echo to advertised routes; other IP protocols are not routed',
        'ts-kb-1177',
      ),
      serve: yes(
        'same userspace netstack as A, so TS_ROUTES works next to the serve handlers (TCP/UDP/ICMP echo only)',
        'ts-kb-1177',
      ),
      macvlan: yes(
        'kernel TUN router forwards all IP protocols; needs NET_ADMIN, /dev/net/tun and forwarding sysctls',
        'ts-kb-1177',
      ),
      host: yes(
        'kernel TUN router in the host namespace forwards all IP protocols; ip_forward is set on the host',
        'ts-kb-1177',
      ),
      sidecar: yes(
        'the (userspace) tailscale container can still advertise routes: TCP/UDP/ICMP echo relayed',
        'ts-kb-1177',
      ),
    }),
  },
  {
    id: 'dockerNetworking',
    label: 'Docker networking / service discovery',
    inSeed: true,
    seed: seed('yes', 'partial', 'no'),
    cells: () => ({
      userspace: yes(
        'joins each app’s user-defined bridge network; container names resolve via Docker DNS',
        'docker-bridge-dns',
      ),
      serve: yes(
        'joins the app networks; serve backends such as http://jellyfin:8096 resolve via Docker DNS',
        'docker-bridge-dns',
      ),
      macvlan: partial(
        'may also join app bridge networks for Docker DNS, but then has two interfaces and the default route must stay on the macvlan',
        'docker-bridge-dns',
      ),
      host: no(
        'the host namespace has no Docker DNS; apps are reachable only at published ports or bridge IPs',
        'docker-host-network',
      ),
      sidecar: partial(
        'apps in the shared namespace talk over 127.0.0.1; an app with network_mode cannot declare its own networks:',
        'compose-network-mode',
      ),
    }),
  },
  {
    id: 'simpleSetup',
    label: 'Simple setup',
    inSeed: true,
    seed: seed('yes', 'no', 'yes'),
    cells: () => ({
      userspace: yes(
        'drop network_mode: host, NET_ADMIN and /dev/net/tun, join the app networks; no host changes',
        'containerboot-env',
      ),
      serve: partial(
        'one handler per service in TS_SERVE_CONFIG; a second handler on the same port+path replaces the first',
        'serve-config',
      ),
      macvlan: no(
        'needs a reserved LAN address outside DHCP, the right parent, /dev/net/tun, NET_ADMIN, sysctls and a host shim',
        'docker-macvlan',
      ),
      host: yes(
        'the current setup; only the host’s ip_forward sysctl lives outside compose',
        'compose-sysctls',
      ),
      sidecar: partial(
        'each app switches to network_mode: service:, its ports move to the tailscale service',
        'compose-network-mode',
      ),
    }),
  },
  {
    id: 'performance',
    label: 'Performance',
    inSeed: true,
    seed: seed('no', 'yes', 'yes'),
    cells: () => ({
      userspace: partial(
        'netstack terminates and re-dials every flow (more CPU per byte); no measured % penalty exists',
        'ts-perf-netstack',
      ),
      serve: partial(
        'netstack re-termination as in A plus a reverse-proxy hop per HTTP request; unmeasured',
        'ts-perf-netstack',
      ),
      macvlan: yes(
        'kernel forwarding via TUN, flows are not re-terminated; not measured against host mode',
        'ts-perf-netstack',
      ),
      host: yes(
        'kernel forwarding via TUN in the host namespace, flows are not re-terminated',
        'ts-perf-netstack',
      ),
      sidecar: partial(
        'inbound flows are terminated in netstack and re-dialed to 127.0.0.1 (userspace default)',
        'ts-perf-netstack',
      ),
    }),
  },
  {
    id: 'security',
    label: 'Security / isolation',
    inSeed: true,
    seed: seed('yes', 'partial', 'no'),
    cells: () => ({
      userspace: yes(
        'no NET_ADMIN, no TUN device, own namespace; reaches only the networks it joins and the advertised routes',
        'containerboot-env',
      ),
      serve: yes(
        'no NET_ADMIN; without TS_ROUTES the tailnet sees only the configured serve ports',
        'serve-config',
      ),
      macvlan: partial(
        'own namespace, but NET_ADMIN + /dev/net/tun and sits directly on the LAN; Docker adds no firewall rules',
        'docker-macvlan',
      ),
      host: no(
        'shares the host namespace; tailscaled edits the host’s routes and iptables with NET_ADMIN',
        'docker-host-network',
      ),
      sidecar: partial(
        'apps share tailscaled’s namespace and every port they listen on is reachable from the tailnet',
        'compose-network-mode',
      ),
    }),
  },
  {
    id: 'reachAtTailscaleIp',
    label: 'Service at <tailscale-ip>:<port>',
    inSeed: false,
    cells: (config) => {
      const unpublished = config.services.filter((s) => !s.publishedOnHost).map((s) => s.name);
      return {
        userspace: no(
          'netstack dials 127.0.0.1:<port> inside the tailscale container, where no app listens',
          'netstack-loopback',
        ),
        serve: yes(
          'TCPForward per port reaches the app at the raw 100.x IP; HTTP(S) handlers match the MagicDNS name instead',
          'serve-config',
        ),
        macvlan: partial(
          'inbound lands on tailscale0 in the container; only TS_DEST_IP DNATs it, to a single address',
          'containerboot-env',
        ),
        host:
          unpublished.length === 0
            ? yes(
                'the tailscale IP is the host’s, so ports published with ports: answer there',
                'docker-host-network',
              )
            : partial(
                `only ports published on the host answer; not published: ${unpublished.join(', ')}`,
                'docker-host-network',
              ),
        sidecar: yes(
          'the app listens in the shared namespace, so netstack’s 127.0.0.1:<port> dial reaches it',
          'netstack-loopback',
        ),
      };
    },
  },
  {
    id: 'nonHttp',
    label: 'Non-HTTP services',
    inSeed: false,
    cells: () => ({
      userspace: yes(
        'TCP and UDP to LAN or published addresses via subnet routes; no IP protocols beyond TCP/UDP/ICMP echo',
        'ts-kb-1177',
      ),
      serve: partial('raw TCP via TCPForward (serve --tcp); UDP services cannot be served', 'serve-config'),
      macvlan: yes('kernel routing carries every IP protocol to LAN addresses', 'ts-kb-1177'),
      host: yes('kernel routing carries every IP protocol; host ports are local', 'ts-kb-1177'),
      sidecar: yes(
        'TCP and UDP to the tailscale IP are re-dialed to 127.0.0.1:<port> where the app listens',
        'netstack-loopback',
      ),
    }),
  },
  {
    id: 'hostAccess',
    label: 'Host ↔ container (tailnet → host LAN IP)',
    inSeed: false,
    cells: (config) => ({
      userspace: yes(
        `netstack re-dials from the bridge namespace, which reaches the host at ${config.host.address}`,
        'ts-kb-1177',
      ),
      serve: yes(
        'serve targets and routed flows are dialed from the bridge namespace, which reaches the host',
        'serve-config',
      ),
      macvlan: partial(
        config.lan.macvlan
          ? `the kernel filters macvlan ↔ parent traffic; works only with the host shim ${config.lan.macvlan.shimAddress}`
          : 'the kernel filters macvlan ↔ parent traffic; works only with a host macvlan shim',
        'macvlan-shim',
      ),
      host: yes('the container is the host: its own LAN IP is local', 'docker-host-network'),
      sidecar: yes(
        'the tailscale namespace is on a bridge network and reaches the host like A',
        'ts-kb-1177',
      ),
    }),
  },
  {
    id: 'hostToTailnet',
    label: 'Host → tailnet (host processes dial peers)',
    inSeed: false,
    cells: () => ({
      userspace: no(
        'the host gets no tailscale0 or routes; only proxy-aware programs via TS_SOCKS5_SERVER',
        'netstack-proxy',
      ),
      serve: no(
        'as A: no tailnet route on the host, only a SOCKS5/HTTP proxy if published',
        'netstack-proxy',
      ),
      macvlan: no(
        'tailscale0 and its routes live in the container namespace; the host has no tailnet route',
        'docker-macvlan',
      ),
      host: yes('tailscale0 and the tailnet routes are in the host namespace', 'docker-host-network'),
      sidecar: no(
        'only the apps inside the shared namespace (via proxy) see the tailnet, not the host',
        'netstack-proxy',
      ),
    }),
  },
  {
    id: 'exitNode',
    label: 'Exit node',
    inSeed: false,
    cells: () => ({
      userspace: yes('advertising an exit node works in userspace (TCP/UDP/ICMP echo relayed)', 'ts-kb-1177'),
      serve: yes(
        'same userspace netstack as A; exit-node traffic is relayed like subnet traffic',
        'ts-kb-1177',
      ),
      macvlan: yes(
        'kernel exit node; needs forwarding sysctls (IPv6 starts at 0 in a new namespace)',
        'ts-kb-1177',
      ),
      host: yes('kernel exit node; forwarding sysctls must be set on the host', 'ts-kb-1177'),
      sidecar: yes('the tailscale container relays exit traffic like A', 'ts-kb-1177'),
    }),
  },
  {
    id: 'statePersistence',
    label: 'State persistence',
    inSeed: false,
    cells: (config) => {
      const r = `TS_STATE_DIR + a volume at ${config.tailscale.stateDir} keep the node identity (unset = ephemeral node)`;
      return {
        userspace: yes(r, 'containerboot-state'),
        serve: yes(
          'node state via TS_STATE_DIR; TS_SERVE_CONFIG is re-applied at every boot (CLI-made serve config is wiped)',
          'serve-config',
        ),
        macvlan: yes(r, 'containerboot-state'),
        host: yes(r, 'containerboot-state'),
        sidecar: yes(`${r}; apps keep no network state`, 'containerboot-state'),
      };
    },
  },
];

const QUALITY_WEIGHTS: Record<Priority, Partial<Record<RowId, number>>> = {
  balanced: { noHostMode: 3, simpleSetup: 2, performance: 2, security: 2 },
  isolation: { noHostMode: 3, simpleSetup: 1, performance: 1, security: 6 },
  performance: { noHostMode: 2, simpleSetup: 1, performance: 10, security: 1 },
};

/** Weight of a required capability row; unrequired capability rows weigh 0. */
export const REQUIRED_WEIGHT = 2;

/** Which capability rows this homelab requires. Quality rows (no host mode, simple, …) are never required. */
export function requiredRows(config: HomelabConfig): Set<RowId> {
  const r = config.requirements;
  const out = new Set<RowId>(['statePersistence']);
  if (r.subnetRouting) out.add('subnetRouting');
  if (r.dockerServiceDiscovery) out.add('dockerNetworking');
  if (r.reachAtTailscaleIp) out.add('reachAtTailscaleIp');
  if (r.nonHttpServices || config.services.some((s) => s.protocol === 'tcp')) out.add('nonHttp');
  if (r.hostAccess) out.add('hostAccess');
  if (r.hostToTailnet) out.add('hostToTailnet');
  if (r.exitNode || config.tailscale.exitNode) out.add('exitNode');
  return out;
}

/** The decision matrix for this config: every row × mode has a value, a reason and a source. */
export function buildMatrix(config: HomelabConfig): MatrixRow[] {
  const required = requiredRows(config);
  const quality = QUALITY_WEIGHTS[config.requirements.priority];
  return ROWS.map((spec) => {
    const isRequired = required.has(spec.id);
    const row: MatrixRow = {
      id: spec.id,
      label: spec.label,
      inSeed: spec.inSeed,
      required: isRequired,
      weight: quality[spec.id] ?? (isRequired ? REQUIRED_WEIGHT : 0),
      cells: spec.cells(config),
    };
    if (spec.seed) row.seed = spec.seed;
    return row;
  });
}

export const CELL_SCORE: Record<CellValue, number> = { yes: 1, partial: 0.5, no: 0 };
