/**
 * The deploy-target port: what the apply/rollback transaction needs from the place the user's stack
 * runs. Two kinds implement it: `compose` (the project's files on this host + `docker compose up`,
 * adapters/deploy/compose-target.ts) and `truenas` (a TrueNAS custom app through the middleware's
 * apps API: state = `app.config`, deploy = one `app.update` job).
 *
 * The local compose file (`paths.compose`) stays the source of truth in both: the transaction writes
 * it (journaled, backed up, restorable byte for byte) before it calls `deploy`, and hands the target
 * its new text. A target whose writing and deploying are one call (TrueNAS) does both in `deploy`; the
 * compose target's deployed files ARE the local files, so its `deploy` only runs compose.
 *
 * Contract, in the order the transaction calls it (docs/deploy-targets.md):
 *   drift(source)        before anything changes: does the deployed state differ from the local file?
 *   describe()           the deployed state now (for drift, history and `discover`)
 *   snapshot(blobs)      save what `restore` needs into the history entry; JSON-safe (kept in the journal)
 *   validate(desired)    may start early; must not change anything
 *   deploy(desired, on)  make the target run `desired`; progress as events
 *   waitReady(…)         the tailscale service's container is up and ready
 *   restore(snap, …, on) put the snapshot back and redeploy it; idempotent (may run after a crash)
 *   cleanup(snap)        remove what the failed attempt created (after the restored state is ready)
 *   manualRestoreSteps   the exact commands to finish a restore by hand when `restore` failed
 */
import type { PreviousContainerState } from '../apply/journal.js';
import type { WaitResult } from '../apply/readiness.js';

export const DEPLOY_TARGET_KINDS = ['compose', 'truenas'] as const;
export type DeployTargetKind = (typeof DEPLOY_TARGET_KINDS)[number];

/** One compose document as the target holds it. */
export interface DeployedFile {
  /** compose: the file's absolute path; truenas: `app:<name>` (the app's compose). */
  key: string;
  text: string;
}

/** What is deployed now. */
export interface DeployedState {
  kind: DeployTargetKind;
  /** compose: the project name (`-p`, or compose's default from the directory); truenas: the app name. */
  project: string;
  files: DeployedFile[];
}

/** What the transaction wants running, after it wrote the local files. */
export interface DesiredState {
  operation: 'apply' | 'restore';
  /** Mode applied, or `restore <history id>`. */
  mode: string;
  /** The new text of the local compose file (the source of truth). */
  compose: string;
  /** False when only side files changed: the target must still recreate the service so it reads them. */
  composeChanged: boolean;
  /** Compose service of the tailscale container. */
  service: string;
}

/** Progress of a deploy or restore; `percent` when the target reports one (TrueNAS jobs: 25/60/70/100). */
export interface DeployEvent {
  percent?: number;
  message: string;
}
export type DeployListener = (event: DeployEvent) => void;

/** Content-addressed blobs of the current history entry: where a snapshot keeps the deployed state. */
export interface SnapshotBlobs {
  /** Stores the bytes (fsynced) and returns their sha256. */
  save(bytes: Uint8Array): Promise<string>;
  read(sha256: string): Promise<Uint8Array>;
}

/** What `restore` needs; plain JSON, kept in the journal so a rollback after a crash can use it. */
export interface TargetSnapshot {
  kind: DeployTargetKind;
  project: string;
  /** The tailscale service's container before the change, when there was one. */
  container: PreviousContainerState | null;
  /** Deployed documents saved in the history entry (truenas: the `app.config` JSON); compose: none, its files are the local files. */
  saved: { key: string; sha256: string }[];
  /** Every Docker network and container name before the change, when the target can see the engine. */
  dockerBefore?: { networks: string[]; containers: string[] };
}

export type DeployResult =
  | {
      ok: true;
      /** The tailscale container this deploy replaced: `waitReady` ignores it and waits for the new one. */
      replacedId?: string;
      /** One line for the progress output, e.g. `docker compose up -d` or `app.update job 42`. */
      detail: string;
    }
  | { ok: false; message: string };

export type Drift =
  | { drifted: false }
  | {
      drifted: true;
      /** The deployed document compared (key) and the differing paths, e.g. `services.tailscale.network_mode`. */
      key: string;
      differences: string[];
    };

export interface DeployTarget {
  readonly kind: DeployTargetKind;
  /** How output names the deploy tool: `docker compose`, `docker-compose`, `TrueNAS app tailscale`. */
  readonly label: string;
  describe(): Promise<DeployedState>;
  /** Compares the deployed state with the local file as parsed data (see core/deploy/drift.ts). */
  drift(localCompose: string): Promise<Drift>;
  snapshot(blobs: SnapshotBlobs): Promise<TargetSnapshot>;
  validate(desired: DesiredState): Promise<{ ok: boolean; message: string }>;
  deploy(desired: DesiredState, before: TargetSnapshot, onEvent: DeployListener): Promise<DeployResult>;
  /** Waits for the service's container; `replacedId` is the container to ignore (the one before deploy). */
  waitReady(options: { service: string; timeoutMs: number; replacedId?: string }): Promise<WaitResult>;
  restore(snapshot: TargetSnapshot, blobs: SnapshotBlobs, onEvent: DeployListener): Promise<DeployResult>;
  /** Removes what the attempt created since the snapshot; one line per object removed. */
  cleanup(snapshot: TargetSnapshot): Promise<string[]>;
  manualRestoreSteps(snapshot: TargetSnapshot, service: string): string[];
}
