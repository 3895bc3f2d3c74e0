import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { LoadedConfig } from '../../adapters/config-file.js';
import { writeFileAtomic } from '../../adapters/fs.js';
import {
  appendSessionNote,
  type MigrationRun,
  nextRecordPath,
  renderDecisionRecord,
  resultsSection,
  sessionNoteEntry,
  upsertResultsSection,
} from '../../core/report/index.js';
import { listDir, readExisting } from './files.js';

export interface WrittenRecord {
  /** Absolute path of the decision record written. */
  record: string;
  /** Its number (NNNN). */
  number: number;
  /** The notes file the entry was appended to (paths.notes), when configured. */
  notes?: string;
  /** The research note whose `## Results` section was written, when configured and present. */
  researchNote?: string;
  /** Backups of files that existed before (writeFileAtomic copies). */
  backups: string[];
}

/**
 * For `migrate`: writes the numbered decision record (paths.decisions), appends the outcome entry
 * to paths.notes (created when missing) and upserts the `## Results` section of paths.researchNote
 * when that file exists — each atomically, existing files backed up under
 * `<compose dir>/.tailbridge/backups`. Paths in the config resolve against the config's directory.
 */
export async function writeRecordAndNotes(
  run: MigrationRun,
  loaded: LoadedConfig,
  where: { cwd: string },
): Promise<WrittenRecord> {
  const { config } = loaded;
  const composeDir = path.dirname(path.resolve(loaded.dir, run.composeFile || config.paths.compose));
  const backupDir = path.join(composeDir, '.tailbridge', 'backups');
  const backups: string[] = [];
  const write = async (file: string, text: string) => {
    const r = await writeFileAtomic(file, text, {
      backupDir,
      display: path.relative(where.cwd, file) || file,
    });
    if (r.backup) backups.push(r.backup);
  };

  const decisions = path.resolve(loaded.dir, config.paths.decisions);
  const next = nextRecordPath(await listDir(decisions));
  const record = path.join(decisions, path.basename(next.path));
  await mkdir(decisions, { recursive: true });
  await write(record, renderDecisionRecord(run, { number: next.number }));
  const link = (from: string) => path.relative(path.dirname(from), record).split(path.sep).join('/');
  const result: WrittenRecord = { record, number: next.number, backups };

  if (config.paths.notes) {
    const notes = path.resolve(loaded.dir, config.paths.notes);
    const existing = await readExisting(notes, config.paths.notes);
    await mkdir(path.dirname(notes), { recursive: true });
    await write(notes, appendSessionNote(existing, sessionNoteEntry(run, link(notes))));
    result.notes = notes;
  }

  if (config.paths.researchNote) {
    const note = path.resolve(loaded.dir, config.paths.researchNote);
    const text = await readExisting(note, config.paths.researchNote);
    if (text !== undefined) {
      await write(note, upsertResultsSection(text, resultsSection(run, link(note))));
      result.researchNote = note;
    }
  }
  return result;
}
