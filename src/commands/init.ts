import { existsSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_CONFIG_FILE } from '../adapters/config-file.js';
import { writeFileAtomic } from '../adapters/fs.js';
import { installedSchemaUrl } from '../adapters/package-files.js';
import { discoverTrueNas } from '../adapters/truenas/discover.js';
import type { Io } from '../cli/io.js';
import { draftConfig } from '../core/discover/index.js';
import { truenasTargetLines } from '../core/discover/truenas-draft.js';
import { EXAMPLE_CONFIG } from '../core/model/example.js';
import { parseConfig } from '../core/model/load.js';
import { withSchemaModeline } from '../core/model/schema-comment.js';
import { todoProblems } from '../core/model/todo.js';
import { ExitCode, TailbridgeError } from '../errors.js';
import { type DiscoverDeps, runDiscovery } from '../workflows/discover/run-discovery.js';

export interface InitOptions {
  config?: string;
  force?: boolean;
  json?: boolean;
  /** Draft the file from this host (`tailbridge discover`) instead of the example homelab. */
  discover?: boolean;
  /** With --discover: the TrueNAS API to draft `target:` for (else midclt on this host, when present). */
  truenasUrl?: string;
  truenasKeyFile?: string;
  truenasFingerprint?: string;
}

/**
 * `tailbridge init`: writes a starting tailbridge.yaml to edit — the example homelab, or with
 * `--discover` a draft from this host (TODO comments mark what it cannot know).
 */
export async function init(
  options: InitOptions,
  io: Io,
  deps: DiscoverDeps & { discoverTrueNas?: typeof discoverTrueNas } = {},
): Promise<number> {
  const file = options.config ?? DEFAULT_CONFIG_FILE;
  const abs = path.resolve(io.cwd, file);
  if (existsSync(abs) && !options.force)
    throw new TailbridgeError(`${file}: already exists (use --force to overwrite; a backup is kept)`);
  let text = EXAMPLE_CONFIG;
  let dockerError: string | undefined;
  if (options.discover) {
    const [d, truenas] = await Promise.all([
      runDiscovery({}, deps),
      (deps.discoverTrueNas ?? discoverTrueNas)({
        baseDir: path.dirname(abs),
        ...(options.truenasUrl ? { url: options.truenasUrl } : {}),
        ...(options.truenasKeyFile ? { apiKeyFile: options.truenasKeyFile } : {}),
        ...(options.truenasFingerprint ? { fingerprint: options.truenasFingerprint } : {}),
      }),
    ]);
    text = draftConfig(d);
    if (truenas) {
      text = `${text}${truenasTargetLines(truenas).join('\n')}\n`;
      if (truenas.error) io.stderr(`TrueNAS: ${truenas.error} — target.app is a TODO`);
    }
    parseConfig(file, text); // a draft that does not validate is a bug: never write it
    dockerError = d.docker.error;
    if (dockerError) io.stderr(`${dockerError} — the draft has no containers or tailscale settings`);
  }
  text = withSchemaModeline(text, installedSchemaUrl());
  const { backup } = await writeFileAtomic(abs, text);
  // The values plan and apply refuse until they are filled in (a TODO on a comment line is advice).
  const todos = todoProblems(file, text).length;
  if (options.json)
    io.stdout(
      JSON.stringify(
        { written: file, backup, ...(options.discover ? { drafted: true, todos } : {}) },
        null,
        2,
      ),
    );
  else if (options.discover)
    io.stdout(
      todos > 0
        ? `wrote ${file} drafted from this host — fill in the ${todos} value(s) marked TODO (plan and apply refuse them until then), read the 'check:' notes, then run 'tailbridge plan'`
        : `wrote ${file} drafted from this host — read the 'check:' notes, then run 'tailbridge plan'`,
    );
  else io.stdout(`wrote ${file} — edit the LAN, host and services, then run 'tailbridge plan'`);
  return ExitCode.ok;
}
