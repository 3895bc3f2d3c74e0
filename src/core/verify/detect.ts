import type { Mode } from '../model/modes.js';
import type { ContainerInfo, NetworkInfo } from '../ports/docker.js';

/** The mode a running tailscale container is in, from its network placement and TS_* settings. */
export function detectMode(
  c: ContainerInfo,
  networks: readonly NetworkInfo[],
): { mode?: Mode; reason: string } {
  if (c.networkMode === 'host') return { mode: 'host', reason: 'network mode host' };
  if (c.networkMode.startsWith('container:') || c.networkMode.startsWith('service:'))
    return { reason: `network mode ${c.networkMode}: an app container, not the tailscale container` };
  const macvlan = Object.keys(c.networks).find((n) => {
    const d = networks.find((x) => x.name === n)?.driver;
    return d === 'macvlan' || d === 'ipvlan';
  });
  if (macvlan) return { mode: 'macvlan', reason: `on the macvlan network ${macvlan}` };
  if (c.tsSettings.TS_SERVE_CONFIG) return { mode: 'serve', reason: 'TS_SERVE_CONFIG is set' };
  const userspace = c.tsSettings.TS_USERSPACE;
  if (
    userspace === 'false' ||
    userspace === '0' ||
    userspace === 'f' ||
    userspace === 'F' ||
    userspace === 'FALSE' ||
    userspace === 'False'
  )
    return {
      reason: `TS_USERSPACE=${userspace} on bridge networks matches no tailbridge mode (kernel mode belongs on macvlan or host)`,
    };
  return { mode: 'userspace', reason: 'bridge networks, TS_USERSPACE unset or true' };
}
