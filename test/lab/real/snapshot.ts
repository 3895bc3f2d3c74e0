/**
 * Host state before and after the lab, for "down leaves nothing behind". Other helpers and the old
 * lab (tblab*) use Docker on the same machine at the same time, so the comparison ignores what
 * Docker creates for other containers (veth*, br-<id> links and their routes and rules) and the old
 * lab's objects, and is strict about everything else.
 *
 * Legacy iptables: once the image's iptables-legacy has run in the host namespace the kernel keeps
 * the legacy tables registered (empty, policy ACCEPT) until their modules are unloaded; an empty
 * table is therefore treated like an absent one.
 */
import { existsSync, readdirSync } from 'node:fs';
import { tryRun } from './sh.js';

export interface HostSnapshot {
  netns: string[];
  links: string[];
  containers: string[];
  networks: string[];
  ipRules: string[];
  routes: string[];
  iptables: string[];
  iptablesLegacy: string[];
  etcNetns: string[];
}

const lines = (cmd: string, args: string[]): string[] => {
  const r = tryRun(cmd, args);
  return r.code === 0
    ? r.stdout
        .split('\n')
        .map((l) => l.trim())
        .filter(Boolean)
    : [];
};

/** `-S` of every table of one iptables binary; rules only (chains without rules vanish). */
function rules(bin: string): string[] {
  const out: string[] = [];
  for (const table of ['filter', 'nat', 'mangle', 'raw'])
    for (const l of lines(bin, ['-t', table, '-S']))
      if (l.startsWith('-A ')) out.push(`${bin} ${table} ${l}`);
  return out;
}

export function hostSnapshot(): HostSnapshot {
  return {
    netns: lines('ip', ['netns', 'list']).map((l) => l.split(' ')[0] ?? ''),
    links: lines('ip', ['-o', 'link', 'show']).map((l) => /^\d+:\s+([^:@\s]+)/.exec(l)?.[1] ?? l),
    containers: lines('docker', ['ps', '-a', '--format', '{{.Names}}']),
    networks: lines('docker', ['network', 'ls', '--format', '{{.Name}}']),
    ipRules: [...lines('ip', ['-4', 'rule']), ...lines('ip', ['-6', 'rule'])],
    routes: [
      ...lines('ip', ['-4', 'route', 'show', 'table', 'all']),
      ...lines('ip', ['-6', 'route', 'show', 'table', 'all']),
    ].filter((l) => !/\btable local\b/.test(l)),
    iptables: [...rules('iptables'), ...rules('ip6tables')],
    iptablesLegacy: [...rules('iptables-legacy'), ...rules('ip6tables-legacy')],
    etcNetns: existsSync('/etc/netns') ? readdirSync('/etc/netns') : [],
  };
}

/** What other actors on this machine may add meanwhile, per category. */
const OTHERS: Record<keyof HostSnapshot, RegExp> = {
  netns: /^tblab/,
  links: /^(veth|br-[0-9a-f]{12}$|tblab|docker0$)/,
  containers: /^(?!tbr[-_])/,
  networks: /^(?!tbr[-_])/,
  ipRules: /$^/,
  routes: /br-[0-9a-f]{12}|docker0|tblan0|tblab|veth/,
  iptables: /br-[0-9a-f]{12}|docker0|tblab|\b172\.(1[6-9]|2\d|3[01])\./,
  iptablesLegacy: /$^/,
  etcNetns: /^(?!tbr-)/,
};

/** Entries present after but not before that cannot be someone else's; empty = nothing left behind. */
export function leftovers(before: HostSnapshot, after: HostSnapshot): string[] {
  const out: string[] = [];
  for (const key of Object.keys(before) as (keyof HostSnapshot)[]) {
    const had = new Set(before[key]);
    for (const item of after[key]) if (!had.has(item) && !OTHERS[key].test(item)) out.push(`${key}: ${item}`);
  }
  return out;
}
