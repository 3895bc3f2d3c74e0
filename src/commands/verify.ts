import { existsSync } from 'node:fs';
import path from 'node:path';
import {
  type ConfigChoice,
  type LoadedConfig,
  loadConfig,
  resolveFromConfig,
} from '../adapters/config-file.js';
import { DockerodeEngine } from '../adapters/docker/engine.js';
import { saveRun } from '../adapters/runs.js';
import type { Io } from '../cli/io.js';
import { VERSION } from '../cli/version.js';
import { isMode, MODES, type Mode } from '../core/model/modes.js';
import { planModes, resolveEnvironment } from '../core/plan/index.js';
import { runFromVerify } from '../core/report/from-verify.js';
import type { VerifyReport } from '../core/verify/index.js';
import { ExitCode, TailbridgeError } from '../errors.js';
import { renderVerifyText } from '../render/verify.js';
import type { VerifyDeps } from '../workflows/verify/deps.js';
import { verifyDeployment } from '../workflows/verify/verify-deployment.js';
export interface VerifyOptions extends ConfigChoice {
  mode?: string;
  probe?: boolean;
  fromTailnet?: boolean;
  /** --socket: the local tailscaled's socket for --from-tailnet. */
  socket?: string;
  json?: boolean;
}

/**
 * `tailbridge verify`: exit 0 when every check passed (skips allowed), 1 when any check failed
 * (a missing or stopped container is a failed check), 2 when it could not run (engine unreachable,
 * bad config, mode neither given nor detectable).
 */
export async function verify(
  options: VerifyOptions,
  io: Io,
  deps: Partial<VerifyDeps> = {},
): Promise<number> {
  if (options.mode !== undefined && !isMode(options.mode))
    throw new TailbridgeError(`unknown mode "${options.mode}" (one of ${MODES.join(', ')})`);
  const loaded = await loadConfig(options, io.cwd);
  const report = await verifyDeployment(
    { engine: deps.engine ?? new DockerodeEngine(), ...deps },
    {
      config: loaded.config,
      configDir: loaded.dir,
      ...(options.mode ? { mode: options.mode as Mode } : {}),
      probe: Boolean(options.probe),
      fromTailnet: Boolean(options.fromTailnet),
      ...(options.socket ? { tailscaleSocket: options.socket } : {}),
      userAgent: `tailbridge/${VERSION}`,
      ...(io.isTTY && !options.json ? { onProgress: (l: string) => io.stderr(`… ${l}`) } : {}),
    },
  );
  await recordRun(loaded, report);
  if (options.json) io.stdout(JSON.stringify(report, null, 2));
  else io.stdout(renderVerifyText(report, { color: io.color, width: process.stdout.columns ?? 100 }));
  return report.verdict === 'pass' ? ExitCode.ok : ExitCode.failed;
}

/** Keeps the run next to the compose file (when it exists) so `tailbridge report` can render it. */
async function recordRun(loaded: LoadedConfig, report: VerifyReport): Promise<void> {
  const composeFile = resolveFromConfig(loaded, loaded.config.paths.compose);
  if (!existsSync(composeFile)) return;
  const { config } = loaded;
  await saveRun(
    path.dirname(composeFile),
    runFromVerify({
      report,
      config,
      configFile: loaded.file,
      composeFile: config.paths.compose,
      environment: resolveEnvironment(config),
      plan: planModes(config),
      toolVersion: VERSION,
    }),
  );
}
