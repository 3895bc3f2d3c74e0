import type { Journal } from '../../core/apply/journal.js';
import type { SnapshotBlobs, TargetSnapshot } from '../../core/deploy/target.js';
import { sha256 } from '../fs.js';
import type { HistoryStore } from './history.js';

/** Blobs a target saves before its history entry exists: kept in memory, written with the entry. */
export function pendingBlobs(): SnapshotBlobs & { bytes: Uint8Array[] } {
  const bytes: Uint8Array[] = [];
  return {
    bytes,
    async save(b) {
      bytes.push(b);
      return sha256(b);
    },
    async read(hash) {
      const found = bytes.find((b) => sha256(b) === hash);
      if (!found) throw new Error(`no saved blob ${hash}`);
      return found;
    },
  };
}

/** The blobs of a complete history entry (restore reads what the snapshot saved). */
export function historyBlobs(history: HistoryStore, id: string): SnapshotBlobs {
  return {
    save: () => Promise.reject(new Error(`history entry ${id} is complete; nothing more is saved into it`)),
    read: (hash) => history.readBlob(id, hash),
  };
}

/** The target snapshot a journal recorded (journals keep it flat, as the fields they always had). */
export function snapshotOfJournal(journal: Journal): TargetSnapshot {
  return {
    kind: journal.targetKind ?? 'compose',
    project: journal.composeProject ?? '',
    container: journal.previous,
    saved: journal.targetSaved ?? [],
    ...(journal.dockerBefore ? { dockerBefore: journal.dockerBefore } : {}),
  };
}
