import { readFile, unlink } from 'node:fs/promises';
import path from 'node:path';
import { type Journal, parseJournal } from '../../core/apply/journal.js';
import { ExitCode, TailbridgeError } from '../../errors.js';
import { durableWrite, syncDir } from '../durable.js';

/** `<state dir>/journal.json`, rewritten atomically (temp + fsync + rename + dir fsync) at every step. */
export class JournalStore {
  readonly file: string;

  constructor(stateDir: string) {
    this.file = path.join(stateDir, 'journal.json');
  }

  async read(): Promise<Journal | undefined> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new TailbridgeError(`${this.file}: cannot read: ${(e as Error).message}`);
    }
    try {
      return parseJournal(text);
    } catch (e) {
      throw new TailbridgeError(
        `${this.file}: damaged journal (${(e as Error).message}); restore the files from the newest entry of \`tailbridge history\` by hand, then delete it`,
        ExitCode.rollbackFailed,
      );
    }
  }

  async write(journal: Journal): Promise<void> {
    await durableWrite(this.file, `${JSON.stringify(journal, null, 2)}\n`, 0o600);
  }

  async remove(): Promise<void> {
    await unlink(this.file).catch((e: NodeJS.ErrnoException) => {
      if (e.code !== 'ENOENT') throw e;
    });
    await syncDir(path.dirname(this.file));
  }
}
