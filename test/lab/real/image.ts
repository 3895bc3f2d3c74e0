/**
 * The tailscale/tailscale:v<version> image, assembled without a registry: `docker import` of a root
 * file system laid out like the official image (tailscale's Dockerfile.base + build_docker.sh):
 *   /usr/local/bin/{containerboot,tailscaled,tailscale}   the binaries built by gobuild.ts
 *   entrypoint /usr/local/bin/containerboot
 *   iptables/ip6tables → xtables-legacy-multi (legacy, as the official image since v1.94), with their
 *     libraries and extensions copied from this Debian host
 *   busybox (sh, wget, nc, ping, ip …) in place of Alpine's busybox; tailscaled programs routes over
 *     netlink (the `ip` command only under TS_DEBUG_USE_IP_COMMAND) and relays ICMP with `ping -c 1 -W 3`
 *   /etc/ssl/certs/ca-certificates.crt = the system bundle + the lab CA
 * One deliberate difference: ENV TS_NO_LOGS_NO_SUPPORT=true, so tailscaled never tries to reach
 * Tailscale's log servers from the offline lab (the image is labelled with it).
 * The image carries a hash of all inputs; it is rebuilt only when one changes.
 */
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
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { caBundle, type LabCa } from './ca.js';
import { run, tryRun } from './sh.js';
import { TAILSCALE_IMAGE, TAILSCALE_VERSION } from './versions.js';

/** Bump when the layout below changes (part of the input hash). */
const RECIPE = 'tbr-image-1';
export const IMAGE_HASH_LABEL = 'tailbridge.reallab.inputs';
export const REALLAB_LABEL = 'tailbridge.reallab=1';

const XTABLES_MULTI = '/usr/sbin/xtables-legacy-multi';
const XTABLES_EXT_DIR = '/usr/lib/x86_64-linux-gnu/xtables';
const XTABLES_LINKS = [
  'iptables',
  'iptables-save',
  'iptables-restore',
  'iptables-legacy',
  'iptables-legacy-save',
  'iptables-legacy-restore',
  'ip6tables',
  'ip6tables-save',
  'ip6tables-restore',
  'ip6tables-legacy',
  'ip6tables-legacy-save',
  'ip6tables-legacy-restore',
];
/** busybox applets left out: package managers and init, which would mislead tailscaled's probes. */
const SKIPPED_APPLETS = new Set(['dpkg', 'dpkg-deb', 'rpm', 'rpm2cpio', 'init', 'linuxrc', 'busybox']);
const DEBIAN_PACKAGES = ['iptables', 'libxtables12', 'libip4tc2', 'libip6tc2', 'libc6', 'busybox-static'];

export const IMAGE_CHANGES = [
  'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
  'ENV TS_NO_LOGS_NO_SUPPORT=true',
  'ENTRYPOINT ["/usr/local/bin/containerboot"]',
];

function busyboxPath(): string {
  const b = ['/bin/busybox', '/usr/bin/busybox'].find(existsSync);
  if (!b) throw new Error('busybox-static is not installed (apt-get install busybox-static)');
  return b;
}

function sha256File(h: ReturnType<typeof createHash>, file: string): void {
  h.update(`${file}\0`);
  h.update(readFileSync(file));
}

/** Hash of everything the image is made of. */
export function imageInputHash(binaries: Record<string, string>, ca: LabCa): string {
  const h = createHash('sha256');
  h.update(`${RECIPE}\0${IMAGE_CHANGES.join('\n')}\0`);
  for (const name of ['containerboot', 'tailscaled', 'tailscale']) sha256File(h, binaries[name]!);
  sha256File(h, busyboxPath());
  h.update(caBundle(ca));
  const pkgs = tryRun('dpkg-query', ['-W', '-f', '${Package}=${Version}\n', ...DEBIAN_PACKAGES]);
  if (pkgs.code === 0) h.update(pkgs.stdout);
  else sha256File(h, XTABLES_MULTI);
  return h.digest('hex').slice(0, 20);
}

export function imageLabel(ref: string, label: string): string | undefined {
  const r = tryRun('docker', ['image', 'inspect', '--format', `{{index .Config.Labels "${label}"}}`, ref]);
  const v = r.stdout.trim();
  return r.code === 0 && v && v !== '<no value>' ? v : undefined;
}

