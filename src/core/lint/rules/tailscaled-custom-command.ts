import type { ComposeModel, Path, Service } from '../compose-model.js';
import { defineRule, type Report } from '../rule.js';
import { composeArgv, isInterpolated, serviceScripts } from '../values.js';
import { cgroupAllowsTun, TUN, tunDeviceIndex } from './helpers.js';

const OFFICIAL_IMAGE =
  /^(?:(?:docker\.io|index\.docker\.io|registry-1\.docker\.io|ghcr\.io)\/)?tailscale\/tailscale(?:[:@]|$)/;

/** TS_* variables that only containerboot reads (a hand-started tailscaled/tailscale ignores them). */
function containerbootVars(model: ComposeModel, s: Service): string[] {
  return [...model.environment(s).keys()].filter((k) => k.startsWith('TS_'));
}

function basename(word: string): string {
  return word.slice(word.lastIndexOf('/') + 1);
}

/**
 * True when the official image's entrypoint (containerboot) is kept: no entrypoint: at all. An empty
 * `entrypoint: []` / `""` clears it, and command: then runs directly.
 */
export function keepsContainerboot(s: Service): boolean {
  const image = s.value['image'];
  if (typeof image !== 'string' || !OFFICIAL_IMAGE.test(image)) return false;
  return composeArgv(s.value['entrypoint']) === undefined;
}

function tunValues(args: readonly string[]): string[] {
  return args
    .map((a, i) =>
      a === '--tun' || a === '-tun' ? args[i + 1] : /^--?tun=/.test(a) ? a.split('=')[1] : undefined,
    )
    .filter((v): v is string => v !== undefined);
}

/** The official image with containerboot as entrypoint gets `command:` as arguments and ignores them. */
function ignored(model: ComposeModel, s: Service, path: Path, vars: string[]): Report {
  const script = serviceScripts(s.value).find((x) => x.key !== 'healthcheck');
  const commands = script?.commands ?? [];
  const programs = commands.map((c) => basename(c.argv[0] ?? ''));
  const daemon = programs.includes('tailscaled');
  const what = daemon
    ? 'starts tailscaled'
    : `runs ${programs.length > 0 ? [...new Set(programs)].join(', ') : 'a command'}`;
  const state =
    model.lookup(s, 'TS_STATE_DIR').kind === 'unset' ? ', with its state in memory (no TS_STATE_DIR)' : '';
  const none =
    vars.length === 0
      ? ` (none are set here, so it runs in userspace mode and waits for an interactive login${state})`
      : '';
  let also = '';
  if (daemon) {
    const args = commands
      .filter((c) => basename(c.argv[0] ?? '') === 'tailscaled')
      .flatMap((c) => c.argv.slice(1));
    const tun = tunValues(args);
    const hasTun = model.privileged(s) || tunDeviceIndex(model, s) !== -1 || cgroupAllowsTun(model, s);
    if (!tun.some((v) => v === 'userspace-networking' || v.includes('$')) && !hasTun)
      also = ` Run by hand instead (entrypoint: overridden), this tailscaled has no --tun=userspace-networking and no ${TUN} device, so it would fail in kernel mode${vars.length > 0 ? `, ignoring ${vars.join(', ')}` : ''}.`;
  }
  return {
    path,
    message: `service "${s.name}": command: ${what}, but the tailscale/tailscale image's entrypoint is containerboot, which gets this command as arguments and ignores them — the script (tailscaled, tailscale up, tailscale serve …) never runs and containerboot starts from the TS_* variables alone${none}; drop command: and configure it with TS_AUTHKEY, TS_STATE_DIR, TS_USERSPACE, TS_SERVE_CONFIG …${also}`,
    data: { kind: 'ignored-by-containerboot' },
  };
}

export const tailscaledCustomCommand = defineRule({
  id: 'tailscaled-custom-command',
  severity: 'error',
  category: 'tailscale',
  description:
    'command: on the official image is ignored by its entrypoint (containerboot); a hand-written entrypoint that starts tailscaled bypasses the TS_* variables and, without --tun=userspace-networking, needs /dev/net/tun.',
  source: 'containerboot-main',
  check({ model }) {
    const out: Report[] = [];
    for (const s of model.services()) {
      const script = serviceScripts(s.value).find((x) => x.key !== 'healthcheck');
      if (!script) continue;
      const path = [...s.path, ...script.at];
      const vars = containerbootVars(model, s);
      if (keepsContainerboot(s) && composeArgv(s.value['command'])?.length) {
        out.push(ignored(model, s, path, vars));
        continue;
      }
      if (model.launcher(s) !== 'tailscaled') continue;
      const daemons = script.commands.filter((c) => basename(c.argv[0] ?? '') === 'tailscaled');
      const ignoredVars =
        vars.length > 0
          ? `; the TS_* variables set here (${vars.join(', ')}) are read only by containerboot`
          : '';
      const args = daemons.flatMap((d) => d.argv.slice(1));
      const tun = tunValues(args);
      const userspace = tun.some((v) => v === 'userspace-networking');
      const unknown = tun.some((v) => isInterpolated(v) || v.includes('$'));
      const hasTun = model.privileged(s) || tunDeviceIndex(model, s) !== -1 || cgroupAllowsTun(model, s);
      if (!userspace && !unknown && !hasTun) {
        out.push({
          path,
          message: `service "${s.name}" starts tailscaled itself without --tun=userspace-networking, so it runs in kernel mode, but ${TUN} is not under devices: and it cannot create its TUN interface${ignoredVars} (TS_USERSPACE included), so they do not change that; use the image's containerboot with TS_* variables, or add --tun=userspace-networking`,
          data: { kind: 'kernel-without-tun' },
        });
      } else if (vars.length > 0) {
        out.push({
          path,
          severity: 'warning',
          message: `service "${s.name}" starts tailscaled itself, bypassing containerboot${ignoredVars} and have no effect; pass the equivalent flags to tailscaled / tailscale up, or let containerboot start it`,
          data: { kind: 'bypasses-containerboot' },
        });
      }
    }
    return out;
  },
});
