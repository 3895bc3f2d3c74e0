import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { inspect } from 'node:util';
import type { SecretRefConfig } from '../../core/model/config.js';
import { TailbridgeError } from '../../errors.js';

/**
 * A credential read from a file or an environment variable named in tailbridge.yaml. The value is
 * only reachable through `reveal()`; printing, logging or serialising the object shows `[secret]`.
 */
export class Secret {
  readonly #value: string;
  constructor(
    value: string,
    /** Where it came from, for messages: `file ./x` or `$NAME`. Never the value. */
    readonly origin: string,
  ) {
    this.#value = value;
  }
  reveal(): string {
    return this.#value;
  }
  /** Removes the secret from a text that may echo it (an error body). */
  scrub(text: string): string {
    return this.#value.length >= 4 ? text.split(this.#value).join('[secret]') : text;
  }
  toString(): string {
    return '[secret]';
  }
  toJSON(): string {
    return '[secret]';
  }
  [inspect.custom](): string {
    return `Secret(${this.origin})`;
  }
}

/**
 * Reads a secret. `label` names the setting (e.g. tailscale.control.api.apiKey) in errors; relative
 * files resolve against the config's directory. Only the first line counts, trimmed (a trailing
 * newline is how editors save files).
 */
export async function readSecret(
  ref: SecretRefConfig,
  label: string,
  baseDir: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Secret> {
  if (ref.env !== undefined) {
    const v = env[ref.env]?.trim();
    if (!v) throw new TailbridgeError(`${label}: environment variable ${ref.env} is not set or empty`);
    return new Secret(v, `$${ref.env}`);
  }
  const file = path.resolve(baseDir, ref.file ?? '');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'error';
    throw new TailbridgeError(`${label}: cannot read ${ref.file} (${code})`);
  }
  const v = text.split(/\r?\n/)[0]?.trim() ?? '';
  if (!v) throw new TailbridgeError(`${label}: ${ref.file} is empty`);
  return new Secret(v, `file ${ref.file}`);
}