/** Shared objects a dynamically linked file needs (from ldd), absolute paths. */
function sharedLibraries(file: string): string[] {
  const r = tryRun('ldd', [file]);
  if (r.code !== 0) return [];
  const libs: string[] = [];
  for (const line of r.stdout.split('\n')) {
    const m = /=>\s*(\/\S+)/.exec(line) ?? /^\s*(\/\S+)\s+\(/.exec(line);
    if (m?.[1]) libs.push(m[1]);
  }
  return libs;
}

/** Copies `file` to the same path under root, with /lib and /lib64 folded into /usr (merged /usr). */
function copyInto(root: string, file: string): void {
  const target = file.startsWith('/usr/') ? file : `/usr${file}`;
  const dest = path.join(root, target);
  if (existsSync(dest)) return;
  mkdirSync(path.dirname(dest), { recursive: true });
  copyFileSync(realpathSync(file), dest);
}

function layoutBase(root: string): void {
  for (const d of [
    'usr/lib/x86_64-linux-gnu',
    'usr/lib64',
    'usr/bin',
    'usr/sbin',
    'usr/local/bin',
    'usr/local/sbin',
    'bin',
    'sbin',
    'etc/ssl/certs',
    'run',
    'var/lib',
    'var/log',
    'root',
    'proc',
    'sys',
    'dev',
  ])
    mkdirSync(path.join(root, d), { recursive: true });
  mkdirSync(path.join(root, 'tmp'), { mode: 0o1777 });
  run('chmod', ['1777', path.join(root, 'tmp')]);
  symlinkSync('usr/lib', path.join(root, 'lib'));
  symlinkSync('usr/lib64', path.join(root, 'lib64'));
  symlinkSync('../run', path.join(root, 'var/run'));
  writeFileSync(
    path.join(root, 'etc/passwd'),
    'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/sbin/nologin\n',
  );
  writeFileSync(path.join(root, 'etc/group'), 'root:x:0:\nnogroup:x:65534:\n');
}

function layoutBusybox(root: string): void {
  copyFileSync(busyboxPath(), path.join(root, 'bin/busybox'));
  const applets = run(busyboxPath(), ['--list']).split('\n').filter(Boolean);
  for (const a of applets) if (!SKIPPED_APPLETS.has(a)) symlinkSync('busybox', path.join(root, 'bin', a));
}

function layoutIptables(root: string): void {
  const files = [XTABLES_MULTI, ...readdirSync(XTABLES_EXT_DIR).map((f) => path.join(XTABLES_EXT_DIR, f))];
  const libs = new Set<string>();
  for (const f of files) for (const lib of sharedLibraries(f)) libs.add(lib);
  for (const f of [...files, ...libs]) copyInto(root, f);
  for (const link of XTABLES_LINKS) symlinkSync('xtables-legacy-multi', path.join(root, 'usr/sbin', link));
}

function layoutTailscale(root: string, binaries: Record<string, string>, ca: LabCa): void {
  for (const name of ['containerboot', 'tailscaled', 'tailscale'])
    copyFileSync(binaries[name]!, path.join(root, 'usr/local/bin', name));
  run('chmod', [
    '0755',
    ...['containerboot', 'tailscaled', 'tailscale'].map((n) => path.join(root, 'usr/local/bin', n)),
  ]);
  writeFileSync(path.join(root, 'etc/ssl/certs/ca-certificates.crt'), caBundle(ca));
  symlinkSync('certs/ca-certificates.crt', path.join(root, 'etc/ssl/cert.pem'));
}

export interface ImageResult {
  ref: string;
  hash: string;
  built: boolean;
}

/** Builds (or reuses) the image; `binaries` maps containerboot/tailscaled/tailscale to files. */
export function ensureTailscaleImage(binaries: Record<string, string>, ca: LabCa): ImageResult {
  const hash = imageInputHash(binaries, ca);
  if (imageLabel(TAILSCALE_IMAGE, IMAGE_HASH_LABEL) === hash)
    return { ref: TAILSCALE_IMAGE, hash, built: false };
  const root = mkdtempSync(path.join(tmpdir(), 'tbr-rootfs-'));
  try {
    layoutBase(root);
    layoutBusybox(root);
    layoutIptables(root);
    layoutTailscale(root, binaries, ca);
    const labels = [
      REALLAB_LABEL,
      `${IMAGE_HASH_LABEL}=${hash}`,
      `org.opencontainers.image.version=v${TAILSCALE_VERSION}`,
      'org.opencontainers.image.description="tailscale built from tailscale.com@v' +
        `${TAILSCALE_VERSION} by the tailbridge lab (not the official image; TS_NO_LOGS_NO_SUPPORT=true)"`,
    ];
    const changes = [...IMAGE_CHANGES, `LABEL ${labels.join(' ')}`];
    const args = changes.flatMap((c) => ['-c', c]);
    run(
      'sh',
      [
        '-c',
        'root=$1; shift; tar -C "$root" -c . | docker import "$@" >/dev/null',
        'sh',
        root,
        ...args,
        '-',
        TAILSCALE_IMAGE,
      ],
      { timeoutMs: 300_000 },
    );
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  return { ref: TAILSCALE_IMAGE, hash, built: true };
}
