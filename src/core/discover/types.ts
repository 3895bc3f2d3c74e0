import type { NodeIdentity } from '../identity/node.js';
import type { ParentKind } from '../plan/environment.js';
import type { ContainerInfo, NetworkInfo } from '../ports/docker.js';

/** One entry of `ip -j -d addr show` (only the fields discover reads). */
export interface IpAddrEntry {
  ifname: string;
  /** Lower device (veth peer, macvlan/vlan parent). */
  link?: string;
  /** Bridge or bond this interface is enslaved to. */
  master?: string;
  flags?: string[];
  operstate?: string;
  address?: string;
  mtu?: number;
  link_type?: string;
  linkinfo?: { info_kind?: string; info_slave_kind?: string; info_data?: Record<string, unknown> };
  addr_info?: { family: string; local: string; prefixlen: number; scope?: string }[];
}

/** One entry of `ip -j route show`. */
export interface IpRouteEntry {
  dst: string;
  gateway?: string;
  dev?: string;
  prefsrc?: string;
  protocol?: string;
  scope?: string;
  metric?: number;
  flags?: string[];
}

/** One entry of `ip -j neigh show`. */
export interface IpNeighEntry {
  dst: string;
  dev?: string;
  lladdr?: string;
  state?: string[];
}

/** What /sys/class/net/<if> says about an interface. */
export interface SysNetFacts {
  /** `wireless/` or `phy80211` present. */
  wireless: boolean;
  /** `bridge/` present. */
  bridge: boolean;
  /** `bonding/` present. */
  bond: boolean;
  /** uevent DEVTYPE=vlan. */
  vlan: boolean;
  /** `device` link present (a real NIC, not a virtual one). */
  physical: boolean;
  /** Target of the `master` link (bridge or bond this interface is a port of). */
  master?: string;
}

/** Raw observations of the host, as the host-network adapter gathers them. */
export interface RawHostFacts {
  hostname: string;
  links: IpAddrEntry[];
  routes: IpRouteEntry[];
  neighbours: IpNeighEntry[];
  sys: Record<string, SysNetFacts>;
  platform: 'truenas' | 'linux';
  truenasVersion?: string;
  /** `/dev/net/tun` exists. */
  tunDevice?: boolean;
  ipForward?: boolean;
  ipv6Forward?: boolean;
  virtualized?: boolean;
}

export interface RawDockerFacts {
  engineVersion?: string;
  networks: NetworkInfo[];
  containers: ContainerInfo[];
  composeFlavor?: 'v1' | 'v2';
  /** Read inside each running tailscale container (by name): `tailscale status --json`, `tailscale debug prefs`. */
  tailscaleRuntime?: Record<string, { status?: string; prefs?: string }>;
  /** Text of the compose files the tailscale containers came from (absolute path → text). */
  composeTexts?: Record<string, string>;
  /** Variable NAMES (never values) of the env files those services use; null = unreadable. */
  envFileNames?: Record<string, string[] | null>;
}

/** What the user already knows (from tailbridge.yaml) and the host cannot tell. */
export interface KnownLanFacts {
  dhcpRange?: { start: string; end: string };
  usedAddresses?: string[];
}

export interface RawFacts {
  host: RawHostFacts;
  docker?: RawDockerFacts;
  /** One line: why Docker facts are missing. */
  dockerError?: string;
  known?: KnownLanFacts;
}

export type InterfaceKind =
  | ParentKind
  | 'loopback'
  | 'macvlan'
  | 'ipvlan'
  | 'veth'
  | 'tun'
  | 'wireguard'
  | 'dummy'
  | 'other';

export interface HostInterface {
  name: string;
  kind: InterfaceKind;
  up: boolean;
  mac?: string;
  mtu?: number;
  /** CIDR notation, e.g. 192.168.20.22/24. */
  ipv4: string[];
  ipv6: string[];
  /** Bridge/bond it is enslaved to. */
  master?: string;
  /** Kind of its master (bridge, bond). */
  masterKind?: string;
  /** Lower device (macvlan/vlan parent, veth peer). */
  lower?: string;
  /** docker0, br-<id> and veth ports Docker manages. */
  dockerManaged: boolean;
}

export interface ParentCandidate {
  name: string;
  kind: InterfaceKind;
  usable: boolean;
  /** The parent discover suggests (carries the LAN, or the bridge/bond the LAN NIC belongs to). */
  recommended: boolean;
  carriesLan: boolean;
  reason: string;
  /** For a bridge or bond port: the master to use instead. */
  useInstead?: string;
  ipv4: string[];
}

