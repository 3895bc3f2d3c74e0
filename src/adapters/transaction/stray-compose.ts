import { readdir, readFile } from 'node:fs/promises';

/**
 * `compose up` processes still working on these compose files: when tailbridge is killed during
 * `compose up`, its compose child lives on (a SIGKILL does not reach it) and would race the rollback.
 * Found through /proc (the command line names the files with -f). Returns their pids.
 */
export async function strayComposePids(files: readonly string[]): Promise<number[]> {
  const pids: number[] = [];
  for (const name of await readdir('/proc').catch(() => [] as string[])) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    const argv = (await readFile(`/proc/${name}/cmdline`, 'utf8').catch(() => '')).split('\0');
    const isCompose = argv.some((a) => /(^|\/)docker-compose$/.test(a)) || argv.includes('compose');
    if (isCompose && argv.includes('up') && files.some((f) => argv.includes(f))) pids.push(Number(name));
  }
  return pids;
}

/** Waits (up to `timeoutMs`) until no compose process works on these files; returns the pids it waited for. */
export async function waitForStrayCompose(files: readonly string[], timeoutMs = 120_000): Promise<number[]> {
  const seen = await strayComposePids(files);
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && (await strayComposePids(files)).length > 0)
    await new Promise((r) => setTimeout(r, 250));
  return seen;
}
