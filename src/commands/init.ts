import { existsSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_CONFIG_FILE } from '../adapters/config-file.js';
import { writeFileAtomic } from '../adapters/fs.js';
import type { Io } from '../cli/io.js';
import { EXAMPLE_CONFIG } from '../core/model/example.js';
import { ExitCode, TailbridgeError } from '../errors.js';

export interface InitOptions {
  config?: string;
  force?: boolean;
  json?: boolean;
}

/** `tailbridge init`: writes a starting tailbridge.yaml (the example homelab) to edit. */
export async function init(options: InitOptions, io: Io): Promise<number> {
  const file = options.config ?? DEFAULT_CONFIG_FILE;
  const abs = path.resolve(io.cwd, file);
  if (existsSync(abs) && !options.force)
    throw new TailbridgeError(`${file}: already exists (use --force to overwrite; a backup is kept)`);
  const { backup } = await writeFileAtomic(abs, EXAMPLE_CONFIG);
  if (options.json) io.stdout(JSON.stringify({ written: file, backup }, null, 2));
  else io.stdout(`wrote ${file} — edit the LAN, host and services, then run 'tailbridge plan'`);
  return ExitCode.ok;
}
