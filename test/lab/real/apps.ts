/**
 * The homelab's apps (Jellyfin, Sonarr, Radarr stand-ins: busybox httpd answering GET / with the app
 * name) on their own Docker bridge networks, ports published on the NAS's LAN address, and the LAN
 * client's web server. Containers and networks are named tbr* and labelled tailbridge.reallab=1.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ensureBusyboxImage } from '../images.js';
import { startDaemon } from './daemon.js';
import { REALLAB_LABEL } from './image.js';
import { run, tryRun, waitFor } from './sh.js';
import { inNetns, NET, NETNS } from './topology.js';

export interface RealLabApp {
  name: string;
  container: string;
  network: string;
  port: number;
}

export const REAL_APPS: readonly RealLabApp[] = [
  { name: 'jellyfin', container: 'tbr-jellyfin', network: 'tbr_jellyfin_network', port: 8096 },
  { name: 'sonarr', container: 'tbr-sonarr', network: 'tbr_arr_network', port: 8989 },
  { name: 'radarr', container: 'tbr-radarr', network: 'tbr_arr_network', port: 7878 },
];

export function startApps(): void {
  const image = ensureBusyboxImage();
  for (const net of new Set(REAL_APPS.map((a) => a.network)))
    run('docker', ['network', 'create', '--label', REALLAB_LABEL, net]);
  for (const a of REAL_APPS)
    run('docker', [
      'run',
      '-d',
      '--name',
      a.container,
      '--label',
      REALLAB_LABEL,
      '--restart',
      'unless-stopped',
      '--network',
      a.network,
      '--network-alias',
      a.name,
      '-p',
      `${NET.nas}:${a.port}:${a.port}`,
      image,
      'sh',
      '-c',
      `echo ${a.name} > /www/index.html; exec httpd -f -p ${a.port} -h /www`,
    ]);
}

export async function waitAppsAnswer(): Promise<void> {
  for (const a of REAL_APPS)
    await waitFor(
      `${a.name} on ${NET.nas}:${a.port}`,
      () =>
        tryRun('busybox', ['wget', '-q', '-O', '-', `http://${NET.nas}:${a.port}/`], {
          timeoutMs: 3000,
        }).stdout.includes(a.name)
          ? true
          : undefined,
      20_000,
    );
}

export function lanClientPaths(labDir: string) {
  const dir = path.join(labDir, 'lanclient');
  return {
    dir,
    www: path.join(dir, 'www'),
    pid: path.join(dir, 'httpd.pid'),
    log: path.join(dir, 'httpd.log'),
  };
}

export async function startLanClient(labDir: string): Promise<void> {
  const p = lanClientPaths(labDir);
  mkdirSync(p.www, { recursive: true });
  writeFileSync(path.join(p.www, 'index.html'), 'lanclient\n');
  startDaemon({
    cmd: 'ip',
    args: [
      'netns',
      'exec',
      NETNS.lanClient,
      'busybox',
      'httpd',
      '-f',
      '-p',
      `${NET.lanClient}:${NET.lanClientPort}`,
      '-h',
      p.www,
    ],
    logFile: p.log,
    pidFile: p.pid,
  });
  await waitFor(
    'the LAN client web server',
    () =>
      inNetns(NETNS.lanClient, ['busybox', 'nc', '-w', '1', NET.lanClient, String(NET.lanClientPort)])
        .code === 0
        ? true
        : undefined,
    10_000,
  );
}
