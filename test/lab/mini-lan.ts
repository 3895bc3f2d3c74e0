/**
 * A small stand-alone macvlan fixture for tests that do not need the whole lab: a Linux bridge
 * (the "LAN", host address .10), a LAN host in a network namespace (.20, so the bridge has carrier),
 * a Docker macvlan network on the bridge, and a busybox container on it at a fixed address.
 */
import { execFileSync } from 'node:child_process';
import { ensureBusyboxImage } from './images.js';

export const sh = (cmd: string, args: string[]): string =>
  execFileSync(cmd, args, { stdio: 'pipe', timeout: 120_000 }).toString();

/** Runs a command whose failure means "already gone". */
export const quiet = (cmd: string, args: string[]): void => {
  try {
    sh(cmd, args);
  } catch {
    /* already gone */
  }
};

export interface MiniLan {
  bridge: string;
  ns: string;
  network: string;
  container: string;
  /** First three octets, e.g. `198.19.1`: the LAN is `<prefix>.0/24`, gateway `.1`, host `.10`. */
  prefix: string;
  ipRange: string;
  address: string;
}

export function startMiniLan(lan: MiniLan): void {
  const image = ensureBusyboxImage();
  stopMiniLan(lan);
  const { bridge: br, ns, prefix } = lan;
  sh('ip', ['link', 'add', br, 'type', 'bridge']);
  sh('ip', ['addr', 'add', `${prefix}.10/24`, 'dev', br]);
  sh('ip', ['link', 'set', br, 'up']);
  sh('ip', ['netns', 'add', ns]);
  sh('ip', ['link', 'add', `${br}p`, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns]);
  sh('ip', ['link', 'set', `${br}p`, 'master', br]);
  sh('ip', ['link', 'set', `${br}p`, 'up']);
  sh('ip', ['-n', ns, 'addr', 'add', `${prefix}.20/24`, 'dev', 'eth0']);
  sh('ip', ['-n', ns, 'link', 'set', 'eth0', 'up']);
  sh('docker', [
    'network',
    'create',
    '-d',
    'macvlan',
    '-o',
    `parent=${br}`,
    '--subnet',
    `${prefix}.0/24`,
    '--gateway',
    `${prefix}.1`,
    '--ip-range',
    lan.ipRange,
    lan.network,
  ]);
  sh('docker', [
    'run',
    '-d',
    '--name',
    lan.container,
    '--network',
    lan.network,
    '--ip',
    lan.address,
    image,
    'sleep',
    '3600',
  ]);
}

export function stopMiniLan(lan: MiniLan): void {
  quiet('docker', ['rm', '-f', lan.container]);
  quiet('docker', ['network', 'rm', lan.network]);
  quiet('ip', ['link', 'del', `${lan.bridge}p`]);
  quiet('ip', ['link', 'del', lan.bridge]);
  quiet('ip', ['netns', 'del', lan.ns]);
}
