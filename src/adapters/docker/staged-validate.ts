import { rm } from 'node:fs/promises';
import path from 'node:path';
import type { ComposeProject, ComposeRunner } from '../../core/ports/compose.js';
import { durableWrite } from '../durable.js';
import { makeStageDir } from '../transaction/housekeeping.js';

/**
 * Asks the compose tool itself (`compose config -q`) whether `content` is acceptable as the project's
 * compose file, before it is written: a staged copy in a private temp dir (never the user's folder;
 * a crash leaves it where the next run sweeps it), read with the compose directory as the project
 * directory so relative paths resolve as for the real file. The message names the real file.
 */
export async function composeAccepts(
  compose: ComposeRunner,
  project: ComposeProject,
  composeFile: string,
  content: string | Uint8Array,
): Promise<{ ok: boolean; message: string }> {
  const stageDir = await makeStageDir();
  const staged = path.join(stageDir, path.basename(composeFile));
  try {
    await durableWrite(staged, content, 0o600);
    const r = await compose.validate({ ...project, files: [staged, ...project.files.slice(1)] });
    return { ok: r.ok, message: r.message.split(staged).join(path.basename(composeFile)) };
  } catch (e) {
    return { ok: false, message: (e as Error).message.split('\n')[0] ?? String(e) };
  } finally {
    await rm(stageDir, { recursive: true, force: true }).catch(() => undefined);
  }
}
