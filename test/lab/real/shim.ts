/**
 * The host ↔ macvlan shim on the lab's LAN, made by hand the way `tailbridge shim apply` makes it (a
 * macvlan link on the parent with the shim address and a route to the macvlan range). Named tbr-* so
 * cleanup.ts removes it; not named ts-shim, so verify's evidence says "a shim, not named ts-shim".
 */
import { run, tryRun } from './sh.js';
import { NET } from './topology.js';

export const LAB_SHIM = 'tbr-shim0';

export function addShim(): void {
  removeShim();
  run('ip', ['link', 'add', LAB_SHIM, 'link', NET.lanBridge, 'type', 'macvlan', 'mode', 'bridge']);
  run('ip', ['addr', 'add', `${NET.shimAddress}/32`, 'dev', LAB_SHIM]);
  run('ip', ['link', 'set', LAB_SHIM, 'up']);
  run('ip', ['route', 'add', NET.macvlanRange, 'dev', LAB_SHIM]);
}

export function removeShim(): void {
  tryRun('ip', ['link', 'del', LAB_SHIM]);
}
