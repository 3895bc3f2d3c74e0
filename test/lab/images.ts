import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  statSync,
  symlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

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

// ---------------------------------------------------------------------------------------------------
// The Tailscale test double image (see test/lab/double/README.md).

export const TAILSCALE_DOUBLE_IMAGE = 'tailbridge-test/tailscale-double:lab';
/** Label every lab-created Docker object carries (cleanupLab() removes by it). */
export const LAB_LABEL = 'tailbridge.lab=1';
const HASH_LABEL = 'tailbridge.lab.double-hash';
export const DOUBLE_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'double');
const DOUBLE_LIB = '/usr/local/lib/tailscale-double';

function imageLabel(ref: string, label: string): string | undefined {
  try {
    const out = execFileSync(
      'docker',
      ['image', 'inspect', '--format', `{{index .Config.Labels "${label}"}}`, ref],
      {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      },
    ).trim();
    return out && out !== '<no value>' ? out : undefined;
  } catch {
    return undefined;
  }
}

/** Shared objects the node binary needs (parsed from `ldd`), absolute paths. */
function nodeLibraries(node: string): string[] {
  const out = execFileSync('ldd', [node], { encoding: 'utf8' });
  const libs = new Set<string>();
  for (const line of out.split('\n')) {
    const m = /=>\s*(\/\S+)/.exec(line) ?? /^\s*(\/\S+)\s+\(/.exec(line);
    if (m?.[1]) libs.add(m[1]);
  }
  return [...libs];
}

function doubleSourceHash(node: string, busybox: string): string {
  const h = createHash('sha256');
  for (const f of readdirSync(DOUBLE_DIR).sort()) {
    if (!f.endsWith('.mjs')) continue;
    h.update(f);
    h.update(readFileSync(path.join(DOUBLE_DIR, f)));
  }
  const n = statSync(node);
  const b = statSync(busybox);
  h.update(`${node}:${n.size}:${n.mtimeMs};${busybox}:${b.size}:${b.mtimeMs};v2`);
  return h.digest('hex').slice(0, 16);
}

/**
 * Builds (or reuses) tailbridge-test/tailscale-double:lab: busybox + /usr/bin/node + its libraries + the
 * double's scripts. The image carries a content-hash label of the sources; a changed double is rebuilt.
 * Entrypoint /usr/local/bin/containerboot; also /usr/local/bin/tailscale, /usr/local/bin/lab-socks5-get
 * and a working /bin/wget (busybox wget segfaults here).
 */
export function ensureTailscaleDoubleImage(): string {
  const node = realpathSync('/usr/bin/node');
  const busybox = ['/bin/busybox', '/usr/bin/busybox'].find(existsSync);
  if (!busybox) throw new Error('busybox-static is not installed (apt-get install busybox-static)');
  const hash = doubleSourceHash(node, busybox);
  if (imageLabel(TAILSCALE_DOUBLE_IMAGE, HASH_LABEL) === hash) return TAILSCALE_DOUBLE_IMAGE;
  const root = mkdtempSync(path.join(tmpdir(), 'tblab-double-rootfs-'));
  try {
    for (const d of [
      'bin',
      'tmp',
      'etc',
      'www',
      'proc',
      'sys',
      'dev',
      'var/run/tailscale',
      'var/lib/tailscale',
      'tailnet',
      'usr/bin',
      'usr/local/bin',
      DOUBLE_LIB.slice(1),
    ])
      mkdirSync(path.join(root, d), { recursive: true });
    copyFileSync(busybox, path.join(root, 'bin/busybox'));
    for (const applet of APPLETS)
      if (applet !== 'wget') symlinkSync('busybox', path.join(root, 'bin', applet));
    copyFileSync(node, path.join(root, 'usr/bin/node'));
    for (const lib of nodeLibraries(node)) {
      const dest = path.join(root, lib);
      mkdirSync(path.dirname(dest), { recursive: true });
      copyFileSync(realpathSync(lib), dest);
    }
    for (const f of readdirSync(DOUBLE_DIR))
      if (f.endsWith('.mjs')) copyFileSync(path.join(DOUBLE_DIR, f), path.join(root, DOUBLE_LIB.slice(1), f));
    const links: [string, string][] = [
      ['usr/local/bin/containerboot', `${DOUBLE_LIB}/containerboot.mjs`],
      ['usr/local/bin/tailscale', `${DOUBLE_LIB}/tailscale.mjs`],
      ['usr/local/bin/lab-socks5-get', `${DOUBLE_LIB}/lab-socks5-get.mjs`],
      ['bin/wget', `${DOUBLE_LIB}/wget.mjs`],
    ];
    for (const [at, to] of links) symlinkSync(to, path.join(root, at));
    execFileSync('chmod', [
      '0755',
      ...readdirSync(path.join(root, DOUBLE_LIB.slice(1))).map((f) =>
        path.join(root, DOUBLE_LIB.slice(1), f),
      ),
    ]);
    execFileSync('sh', ['-c', 'printf "root:x:0:0:root:/root:/bin/sh\\n" > "$1/etc/passwd"', 'sh', root]);
    const changes = [
      'ENV PATH=/usr/local/bin:/usr/bin:/bin',
      'ENTRYPOINT ["/usr/local/bin/containerboot"]',
      `LABEL tailbridge.lab=1 ${HASH_LABEL}=${hash} org.opencontainers.image.title=tailscale-double org.opencontainers.image.description="TEST DOUBLE of tailscale/tailscale (not Tailscale)"`,
    ];
    execFileSync(
      'sh',
      [
        '-c',
        `tar -C "$1" -c . | docker import ${changes.map((c) => `-c '${c}'`).join(' ')} - ${TAILSCALE_DOUBLE_IMAGE}`,
        'sh',
        root,
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  return TAILSCALE_DOUBLE_IMAGE;
}
