import type { Fact } from '../facts/sources.js';
import type { HomelabConfig } from '../model/config.js';
import { cidrContains } from '../model/net.js';

/** The router's own address inside an advertised route + --accept-routes = LAN traffic into the tailnet. */
export function acceptRoutesLoopNote(config: HomelabConfig, routerAddress: string): Fact[] {
  const inside = config.tailscale.advertiseRoutes.filter((r) => cidrContains(r, routerAddress));
  if (inside.length === 0) return [];
  return [
    config.tailscale.acceptRoutes
      ? {
          text: `WARNING: --accept-routes is on and this router (${routerAddress}) is inside ${inside.join(', ')}. In kernel mode an accepted route for your own LAN beats the local one, so LAN traffic can loop into the tailnet. Turn acceptRoutes off unless another site’s routes are needed.`,
          source: 'accept-routes-loop',
        }
      : {
          text: `--accept-routes stays off: this router (${routerAddress}) is inside ${inside.join(', ')}, and in kernel mode an accepted route for your own LAN would beat the local one.`,
          source: 'accept-routes-loop',
        },
  ];
}
