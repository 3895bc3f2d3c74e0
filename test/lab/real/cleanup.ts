/**
 * Removes everything the real lab creates, whatever state a crash left, by name and label only:
 * containers and networks named tbr* or labelled tailbridge.reallab=1 (and the stack's compose
 * project), processes in tbr-* namespaces and in the lab dir's pid files, the namespaces, links named
 * tbr*, the DOCKER-USER rules, /etc/netns/tbr-*, and the kernel-mode leftovers of a tailscaled that
 * ran in the host namespace (tailscale0, ip rules 52xx, table 52, ts-* chains) when no tailscaled
 * runs there any more. The old lab's tblab* objects never match these names.
 */

import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { netnsOf, stopPid } from './daemon.js';
import { REALLAB_LABEL } from './image.js';
import { ok, tryRun } from './sh.js';
import { removeDockerUserRules } from './topology.js';

const OURS = /^tbr[-_]/;

function lines(r: { code: number; stdout: string }): string[] {
  return r.code === 0
    ? r.stdout
        .split('\n')
        .map((l) => l.trim())
        .filter(Boolean)
    : [];
}

interface LabContainer {
  id: string;
  image: string;
}

function labContainerList(composeProject?: string): LabContainer[] {
  const found = new Map<string, LabContainer>();
  const format =
    '{{.ID}} {{.Image}} {{.Names}} {{.Label "com.docker.compose.project"}} {{.Label "tailbridge.reallab"}}';
  for (const l of lines(tryRun('docker', ['ps', '-a', '--format', format]))) {
    const [id, image = '', name = '', project = '', label = ''] = l.split(' ');
    if (!id) continue;
    if (OURS.test(name) || label === '1' || (composeProject && project === composeProject))
      found.set(id, { id, image });
  }
  return [...found.values()];
}

export function labContainers(composeProject?: string): string[] {
  return labContainerList(composeProject).map((c) => c.id);
}

export function labNetworks(): string[] {
  const nets = new Set<string>();
  for (const l of lines(
    tryRun('docker', ['network', 'ls', '--format', '{{.ID}} {{.Name}} {{.Label "tailbridge.reallab"}}']),
  )) {
    const [id, name = '', label = ''] = l.split(' ');
    if (id && (OURS.test(name) || label === '1')) nets.add(id);
  }
  return [...nets];
}

export function labNamespaces(): string[] {
  return lines(tryRun('ip', ['netns', 'list']))
    .map((l) => l.split(' ')[0] ?? '')
    .filter((n) => /^tbr-/.test(n));
}

export function labLinks(): string[] {
  return lines(tryRun('ip', ['-o', 'link', 'show']))
    .map((l) => /^\d+:\s+([^:@\s]+)/.exec(l)?.[1] ?? '')
    .filter((n) => /^tbr/.test(n));
}

function killNamespaceProcesses(ns: string): void {
  for (const pid of lines(tryRun('ip', ['netns', 'pids', ns])))
    try {
      process.kill(Number(pid), 'SIGKILL');
    } catch {}
}

/** Processes named `comm` living in this process's network namespace. */
function processesInHostNetns(comm: string): number[] {
  const self = netnsOf('self');
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() !== comm) continue;
    } catch {
      continue;
    }
    if (netnsOf(Number(entry)) === self) found.push(Number(entry));
  }
  return found;
}

const IPTABLES = ['iptables-legacy', 'ip6tables-legacy', 'iptables-nft', 'ip6tables-nft'];
const TABLES = ['filter', 'nat', 'mangle'];
/** tailscaled's rules in built-in chains: jumps to its ts-* chains, and CONNMARK/MARK on its 0xff0000 mask. */
const TS_RULE = /-j ts-|\/0xff0000\b/;

function tailscaledRules(bin: string, table: string): string[] {
  return lines(tryRun(bin, ['-t', table, '-S'])).filter((l) => l.startsWith('-A ') && TS_RULE.test(l));
}

function tailscaledChains(bin: string, table: string): string[] {
  return lines(tryRun(bin, ['-t', table, '-S']))
    .filter((l) => /^-N ts-/.test(l))
    .map((l) => l.slice(3));
}

function hasTsFirewall(): boolean {
  return IPTABLES.some((bin) =>
    TABLES.some((t) => tailscaledChains(bin, t).length > 0 || tailscaledRules(bin, t).length > 0),
  );
}

