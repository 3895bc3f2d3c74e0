import { readFile } from 'node:fs/promises';
import { waitForContainer } from '../../core/apply/readiness.js';
import { composeDrift } from '../../core/deploy/drift.js';
import type {
  DeployedState,
  DeployListener,
  DeployResult,
  DeployTarget,
  DesiredState,
  Drift,
  TargetSnapshot,
} from '../../core/deploy/target.js';
import type { ComposeProject, ComposeRunner } from '../../core/ports/compose.js';
import type { DockerEngine } from '../../core/ports/docker.js';
import { composeAccepts } from '../docker/staged-validate.js';
import {
  composeProjectName,
  removeCreated,
  removeRecreateLeftovers,
  snapshotDocker,
} from '../transaction/docker-cleanup.js';
import { containerState, locateServiceContainer } from '../transaction/locate.js';
import { waitForStrayCompose } from '../transaction/stray-compose.js';

export interface ComposeTargetOptions {
  engine: DockerEngine;
  compose: ComposeRunner;
  project: ComposeProject;
  /** The compose file tailbridge edits (the first of the project's files). */
  composeFile: string;
  service: string;
  /** Readiness without a healthcheck: how long the container must stay up (default 3 s). */
  settleMs?: number;
  pollMs?: number;
}

/**
 * The `compose` deploy target: the project's files on this host and `docker compose` (v2, else
 * docker-compose v1). Its deployed files are the local files the transaction writes, so `deploy`
 * only runs compose, and `restore` redeploys the files the transaction put back.
 */
export class ComposeTarget implements DeployTarget {
  readonly kind = 'compose' as const;

  constructor(private readonly options: ComposeTargetOptions) {}

  get label(): string {
    return this.options.compose.flavor === 'v2' ? 'docker compose' : 'docker-compose';
  }

  async describe(): Promise<DeployedState> {
    const { project, engine, service } = this.options;
    const files = await Promise.all(
      project.files.map(async (key) => ({ key, text: await readFile(key, 'utf8').catch(() => '') })),
    );
    const container = await locateServiceContainer(engine, project, service);
    return { kind: 'compose', project: composeProjectName(project, container), files };
  }

  /** The deployed file is the local file: drift only when the file on disk is not the text given. */
  async drift(localCompose: string): Promise<Drift> {
    const onDisk = await readFile(this.options.composeFile, 'utf8').catch(() => '');
    return composeDrift(this.options.composeFile, localCompose, onDisk);
  }

  async snapshot(): Promise<TargetSnapshot> {
    const { project, engine, service } = this.options;
    const before = await locateServiceContainer(engine, project, service);
    return {
      kind: 'compose',
      project: composeProjectName(project, before),
      container: containerState(before),
      saved: [],
      dockerBefore: await snapshotDocker(engine),
    };
  }

  validate(desired: DesiredState): Promise<{ ok: boolean; message: string }> {
    const { compose, project, composeFile } = this.options;
    return composeAccepts(compose, project, composeFile, Buffer.from(desired.compose, 'utf8'));
  }

  async deploy(
    desired: DesiredState,
    before: TargetSnapshot,
    _onEvent: DeployListener,
  ): Promise<DeployResult> {
    const { compose, project, engine, service } = this.options;
    const up = await compose.up(project, desired.operation === 'restore' ? { removeOrphans: true } : {});
    if (up.exitCode !== 0)
      return { ok: false, message: `compose up failed: ${lastLines(up.stderr || up.stdout)}` };
    const after = await locateServiceContainer(engine, project, service);
    const beforeId = before.container?.id;
    let replaced = !beforeId || after?.id !== beforeId;
    if (!replaced && !desired.composeChanged) {
      // Only side files changed: compose kept the container; recreate it so it reads them.
      const again = await compose.up(project, { services: [service], forceRecreate: true });
      if (again.exitCode !== 0)
        return { ok: false, message: `compose up failed: ${lastLines(again.stderr || again.stdout)}` };
      replaced = true;
    }
    // When the compose change left this service alone (sidecar mode edits the apps), its running
    // container is the one to wait for; otherwise wait for the new one.
    return {
      ok: true,
      detail: `${this.label} up -d`,
      ...(beforeId && replaced ? { replacedId: beforeId } : {}),
    };
  }

  waitReady(options: { service: string; timeoutMs: number; replacedId?: string }) {
    const { engine, project, settleMs, pollMs } = this.options;
    return waitForContainer({
      engine,
      locate: () => locateServiceContainer(engine, project, options.service),
      timeoutMs: options.timeoutMs,
      ...(options.replacedId ? { notId: options.replacedId } : {}),
      ...(settleMs !== undefined ? { settleMs } : {}),
      ...(pollMs !== undefined ? { pollMs } : {}),
    });
  }

  /**
   * `compose up -d --force-recreate --remove-orphans` of the files the transaction restored. After
   * a crash the killed run's compose may still be bringing the new configuration up, or may have
   * left a recreate half done: wait for it, and on failure remove the half-recreated leftovers and
   * try again (three attempts).
   */
  async restore(_snapshot: TargetSnapshot, _blobs: unknown, onEvent: DeployListener): Promise<DeployResult> {
    const { compose, project, engine, service } = this.options;
    const stray = await waitForStrayCompose(project.files);
    if (stray.length > 0)
      onEvent({ message: `waited for the interrupted run's compose (pid ${stray.join(', ')})` });
    const beforeUp = await locateServiceContainer(engine, project, service);
    const recreate = { forceRecreate: true, removeOrphans: true };
    let up = await compose.up(project, recreate);
    for (let attempt = 1; up.exitCode !== 0 && attempt < 3; attempt++) {
      await new Promise((r) => setTimeout(r, 2_000 * attempt));
      const removed = await removeRecreateLeftovers(engine, project, service);
      onEvent({
        message: `compose up failed (${lastLines(up.stderr || up.stdout)}); retrying${removed.length ? ` after removing the half-recreated ${removed.join(', ')}` : ''}`,
      });
      up = await compose.up(project, recreate);
    }
    if (up.exitCode !== 0)
      return { ok: false, message: `compose up failed: ${lastLines(up.stderr || up.stdout)}` };
    return {
      ok: true,
      detail: 'up -d --force-recreate --remove-orphans',
      ...(beforeUp ? { replacedId: beforeUp.id } : {}),
    };
  }

  async cleanup(snapshot: TargetSnapshot): Promise<string[]> {
    if (!snapshot.dockerBefore) return [];
    const { engine, project, service } = this.options;
    const name =
      snapshot.project || composeProjectName(project, await locateServiceContainer(engine, project, service));
    return removeCreated(engine, snapshot.dockerBefore, name);
  }

  manualRestoreSteps(_snapshot: TargetSnapshot, service: string): string[] {
    const { project } = this.options;
    const files = project.files.map((f) => `-f ${shellQuote(f)}`).join(' ');
    const name = project.projectName ? ` -p ${shellQuote(project.projectName)}` : '';
    return [
      `cd ${shellQuote(project.cwd)} && ${this.label} ${files}${name} up -d --force-recreate --remove-orphans`,
      `docker ps -a --filter label=com.docker.compose.service=${service}   # check it is running (and healthy)`,
    ];
  }
}

function lastLines(text: string): string {
  return text.trim().split('\n').slice(-3).join(' ').trim();
}

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}