export interface DockerNetworkSummary {
  name: string;
  id: string;
  driver: string;
  subnets: string[];
  gateways: string[];
  ipRanges: string[];
  parent?: string;
  /** The macvlan/ipvlan parent exists on this host. */
  parentExists?: boolean;
  composeProject?: string;
  containers: { name: string; ipv4?: string }[];
}

export interface ComposeLabels {
  project: string;
  service?: string;
  workingDir?: string;
  /** Absolute paths (config_files resolved against working_dir). */
  configFiles: string[];
}

export interface ContainerSummary {
  name: string;
  image: string;
  state: string;
  networkMode: string;
  compose?: ComposeLabels;
  publishedPorts: { container: string; hostIp?: string; hostPort?: string }[];
  networks: { name: string; driver?: string; ipv4?: string }[];
}

export type TailscaleMode = 'host' | 'macvlan' | 'kernel' | 'userspace';

export interface EnvFileFacts {
  path: string;
  /** Variable names, when the file could be read. */
  names?: string[];
  /** Defines TS_AUTHKEY / TS_AUTH_KEY (or an OAuth client secret): where the login key lives. */
  holdsAuth: boolean;
}

export interface TailscaleContainer {
  name: string;
  image: string;
  state: string;
  mode: TailscaleMode;
  /** containerboot's TS_USERSPACE after Go ParseBool (unset/invalid → true). */
  userspace: boolean;
  /** The raw TS_USERSPACE value when it was not a valid boolean. */
  invalidUserspace?: string;
  networkMode: string;
  /** Why it was recognised: `image` and/or `TS_* env`. */
  matchedBy: string[];
  compose?: ComposeLabels;
  /** The compose file it came from (first of config_files). */
  composeFile?: string;
  /** Host side of the state directory mount. */
  stateDir?: { source: string; destination: string; type: string };
  hostname?: string;
  routes?: string[];
  /** The node as it runs (prefs, tailscale status, container settings): what a new config must keep. */
  identity: NodeIdentity;
  /** env_file entries of its compose service, with the variable names each defines. */
  envFiles: EnvFileFacts[];
  /** Host file of the compose secret TS_AUTHKEY is read from. */
  authSecretFile?: string;
  /** The compose file writes the auth key literally (it is never copied). */
  inlineAuthKey?: boolean;
  /** A state mount at /var/lib/tailscale that is unused because TS_STATE_DIR is unset. */
  unusedStateMount?: string;
  /** LAN address when on a macvlan network. */
  macvlanAddress?: string;
  macvlanNetwork?: string;
  networks: { name: string; driver?: string; ipv4?: string }[];
}

export interface UsedAddress {
  address: string;
  subnet: string;
  by: string;
  /** Who holds it, when known: a host interface (with its kind) or a container. */
  holder?: {
    kind: 'host-interface' | 'container' | 'neighbour';
    name: string;
    interfaceKind?: InterfaceKind;
  };
}

export interface MacvlanSuggestion {
  subnet: string;
  address: string;
  ipRange: string;
  shimAddress: string;
  /** Whether the DHCP pool was known (from tailbridge.yaml); otherwise it must be checked by hand. */
  dhcpKnown: boolean;
  note: string;
}

export interface Discovery {
  host: {
    name: string;
    platform: 'truenas' | 'linux';
    truenasVersion?: string;
    /** The host's address on the LAN. */
    address?: string;
    tunDevice?: boolean;
    ipForward?: boolean;
    ipv6Forward?: boolean;
    virtualized?: boolean;
  };
  interfaces: HostInterface[];
  lan?: {
    interface: string;
    subnet: string;
    /** The LAN router, when the routing table shows one on this subnet. */
    gateway?: string;
    hostAddress: string;
    /** How the LAN was found: the interface holding the advertised routes, or the default route's. */
    source: 'advertised-route' | 'default-route';
    /** The routes of the tailscale container that this interface holds. */
    routes?: string[];
  };
  gateway?: string;
  defaultInterface?: string;
  parents: ParentCandidate[];
  docker: {
    reachable: boolean;
    error?: string;
    engineVersion?: string;
    composeFlavor?: 'v1' | 'v2';
    networks: DockerNetworkSummary[];
    containers: ContainerSummary[];
  };
  tailscale: TailscaleContainer[];
  usedAddresses: UsedAddress[];
  dhcpRange?: { start: string; end: string };
  suggestion?: MacvlanSuggestion;
}