/**
 * What a kernel-mode tailscaled leaves in the host namespace when it dies without cleaning up
 * (util/linuxfw iptables_runner.go: ts-input/ts-forward/ts-postrouting and the connmark rules in
 * mangle). Only when no tailscaled runs in the host namespace (a graceful stop removes all of it
 * itself). Returns what it removed.
 */
export function removeHostTailscaleLeftovers(): string[] {
  const hasLink = ok('ip', ['link', 'show', 'tailscale0']);
  if (!hasLink && !hasTsFirewall()) return [];
  if (processesInHostNetns('tailscaled').length > 0) return [];
  const removed: string[] = [];
  if (hasLink && ok('ip', ['link', 'del', 'tailscale0'])) removed.push('link tailscale0');
  for (const family of ['-4', '-6'])
    for (const pref of ['5210', '5230', '5250', '5270'])
      while (ok('ip', [family, 'rule', 'del', 'pref', pref])) removed.push(`ip ${family} rule ${pref}`);
  for (const family of ['-4', '-6']) tryRun('ip', [family, 'route', 'flush', 'table', '52']);
  for (const bin of IPTABLES)
    for (const table of TABLES) {
      // tailscaled's rules carry no quoted arguments, so splitting on spaces is exact.
      for (const rule of tailscaledRules(bin, table))
        if (ok(bin, ['-t', table, '-D', ...rule.slice(3).split(' ')]))
          removed.push(`${bin} ${table} ${rule}`);
      for (const chain of tailscaledChains(bin, table))
        if (ok(bin, ['-t', table, '-F', chain]) && ok(bin, ['-t', table, '-X', chain]))
          removed.push(`${bin} ${table} chain ${chain}`);
    }
  return removed;
}

async function stopPidFiles(labDir: string): Promise<void> {
  if (!existsSync(labDir)) return;
  const pidFiles: string[] = [];
  const walk = (dir: string, depth: number) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory() && depth < 2) walk(p, depth + 1);
      else if (e.isFile() && e.name.endsWith('.pid')) pidFiles.push(p);
    }
  };
  walk(labDir, 0);
  for (const f of pidFiles) {
    const pid = Number(readFileSync(f, 'utf8').trim());
    if (Number.isInteger(pid) && pid > 0) await stopPid(pid, 3000);
  }
}

export interface CleanupResult {
  containers: number;
  networks: number;
  namespaces: string[];
  links: string[];
  hostTailscale: string[];
}

/** Everything, in dependency order; safe to run at any time and more than once. */
export async function cleanupRealLab(labDir: string, composeProject: string): Promise<CleanupResult> {
  const list = labContainerList(composeProject);
  const containers = list.map((c) => c.id);
  // SIGTERM first for tailscale: a kernel-mode tailscaled removes its routes and firewall rules on a
  // clean stop. The busybox apps ignore SIGTERM (httpd as pid 1), so they are removed at once.
  const tailscale = list.filter((c) => c.image.startsWith('tailscale/')).map((c) => c.id);
  if (tailscale.length > 0) tryRun('docker', ['stop', '-t', '15', ...tailscale], { timeoutMs: 60_000 });
  if (containers.length > 0) tryRun('docker', ['rm', '-f', '-v', ...containers], { timeoutMs: 60_000 });
  const networks = labNetworks();
  for (const n of networks) tryRun('docker', ['network', 'rm', n]);
  await stopPidFiles(labDir);
  const namespaces = labNamespaces();
  for (const ns of namespaces) killNamespaceProcesses(ns);
  for (const ns of namespaces) tryRun('ip', ['netns', 'del', ns]);
  const links = labLinks();
  for (const l of links) tryRun('ip', ['link', 'del', l]);
  removeDockerUserRules();
  for (const d of existsSync('/etc/netns') ? readdirSync('/etc/netns') : [])
    if (/^tbr-/.test(d)) rmSync(path.join('/etc/netns', d), { recursive: true, force: true });
  if (existsSync('/etc/netns') && readdirSync('/etc/netns').length === 0)
    rmSync('/etc/netns', { recursive: true });
  const hostTailscale = removeHostTailscaleLeftovers();
  rmSync(labDir, { recursive: true, force: true });
  return { containers: containers.length, networks: networks.length, namespaces, links, hostTailscale };
}

export { REALLAB_LABEL };
