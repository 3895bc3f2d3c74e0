import { CONTROL_LABEL, controlServer, HEADSCALE_FEATURES, HEADSCALE_LACKS } from '../control/server.js';
import type { HomelabConfig } from '../model/config.js';
import type { Mode } from '../model/modes.js';
import { cidrsOverlap, isIPv6Cidr } from '../model/net.js';
import { compareVersions, type EnvironmentFacts } from './environment.js';
import type { Blocker } from './types.js';

const TRUENAS_MAC_PREFIX_SINCE = '25.04.1';

/** Environment findings per mode: "blocks" removes the mode from the attempt order, "warns" is a caveat. */
export function findBlockers(config: HomelabConfig, env: EnvironmentFacts): Blocker[] {
  const out: Blocker[] = [];
  const add = (mode: Mode, severity: Blocker['severity'], message: string, source: Blocker['source']) =>
    out.push({ mode, severity, message, source });
  const { lan, tailscale, requirements: req } = config;
  const parent = env.parentInterface ?? lan.parentInterface;
  const routes = tailscale.advertiseRoutes;
  const routing = routes.length > 0 || tailscale.exitNode || req.exitNode;
  const m = lan.macvlan;

  // ── macvlan (C) ────────────────────────────────────────────────────────────
  if (env.parentKind === 'wifi')
    add(
      'macvlan',
      'blocks',
      `parent ${parent} is Wi-Fi: the access point accepts one MAC per station, so macvlan children get no traffic (ipvlan L2 would)`,
      'docker-macvlan-wifi',
    );
  if (env.parentIsBridgePort)
    add(
      'macvlan',
      'blocks',
      `parent ${parent} is a port of bridge ${env.parentBridge ?? '(unknown)'}: macvlan fails with EBUSY; use ${env.parentBridge ?? 'the bridge'} as parent`,
      'macvlan-bridge-port',
    );
  if (env.freeLanAddress === false || !m) {
    add(
      'macvlan',
      'blocks',
      'no lan.macvlan: no free LAN address is reserved for the container (Docker IPAM does no conflict check)',
      'docker-ipam-static',
    );
  } else {
    if (env.macvlanAddressInSubnet === false)
      add(
        'macvlan',
        'blocks',
        `macvlan address ${m.address} is outside lan.subnet ${lan.subnet}`,
        'compose-ipv4-address',
      );
    if (env.macvlanRangeInSubnet === false)
      add(
        'macvlan',
        'blocks',
        `macvlan ip_range ${m.ipRange} is not inside lan.subnet ${lan.subnet}`,
        'compose-ipv4-address',
      );
    const dhcp = lan.dhcpRange ? `${lan.dhcpRange.start}–${lan.dhcpRange.end}` : 'the DHCP pool';
    if (env.macvlanAddressOutsideDhcp === false)
      add(
        'macvlan',
        'blocks',
        `macvlan address ${m.address} is inside the DHCP pool ${dhcp}: the router may lease it to another device`,
        'docker-ipam-static',
      );
    if (env.macvlanRangeOutsideDhcp === false)
      add(
        'macvlan',
        'blocks',
        `macvlan ip_range ${m.ipRange} overlaps the DHCP pool ${dhcp}: Docker and the router would hand out the same addresses`,
        'docker-ipam-static',
      );
    if (env.macvlanAddressUnused === false)
      add(
        'macvlan',
        'blocks',
        `macvlan address ${m.address} is already in use on the LAN (host, gateway, usedAddresses or seen on the wire)`,
        'docker-ipam-static',
      );
    if (env.shimAddressUnused === false)
      add(
        'macvlan',
        'blocks',
        `shim address ${m.shimAddress} collides with an address in use (host, gateway, container or usedAddresses)`,
        'docker-ipam-static',
      );
    else if (env.shimAddressOutsidePools === false)
      add(
        'macvlan',
        'warns',
        `shim address ${m.shimAddress} is inside the DHCP pool or the macvlan ip_range: list it in aux_addresses and reserve it`,
        'docker-ipam-static',
      );
    if (req.hostAccess)
      add(
        'macvlan',
        'warns',
        `the host (${config.host.address}) and the container cannot talk without the shim ${m.shimAddress}; it must be re-created at every boot`,
        'macvlan-shim',
      );
  }
  if (env.tunDevice === false) {
    add('macvlan', 'blocks', 'no /dev/net/tun on the host: kernel mode cannot create tailscale0', 'runc-tun');
    add('host', 'blocks', 'no /dev/net/tun on the host: kernel mode cannot create tailscale0', 'runc-tun');
  }
  if (env.virtualized) {
    if (env.vswitchAllowsExtraMacs === false)
      add(
        'macvlan',
        'blocks',
        'the hypervisor vSwitch drops frames for extra MACs: allow promiscuous mode / forged MACs first',
        'docker-macvlan',
      );
    else if (env.vswitchAllowsExtraMacs === undefined)
      add(
        'macvlan',
        'warns',
        'the host is a VM: its vSwitch must accept the container’s extra MAC (promiscuous / forged transmits), not checked',
        'docker-macvlan',
      );
  }
  if (config.host.platform === 'truenas') {
    const v = env.truenasVersion;
    if (v !== undefined && compareVersions(v, TRUENAS_MAC_PREFIX_SINCE) < 0)
      add(
        'macvlan',
        'warns',
        `TrueNAS ${v} resets hand-made interfaces unless named tailscale… (mac… only from ${TRUENAS_MAC_PREFIX_SINCE}): name the shim accordingly`,
        'truenas-interfaces',
      );
    if (parent.includes('.'))
      add(
        'macvlan',
        'warns',
        `parent ${parent} would be a Docker-created VLAN sub-interface, which TrueNAS interface.sync flushes: use a TrueNAS vlanN`,
        'truenas-interfaces',
      );
  }
  if (routing && env.hostIpForward === false)
    add(
      'macvlan',
      'warns',
      'host ip_forward=0 is inherited by the container: compose must set sysctls net.ipv4.ip_forward=1 or containerboot exits',
      'containerboot-forwarding',
    );
  if (routes.some(isIPv6Cidr) || tailscale.exitNode || req.exitNode)
    add(
      'macvlan',
      'warns',
      'IPv6 forwarding starts at 0 in a new namespace: compose must set net.ipv6.conf.all.forwarding=1',
      'kernel-netns-ipv6',
    );

  // ── host (D) ───────────────────────────────────────────────────────────────
  if (routing && env.hostIpForward === false)
    add(
      'host',
      'warns',
      'host ip_forward=0: set it on the host (System → Advanced → Sysctls); compose sysctls are refused with network_mode: host',
      'compose-sysctls',
    );
  if (
    routing &&
    env.hostIpv6Forward === false &&
    (routes.some(isIPv6Cidr) || tailscale.exitNode || req.exitNode)
  )
    add(
      'host',
      'warns',
      'host IPv6 forwarding is 0: IPv6 routes and exit-node traffic need it on the host',
      'compose-sysctls',
    );

  // ── kernel routers inside their own advertised subnet ─────────────────────
  if (tailscale.acceptRoutes && routes.some((r) => cidrsOverlap(r, lan.subnet)))
    for (const mode of ['macvlan', 'host'] as const)
      add(
        mode,
        'warns',
        `--accept-routes on a kernel-mode router inside ${lan.subnet}: a peer's route for the LAN wins over the local one (loop)`,
        'accept-routes-loop',
      );

  // ── advertised routes overlapping Docker networks (every mode) ─────────────
  for (const subnet of env.dockerNetworkSubnets ?? [])
    for (const r of routes)
      if (cidrsOverlap(r, subnet))
        for (const mode of ['userspace', 'serve', 'sidecar', 'host'] as const)
          add(
            mode,
            'warns',
            `advertised route ${r} overlaps Docker network ${subnet}: those addresses go to the Docker bridge, not the LAN`,
            'docker-address-pools',
          );

  // ── serve (B) ──────────────────────────────────────────────────────────────
  const control = controlServer(config);
  if (control.kind === 'headscale')
    add(
      'serve',
      'blocks',
      `the control server ${control.url} is ${CONTROL_LABEL.headscale}, which has no ${HEADSCALE_LACKS}: TS_SERVE_CONFIG's HTTPS handlers are never applied and tailnet clients cannot use serve (the sidecar mode does not use serve and stays available)`,
      HEADSCALE_FEATURES,
    );
  if (config.services.length === 0) {
    add('serve', 'blocks', 'no services listed: serve has nothing to proxy', 'serve-config');
    add(
      'sidecar',
      'blocks',
      'no services listed: no app to put into the tailscale namespace',
      'compose-network-mode',
    );
  } else {
    const tcp = config.services.filter((s) => s.protocol === 'tcp').map((s) => s.name);
    if (tcp.length > 0)
      add(
        'serve',
        'warns',
        `${tcp.join(', ')} ${tcp.length === 1 ? 'is' : 'are'} raw TCP: serve uses TCPForward (no HTTPS name, no UDP)`,
        'serve-config',
      );
    if (config.services.some((s) => s.protocol !== 'tcp'))
      add(
        'serve',
        'warns',
        'HTTPS handlers need HTTPS certificates enabled for the tailnet; without them containerboot skips the config',
        'ts-kb-1153',
      );
    const networks = new Set(config.services.map((s) => s.network));
    add(
      'sidecar',
      'warns',
      'restarting or recreating the tailscale container leaves the apps with a dead namespace until they restart',
      'compose-network-mode',
    );
    if (config.host.platform === 'truenas' && networks.size > 1)
      add(
        'sidecar',
        'warns',
        'apps in other TrueNAS apps (compose projects) need network_mode: container:<name>, service: only works in one project',
        'compose-network-mode',
      );
  }
  return out;
}
