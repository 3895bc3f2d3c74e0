import { spawnSync } from 'node:child_process';
import { createInterface } from 'node:readline';
import { type ConfigChoice, loadConfig } from '../adapters/config-file.js';
import {
  addMacvlanShim,
  type LinkState,
  linkExists,
  type ProbeResult,
  probeTcpRetry,
  removeLink,
  showLink,
  validInterfaceName,
} from '../adapters/host-network.js';
import { colors, type Io } from '../cli/io.js';
import {
  renderShimScript,
  shimInterfaceName,
  shimPlan,
  shimScriptPath,
} from '../core/generate/shim-script.js';
import type { HomelabConfig } from '../core/model/config.js';
import { cidrContains, parseCidr } from '../core/model/net.js';
import { compareVersions } from '../core/plan/environment.js';
import { ExitCode, TailbridgeError } from '../errors.js';

export type ShimAction = 'apply' | 'remove' | 'status';

export interface ShimOptions extends ConfigChoice {
  /** Non-interactive keep: the shim stays only when the probe passes (or with `force`). */
  yes?: boolean;
  /** With `yes`: keep the shim even when the probe fails. */
  force?: boolean;
  /** How long the "keep the shim?" question waits before reverting (default 30). */
  timeoutSeconds?: number;
  json?: boolean;
  /** Interface name instead of the platform default (`ts-shim`, `tailscale-shim` on TrueNAS). */
  interfaceName?: string;
}

export type ShimIo = Io & { confirm?: (question: string, timeoutMs: number) => Promise<boolean> };

export interface ShimDeps {
  /** Host → container probe (default: TCP connect to <address>:9 with retries for ~4 s). */
  probe?: (address: string) => Promise<ProbeResult>;
}

interface ShimTarget {
  name: string;
  parent: string;
  shimAddress: string;
  address: string;
  ipRange: string;
  routes: string[];
}

function target(config: HomelabConfig, options: ShimOptions): ShimTarget {
  const m = config.lan.macvlan;
  if (!m)
    throw new TailbridgeError(
      'lan.macvlan is not set in the config: the shim is only for the macvlan mode (add address, ipRange, shimAddress)',
    );
  const name = options.interfaceName ?? shimInterfaceName(config);
  if (!validInterfaceName(name))
    throw new TailbridgeError(
      `shim interface name "${name}" is not a valid Linux name (1-15 characters, no / or :)`,
    );
  const routes = [m.ipRange];
  if (!cidrContains(m.ipRange, m.address)) routes.push(`${m.address}/32`);
  return {
    name,
    parent: config.lan.parentInterface,
    shimAddress: m.shimAddress,
    address: m.address,
    ipRange: m.ipRange,
    routes,
  };
}

/** TrueNAS flushes and downs unknown interfaces on `interface.sync` unless the name is internal. */
function truenasNameWarning(config: HomelabConfig, name: string): string | undefined {
  if (config.host.platform !== 'truenas') return undefined;
  if (name.startsWith('tailscale')) return undefined;
  const v = config.host.truenasVersion;
  if (name.startsWith('mac') && v && compareVersions(v, '25.04.1') >= 0) return undefined;
  return `warning: TrueNAS resets interfaces it does not know on network changes and at boot; "${name}" does not start with "tailscale"${v && compareVersions(v, '25.04.1') >= 0 ? ' or "mac"' : ''}, so it will lose its address`;
}

/** Asks on the terminal; no answer within the timeout, Ctrl-C or EOF mean no. */
export function ttyConfirm(question: string, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const rl = createInterface({ input: process.stdin, output: process.stderr });
    let settled = false;
    const finish = (v: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      rl.close();
      resolve(v);
    };
    const timer = setTimeout(() => {
      process.stderr.write('\n(no answer)\n');
      finish(false);
    }, timeoutMs);
    rl.on('SIGINT', () => finish(false));
    rl.on('close', () => finish(false));
    rl.question(question, (a) => finish(/^y(es)?$/i.test(a.trim())));
  });
}

function routeCovers(routes: string[], address: string): boolean {
  return routes.some(
    (r) =>
      parseCidr(r.includes('/') ? r : `${r}/32`) !== undefined &&
      cidrContains(r.includes('/') ? r : `${r}/32`, address),
  );
}

interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

