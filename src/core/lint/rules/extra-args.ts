import type { ComposeModel, EnvVar, Service } from '../compose-model.js';
import { parseUpArgs, type UpArg } from '../tailscale-cli.js';
import { splitArgs } from '../values.js';

/** TS_EXTRA_ARGS of a containerboot service, parsed like `tailscale up` parses it; undefined when unknown. */
export interface ExtraArgs {
  env: EnvVar;
  args: UpArg[];
}

/**
 * Reads TS_EXTRA_ARGS when its value is known (not interpolated, not from an env_file). Quote
 * characters are dropped first: env-literal-quotes reports them, and the flags are judged as meant.
 */
export function extraArgs(model: ComposeModel, s: Service): ExtraArgs | undefined {
  if (model.launcher(s) !== 'containerboot') return undefined;
  const env = model.environment(s).get('TS_EXTRA_ARGS');
  if (env?.value === undefined || env.interpolated) return undefined;
  const words = splitArgs(env.value.replace(/["']/g, ''));
  return { env, args: parseUpArgs(words) };
}

export function flags(x: ExtraArgs): Extract<UpArg, { kind: 'flag' }>[] {
  return x.args.filter((a): a is Extract<UpArg, { kind: 'flag' }> => a.kind === 'flag');
}
