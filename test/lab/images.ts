import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const BUSYBOX_IMAGE = 'tailbridge-test/busybox:lab';

const APPLETS = [
  'sh',
  'ls',
  'cat',
  'echo',
  'sleep',
  'nc',
  'httpd',
  'ip',
  'nslookup',
  'mkdir',
  'test',
  'true',
  'false',
  'printf',
  'env',
  'grep',
  'sed',
  'wget',
  'kill',
  'ps',
  'id',
  'hostname',
  'date',
  'rm',
  'cp',
  'mknod',
  'chmod',
  'touch',
  'tail',
  'head',
  'wc',
  'tr',
  'cut',
  'sysctl',
  'ping',
];

function imageExists(ref: string): boolean {
  try {
    execFileSync('docker', ['image', 'inspect', ref], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** A busybox image built locally (`docker import` of a busybox-static rootfs); no registry needed. */
export function ensureBusyboxImage(): string {
  if (imageExists(BUSYBOX_IMAGE)) return BUSYBOX_IMAGE;
  const busybox = ['/bin/busybox', '/usr/bin/busybox'].find(existsSync);
  if (!busybox) throw new Error('busybox-static is not installed (apt-get install busybox-static)');
  const root = mkdtempSync(path.join(tmpdir(), 'tailbridge-rootfs-'));
  try {
    for (const d of ['bin', 'tmp', 'etc', 'www', 'proc', 'sys', 'dev']) mkdirSync(path.join(root, d));
    copyFileSync(busybox, path.join(root, 'bin/busybox'));
    for (const applet of APPLETS) symlinkSync('busybox', path.join(root, 'bin', applet));
    execFileSync(
      'sh',
      ['-c', `tar -C "${root}" -c . | docker import -c 'ENV PATH=/bin' -c 'CMD ["sh"]' - ${BUSYBOX_IMAGE}`],
      {
        stdio: 'ignore',
      },
    );
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  return BUSYBOX_IMAGE;
}