function statusChecks(t: ShimTarget, link: LinkState | undefined, probe: ProbeResult | undefined): Check[] {
  if (!link)
    return [{ name: 'exists', ok: false, detail: `${t.name} does not exist (run 'tailbridge shim apply')` }];
  return [
    { name: 'exists', ok: true, detail: `${t.name} exists` },
    {
      name: 'macvlan',
      ok: link.kind === 'macvlan' && link.parent === t.parent,
      detail: `kind ${link.kind ?? '?'}${link.macvlanMode ? ` mode ${link.macvlanMode}` : ''} on ${link.parent ?? '?'} (want macvlan on ${t.parent})`,
    },
    { name: 'up', ok: link.up, detail: link.up ? 'link is up' : 'link is down' },
    {
      name: 'address',
      ok: link.ipv4.some((a) => a.split('/')[0] === t.shimAddress),
      detail: `addresses ${link.ipv4.join(', ') || 'none'} (want ${t.shimAddress}/32)`,
    },
    {
      name: 'route',
      ok: routeCovers(link.routes, t.address),
      detail: `routes ${link.routes.join(', ') || 'none'} (want ${t.routes.join(', ')})`,
    },
    {
      name: 'probe',
      ok: probe?.reachable ?? false,
      detail: probe ? probeText(t.address, probe) : 'not run',
    },
  ];
}

function probeText(address: string, p: ProbeResult): string {
  return p.reachable
    ? `host → ${address}:9 answered (${p.outcome}, ${p.ms} ms): the host reaches the macvlan container`
    : `host → ${address}:9 got no answer (${p.outcome} after ${p.ms} ms): the host does not reach the macvlan container`;
}

/** How to make the shim survive a reboot. */
export function installInstructions(config: HomelabConfig): string[] {
  const file = shimScriptPath(config);
  if (config.host.platform === 'truenas')
    return [
      `Install (TrueNAS): save the script as ${file}, chmod +x it, then add it as a POSTINIT script:`,
      `  midclt call initshutdownscript.create '{"type":"COMMAND","command":"${file} up","when":"POSTINIT","timeout":10}'`,
      '  (or System → Advanced → Init/Shutdown Scripts). /etc is managed by TrueNAS: do not use systemd units there.',
    ];
  return [
    `Install (systemd): save the script as ${file}, chmod +x it, then create /etc/systemd/system/tailscale-shim.service:`,
    '  [Unit]',
    '  Description=tailbridge macvlan host shim',
    '  After=network-online.target docker.service',
    '  Wants=network-online.target',
    '  [Service]',
    '  Type=oneshot',
    '  RemainAfterExit=yes',
    `  ExecStart=${file} up`,
    `  ExecStop=${file} down`,
    '  [Install]',
    '  WantedBy=multi-user.target',
    '  and run: systemctl daemon-reload && systemctl enable --now tailscale-shim.service',
  ];
}

/**
 * `tailbridge shim apply|remove|status`: the host-side macvlan interface that lets the Docker host
 * reach its own macvlan containers.
 *
 * apply creates it (link, /32, routes), probes host → container, then keeps it only when confirmed:
 * on a TTY by answering y within the timeout; with `--yes` when the probe passes (`--yes --force`:
 * regardless); otherwise it is removed again. Exit 0 kept and reachable, 1 reverted or unreachable,
 * 2 could not run (no root, missing parent, no lan.macvlan).
 * remove is idempotent (exit 0). status exits 0 when the shim exists, is configured and answers.
 */
