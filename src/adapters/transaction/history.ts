import { createHash, randomBytes } from 'node:crypto';
import { link, mkdir, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { DockerSnapshot } from '../../core/apply/cleanup.js';
import { durableWrite, syncDir, syncFile } from '../durable.js';
import { sha256, timestamp } from '../fs.js';

/** One file as it was before an apply (or restore) touched it. */
export interface ManifestFile {
  /** Relative to the compose file's directory (POSIX separators). */
  path: string;
  existed: boolean;
  /** sha256 of the bytes before; the copy is `files/<sha256>` in the entry. */
  sha256?: string;
  /** Permission bits (e.g. 0o644) before. */
  mode?: number;
  size?: number;
}

export type Outcome =
  /** Backed up; the operation has not finished (or was interrupted — see `tailbridge rollback`). */
  | 'pending'
  | 'applied'
  | 'rolled-back'
  | 'rollback-failed'
  /** Stopped before any file was written (validation failed, or an interrupted run was closed). */
  | 'not-applied'
  /** The process died after the backup and before its journal existed: nothing was written. */
  | 'interrupted'
  /** The user discarded the journal after checking by hand. */
  | 'discarded';

export interface PreviousContainer {
  id: string;
  name: string;
  image: string;
  state: string;
  running: boolean;
  /** com.docker.compose.config-hash: equal after a rollback means the same configuration. */
  configHash?: string;
}

export interface HistoryManifest {
  version: 1;
  id: string;
  createdAt: string;
  /** `apply` or `restore`. */
  operation: 'apply' | 'restore';
  /** Mode applied (`userspace`…) or, for a restore, `restore <id>`. */
  mode: string;
  /** Compose file, relative to the compose directory. */
  composeFile: string;
  /** sha256 over the manifest's files (path, existed, sha256, mode): equal = same starting point. */
  contentHash: string;
  files: ManifestFile[];
  previousContainer?: PreviousContainer;
  /** Every network and container name before the operation (an undo removes what it created). */
  dockerBefore?: DockerSnapshot;
  /** sha256 of the blobs the deploy target saved (see BackupInput.targetBlobs). */
  targetBlobs?: string[];
  outcome: Outcome;
  outcomeAt?: string;
  /** One line: what failed, or how it ended. */
  detail?: string;
}

export interface BackupInput {
  operation: 'apply' | 'restore';
  mode: string;
  composeFile: string;
  /** Absolute paths the operation will touch. */
  files: string[];
  previousContainer?: PreviousContainer;
  dockerBefore?: DockerSnapshot;
  /** What the deploy target saved of its deployed state (e.g. a TrueNAS app's config), kept as blobs. */
  targetBlobs?: Uint8Array[];
}

const ENTRY = /^\d{8}T\d{6}Z-[0-9a-f]{12}(-\d+)?$/;

/**
 * `<state dir>/history/<YYYYMMDDTHHMMSSZ>-<hash12>/`: `manifest.json` + `files/<sha256>` copies.
 * An entry is built in a `.tmp-*` folder, every copy and the manifest fsynced, then renamed into
 * place — so an entry either exists complete or not at all. Copies whose content an older entry
 * already holds are hard links to it (content de-duplication; each entry stays self-contained,
 * pruning is a plain delete).
 */
export class HistoryStore {
  readonly dir: string;

  constructor(
    stateDir: string,
    /** The compose directory: manifest paths are relative to it. */
    readonly baseDir: string,
  ) {
    this.dir = path.join(stateDir, 'history');
  }

  entryDir(id: string): string {
    return path.join(this.dir, id);
  }

  blobPath(id: string, hash: string): string {
    return path.join(this.dir, id, 'files', hash);
  }

  async create(input: BackupInput, now: Date): Promise<HistoryManifest> {
    await mkdir(this.dir, { recursive: true });
    const files: ManifestFile[] = [];
    const blobs = new Map<string, Buffer>();
    for (const abs of input.files) {
      const rel = path.relative(this.baseDir, abs).split(path.sep).join('/');
      let bytes: Buffer | undefined;
      let mode: number | undefined;
      try {
        bytes = await readFile(abs);
        mode = (await stat(abs)).mode & 0o7777;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      }
      if (bytes === undefined) files.push({ path: rel, existed: false });
      else {
        const hash = sha256(bytes);
        blobs.set(hash, bytes);
        files.push({ path: rel, existed: true, sha256: hash, mode, size: bytes.length });
      }
    }
    const targetBlobs = (input.targetBlobs ?? []).map((b) => Buffer.from(b));
    for (const bytes of targetBlobs) blobs.set(sha256(bytes), bytes);
    const contentHash = hashFiles(files);
    const existing = new Set(await this.ids());
    // Same second as an existing entry: a `-N` suffix keeps ids unique and in creation order.
    const stamp = timestamp(now);
    const sameSecond = [...existing].filter((e) => e.startsWith(`${stamp}-`)).length;
    const id = `${stamp}-${contentHash.slice(0, 12)}${sameSecond > 0 ? `-${sameSecond}` : ''}`;
    const manifest: HistoryManifest = {
      version: 1,
      id,
      createdAt: now.toISOString(),
      operation: input.operation,
      mode: input.mode,
      composeFile: path.relative(this.baseDir, input.composeFile).split(path.sep).join('/'),
      contentHash,
      files,
      ...(input.previousContainer ? { previousContainer: input.previousContainer } : {}),
      ...(input.dockerBefore ? { dockerBefore: input.dockerBefore } : {}),
      ...(targetBlobs.length > 0 ? { targetBlobs: targetBlobs.map((b) => sha256(b)) } : {}),
      outcome: 'pending',
    };

    const tmp = path.join(this.dir, `.tmp-${id}-${randomBytes(4).toString('hex')}`);
    await mkdir(path.join(tmp, 'files'), { recursive: true });
    try {
      const known = await this.blobIndex();
      for (const [hash, bytes] of blobs) {
        const target = path.join(tmp, 'files', hash);
        const source = known.get(hash);
        const linked = source
          ? await link(source, target).then(
              () => true,
              () => false,
            )
          : false;
        if (!linked) await durableWrite(target, bytes, 0o600);
        else await syncFile(target);
      }
      await syncDir(path.join(tmp, 'files'));
      await durableWrite(path.join(tmp, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`, 0o600);
      await rename(tmp, this.entryDir(id));
      await syncDir(this.dir);
    } catch (e) {
      await rm(tmp, { recursive: true, force: true });
      throw e;
    }
    return manifest;
  }

  /** Entry ids, oldest first. */
  async ids(): Promise<string[]> {
    const names = await readdir(this.dir).catch(() => [] as string[]);
    return names.filter((n) => ENTRY.test(n)).sort(compareIds);
  }

  async get(id: string): Promise<HistoryManifest | undefined> {
    try {
      return JSON.parse(
        await readFile(path.join(this.entryDir(id), 'manifest.json'), 'utf8'),
      ) as HistoryManifest;
    } catch {
      return undefined;
    }
  }

  /** Manifests, newest first. */
  async list(): Promise<HistoryManifest[]> {
    const out: HistoryManifest[] = [];
    for (const id of (await this.ids()).reverse()) {
      const m = await this.get(id);
      if (m) out.push(m);
    }
    return out;
  }

  async setOutcome(id: string, outcome: Outcome, detail: string | undefined, now: Date): Promise<void> {
    const m = await this.get(id);
    if (!m) return;
    const next: HistoryManifest = { ...m, outcome, outcomeAt: now.toISOString() };
    if (detail) next.detail = detail;
    else delete next.detail;
    await durableWrite(
      path.join(this.entryDir(id), 'manifest.json'),
      `${JSON.stringify(next, null, 2)}\n`,
      0o600,
    );
  }

  /** Reads a backed-up copy and checks it still hashes to its name. */
  async readBlob(id: string, hash: string): Promise<Buffer> {
    const bytes = await readFile(this.blobPath(id, hash));
    if (sha256(bytes) !== hash)
      throw new Error(`backup ${this.blobPath(id, hash)} is damaged (its sha256 no longer matches)`);
    return bytes;
  }

  /**
   * Marks the entries of operations that died after their backup and before their journal existed
   * (`pending`, and not the entry of the open journal) as `interrupted`. Returns their ids.
   */
  async markInterrupted(openJournalId: string | undefined, now: Date): Promise<string[]> {
    const marked: string[] = [];
    for (const m of await this.list()) {
      if (m.outcome !== 'pending' || m.id === openJournalId) continue;
      await this.setOutcome(
        m.id,
        'interrupted',
        `${m.operation === 'apply' ? `apply --mode ${m.mode}` : m.mode} stopped after its backup, before it wrote anything`,
        now,
      );
      marked.push(m.id);
    }
    return marked;
  }

  /**
   * Keeps the newest `keep` entries (and every id in `protect`); deletes older ones, the entries of
   * interrupted operations (they hold nothing the neighbouring entries do not; the newest entry is
   * kept so `tailbridge history` shows what happened once) and leftover `.tmp-*` folders of
   * interrupted backups. Returns the deleted ids.
   */
  async prune(keep: number, protect: readonly string[] = []): Promise<string[]> {
    const all = await this.ids();
    const newest = all.at(-1);
    const interrupted: string[] = [];
    for (const id of all)
      if (id !== newest && !protect.includes(id) && (await this.get(id))?.outcome === 'interrupted')
        interrupted.push(id);
    const ids = all.filter((id) => !interrupted.includes(id));
    const doomed = [
      ...interrupted,
      ...ids.slice(0, Math.max(0, ids.length - Math.max(1, keep))).filter((id) => !protect.includes(id)),
    ];
    for (const id of doomed) await rm(this.entryDir(id), { recursive: true, force: true });
    const names = await readdir(this.dir).catch(() => [] as string[]);
    for (const n of names.filter((n) => n.startsWith('.tmp-')))
      await rm(path.join(this.dir, n), { recursive: true, force: true });
    if (doomed.length > 0) await syncDir(this.dir);
    return doomed;
  }

  private async blobIndex(): Promise<Map<string, string>> {
    const index = new Map<string, string>();
    for (const id of await this.ids()) {
      const names = await readdir(path.join(this.entryDir(id), 'files')).catch(() => [] as string[]);
      for (const n of names) index.set(n, this.blobPath(id, n));
    }
    return index;
  }
}

export function hashFiles(files: readonly ManifestFile[]): string {
  const canonical = [...files]
    .sort((a, b) => a.path.localeCompare(b.path))
    .map((f) => [f.path, f.existed, f.sha256 ?? null, f.mode ?? null]);
  return createHash('sha256').update(JSON.stringify(canonical)).digest('hex');
}

function compareIds(a: string, b: string): number {
  const [ta, ha, na] = splitId(a);
  const [tb, hb, nb] = splitId(b);
  return ta.localeCompare(tb) || na - nb || ha.localeCompare(hb);
}

function splitId(id: string): [string, string, number] {
  const [t, h, n] = id.split('-');
  return [t ?? '', h ?? '', n ? Number(n) : 0];
}
