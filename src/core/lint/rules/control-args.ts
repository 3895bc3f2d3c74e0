import type { HomelabConfig } from '../../model/config.js';
import { controlKindOf, DEFAULT_CONTROL_SERVER } from '../../model/control-kind.js';
import type { ComposeModel, EnvLookup, EnvVar, Service } from '../compose-model.js';
import { flagValue, splitArgs } from '../values.js';

/** Shared reading of the login-related settings of a tailscale service (literal values only). */

/** `--login-server` in a literal TS_EXTRA_ARGS: the URL and the variable it is in. */
export function loginServerArg(model: ComposeModel, s: Service): { env: EnvVar; url: string } | undefined {
  const env = model.environment(s).get('TS_EXTRA_ARGS');
  if (env?.value === undefined) return undefined;
  const url = flagValue(splitArgs(env.value), 'login-server');
  return typeof url === 'string' ? { env, url } : undefined;
}

/** The literal TS_EXTRA_ARGS of a service, split; undefined when unknown (interpolated, env_file). */
export function extraArgsOf(model: ComposeModel, s: Service): { env?: EnvVar; args: string[] } | undefined {
  const look = model.lookup(s, 'TS_EXTRA_ARGS');
  if (look.kind === 'unset') return { args: [] };
  if (look.kind !== 'inline' || look.env.value === undefined) return undefined;
  return { env: look.env, args: splitArgs(look.env.value) };
}

/**
 * True when a variable is surely non-empty: a literal inline value, or named by a readable env_file.
 * Interpolated and shell-taken values may be empty, which containerboot treats as unset.
 */
export function isSet(look: EnvLookup): boolean {
  if (look.kind === 'env_file') return true;
  return look.kind === 'inline' && look.env.value !== undefined && look.env.value.trim() !== '';
}

export const bareUrl = (url: string): string => url.trim().replace(/\/+$/, '');

/**
 * The control server a service logs in to: `--login-server`, else Tailscale's. The kind follows the
 * homelab config when it names this URL, else the model's rule (*.tailscale.com → tailscale).
 */
export function controlOf(
  model: ComposeModel,
  s: Service,
  config: HomelabConfig | undefined,
): { url: string; kind: 'tailscale' | 'headscale'; known: boolean } | undefined {
  const look = model.lookup(s, 'TS_EXTRA_ARGS');
  if (look.kind === 'maybe' || look.kind === 'env_file') return undefined;
  if (look.kind === 'inline' && look.env.value === undefined) return undefined;
  const url = loginServerArg(model, s)?.url ?? DEFAULT_CONTROL_SERVER;
  const fromConfig = config && bareUrl(config.tailscale.controlServer) === bareUrl(url);
  const kind = fromConfig
    ? controlKindOf(config.tailscale)
    : controlKindOf({ controlServer: url, control: undefined });
  return { url, kind, known: Boolean(fromConfig && config.tailscale.control?.kind) };
}