export async function shim(
  action: ShimAction,
  options: ShimOptions,
  io: ShimIo,
  deps: ShimDeps = {},
): Promise<number> {
  const loaded = await loadConfig(options, io.cwd);
  const config = loaded.config;
  const t = target(config, options);
  const probe = deps.probe ?? ((a: string) => probeTcpRetry(a, 9, 4_000));
  const c = colors(io);
  const out = (s: string) => {
    if (!options.json) io.stdout(s);
  };
  const json = (o: unknown) => {
    if (options.json) io.stdout(JSON.stringify(o, null, 2));
  };
  const nameWarning = truenasNameWarning(config, t.name);
  if (nameWarning) io.stderr(nameWarning);

  if (action === 'remove') {
    const removed = await removeLink(t.name);
    out(removed ? `removed ${t.name}` : `${t.name} is not present (nothing to do)`);
    json({ action, interface: t.name, removed });
    return ExitCode.ok;
  }

  if (action === 'status') {
    const link = await showLink(t.name);
    const p = link ? await probe(t.address) : undefined;
    const checks = statusChecks(t, link, p);
    const healthy = checks.every((k) => k.ok);
    out(`shim ${t.name} (parent ${t.parent}, ${t.shimAddress}/32 → ${t.routes.join(', ')}):`);
    for (const k of checks)
      out(`  ${k.ok ? c.green('pass') : c.red('fail')}  ${k.name.padEnd(8)} ${k.detail}`);
    out(healthy ? 'healthy' : 'not healthy');
    json({ action, interface: t.name, healthy, checks, link: link ?? null, probe: p ?? null });
    return healthy ? ExitCode.ok : ExitCode.failed;
  }

  // apply
  if (!(await linkExists(t.parent)))
    throw new TailbridgeError(
      `lan.parentInterface ${t.parent} does not exist on this host (see 'tailbridge discover')`,
    );
  if (await linkExists(t.name)) {
    out(`${t.name} already exists: not touching it ('tailbridge shim remove' first to recreate it)`);
    if (!options.json) return shim('status', { ...options }, io, deps);
    const link = await showLink(t.name);
    const p = await probe(t.address);
    const checks = statusChecks(t, link, p);
    const healthy = checks.every((k) => k.ok);
    json({ action, interface: t.name, created: false, existed: true, healthy, checks });
    return healthy ? ExitCode.ok : ExitCode.failed;
  }

  await addMacvlanShim({ name: t.name, parent: t.parent, address: `${t.shimAddress}/32`, routes: t.routes });
  // Until the shim is confirmed, Ctrl-C or a kill reverts it.
  const revertOnSignal = (signal: NodeJS.Signals) => {
    spawnSync('ip', ['link', 'delete', t.name], { stdio: 'ignore' });
    io.stderr(`${signal}: reverted ${t.name}`);
    process.exit(ExitCode.failed);
  };
  process.once('SIGINT', revertOnSignal);
  process.once('SIGTERM', revertOnSignal);
  try {
    return await confirmOrRevert();
  } finally {
    process.off('SIGINT', revertOnSignal);
    process.off('SIGTERM', revertOnSignal);
  }

  async function confirmOrRevert(): Promise<number> {
    out(`created ${t.name}: macvlan on ${t.parent}, ${t.shimAddress}/32, routes ${t.routes.join(', ')}`);
    let p: ProbeResult;
    try {
      p = await probe(t.address);
    } catch (e) {
      await removeLink(t.name).catch(() => undefined);
      throw e;
    }
    out(`  ${p.reachable ? c.green('pass') : c.red('fail')}  ${probeText(t.address, p)}`);

    let keep: boolean;
    let reason: string;
    if (options.yes) {
      keep = p.reachable || Boolean(options.force);
      reason = p.reachable
        ? 'kept (--yes and the probe passed)'
        : keep
          ? 'kept although the probe failed (--yes --force)'
          : 'reverted: the probe failed (--yes keeps the shim only when the host reaches the container; add --force to keep it anyway)';
    } else if (io.isTTY) {
      const timeoutMs = Math.max(1, options.timeoutSeconds ?? 30) * 1000;
      const ask = io.confirm ?? ttyConfirm;
      keep = await ask(`keep the shim ${t.name}? [y/N] (reverts in ${timeoutMs / 1000} s) `, timeoutMs);
      reason = keep ? 'kept (confirmed)' : 'reverted: not confirmed';
    } else {
      keep = false;
      reason = 'reverted: no terminal to confirm on (pass --yes to keep it when the probe passes)';
    }
    if (!keep) await removeLink(t.name);
    out(keep ? c.green(reason) : c.yellow(reason));

    const plan = { ...shimPlan(config)!, name: t.name };
    const script = renderShimScript(config, plan);
    if (keep) {
      out('');
      out(`The shim is gone after a reboot. Persistent init script (${shimScriptPath(config)}):`);
      out('');
      out(script.trimEnd());
      out('');
      for (const l of installInstructions(config)) out(l);
      if (t.routes.length > 1)
        out(
          `note: ${t.address} is outside ip_range ${t.ipRange}; add 'ip route replace ${t.address}/32 dev "$SHIM"' to up()`,
        );
    }
    json({
      action,
      interface: t.name,
      parent: t.parent,
      shimAddress: `${t.shimAddress}/32`,
      routes: t.routes,
      created: true,
      probe: p,
      kept: keep,
      reason,
      ...(keep ? { script, scriptPath: shimScriptPath(config), install: installInstructions(config) } : {}),
    });
    if (!keep) return ExitCode.failed;
    return p.reachable ? ExitCode.ok : ExitCode.failed;
  }
}
