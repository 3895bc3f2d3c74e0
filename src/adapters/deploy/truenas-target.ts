import { stringify } from 'yaml';
import { waitForContainer } from '../../core/apply/readiness.js';
import { composeDrift } from '../../core/deploy/drift.js';
import type {
  DeployedState,
  DeployListener,
  DeployResult,
  DeployTarget,
  DesiredState,
  Drift,
  SnapshotBlobs,
  TargetSnapshot,
} from '../../core/deploy/target.js';
import type { ComposeProject, ComposeRunner } from '../../core/ports/compose.js';
import type { DockerEngine } from '../../core/ports/docker.js';
import { TailbridgeError } from '../../errors.js';
import { composeAccepts } from '../docker/staged-validate.js';
import { removeCreated, snapshotDocker } from '../transaction/docker-cleanup.js';
import { containerState, locateServiceContainer } from '../transaction/locate.js';
import type { JobOutcome, JobProgress, TrueNasApi } from '../truenas/api.js';
import { appConfig, composeProject, getApp, restoreCustomApp, updateCustomApp } from '../truenas/apps.js';

export interface TrueNasTargetOptions {
  app: string;
  /** Opens the run's one connection (WebSocket + login, or midclt) on first use. */
  connect: () => Promise<TrueNasApi>;
  /** The Docker engine that runs the app's containers (on the NAS itself, or DOCKER_HOST pointing at it). */
  engine: DockerEngine;
  /** Local `compose config` of the new file before the job (the middleware has no dry run). */
  compose?: ComposeRunner;
  /** The local project (paths.compose): validation stages the new file next to it. */
  localProject: ComposeProject;
  composeFile: string;
  service: string;
  settleMs?: number;
  pollMs?: number;
  jobPollMs?: number;
}

/**
 * The `truenas` deploy target: a TrueNAS custom app through the middleware's apps API (TS-25.10.6
 * plugins/apps/crud.py). State = `app.config` (the compose as a dict); deploy = one `app.update` job
 * with the new local compose as `custom_compose_config_string`, followed to its end; restore =
 * `app.update` with the `app.config` saved in history (`custom_compose_config`). The app runs as
 * compose project `ix-<app>`; the middleware re-dumps the compose with PyYAML, so drift compares parsed
 * data (core/deploy/drift.ts).
 */
export class TrueNasTarget implements DeployTarget {
  readonly kind = 'truenas' as const;
  #api: Promise<TrueNasApi> | undefined;

  constructor(private readonly options: TrueNasTargetOptions) {}

  get label(): string {
    return `TrueNAS app ${this.options.app}`;
  }

  /** Compose project of the app's containers (`ix-<app>`). */
  get project(): ComposeProject {
    return { ...this.options.localProject, projectName: composeProject(this.options.app) };
  }

  /** The run's one connection; the API rate-limits logins, so it is opened once and reused. */
  api(): Promise<TrueNasApi> {
    this.#api ??= this.options.connect();
    return this.#api;
  }

  async close(): Promise<void> {
    if (this.#api) await (await this.#api.catch(() => undefined))?.close();
  }

  async describe(): Promise<DeployedState> {
    const config = await this.#config();
    return {
      kind: 'truenas',
      project: this.options.app,
      files: [{ key: this.#key, text: configText(config) }],
    };
  }

  async drift(localCompose: string): Promise<Drift> {
    return composeDrift(this.#key, localCompose, configText(await this.#config()));
  }

  async snapshot(blobs: SnapshotBlobs): Promise<TargetSnapshot> {
    const config = await this.#config();
    const sha256 = await blobs.save(Buffer.from(JSON.stringify(config), 'utf8'));
    const before = await locateServiceContainer(this.options.engine, this.project, this.options.service);
    return {
      kind: 'truenas',
      project: composeProject(this.options.app),
      container: containerState(before),
      saved: [{ key: this.#key, sha256 }],
      dockerBefore: await snapshotDocker(this.options.engine),
    };
  }

  async validate(desired: DesiredState): Promise<{ ok: boolean; message: string }> {
    const { compose, localProject, composeFile } = this.options;
    if (!compose) return { ok: true, message: '' };
    return composeAccepts(compose, localProject, composeFile, Buffer.from(desired.compose, 'utf8'));
  }

  async deploy(
    desired: DesiredState,
    before: TargetSnapshot,
    onEvent: DeployListener,
  ): Promise<DeployResult> {
    const api = await this.api();
    const outcome = await updateCustomApp(api, this.options.app, desired.compose, this.#follow(onEvent));
    return this.#result(outcome, before.container?.id);
  }

  waitReady(options: { service: string; timeoutMs: number; replacedId?: string }) {
    const { engine, settleMs, pollMs } = this.options;
    return waitForContainer({
      engine,
      locate: () => locateServiceContainer(engine, this.project, options.service),
      timeoutMs: options.timeoutMs,
      ...(options.replacedId ? { notId: options.replacedId } : {}),
      ...(settleMs !== undefined ? { settleMs } : {}),
      ...(pollMs !== undefined ? { pollMs } : {}),
    });
  }

  /** `app.update` with the saved config; idempotent (the middleware serialises update jobs per app). */
  async restore(
    snapshot: TargetSnapshot,
    blobs: SnapshotBlobs,
    onEvent: DeployListener,
  ): Promise<DeployResult> {
    const saved = snapshot.saved.find((s) => s.key === this.#key) ?? snapshot.saved[0];
    if (!saved) return { ok: false, message: `no saved configuration of ${this.label} in history` };
    const config = JSON.parse(Buffer.from(await blobs.read(saved.sha256)).toString('utf8')) as Record<
      string,
      unknown
    >;
    const api = await this.api();
    const current = await locateServiceContainer(this.options.engine, this.project, this.options.service);
    const outcome = await restoreCustomApp(api, this.options.app, config, this.#follow(onEvent));
    return this.#result(outcome, current?.id);
  }

  async cleanup(snapshot: TargetSnapshot): Promise<string[]> {
    if (!snapshot.dockerBefore) return [];
    return removeCreated(this.options.engine, snapshot.dockerBefore, composeProject(this.options.app));
  }

  manualRestoreSteps(snapshot: TargetSnapshot, service: string): string[] {
    const saved = snapshot.saved[0];
    const app = this.options.app;
    return [
      `# the app's previous compose is the history blob ${saved ? saved.sha256 : '(none saved)'} under .tailbridge/history/; on the NAS:`,
      `midclt call -j app.update ${app} "$(jq -c '{custom_compose_config: .}' <that blob>)"`,
      `midclt call app.query '[["id","=","${app}"]]' | jq '.[0].state'   # RUNNING; ${service} runs in compose project ix-${app}`,
    ];
  }

  get #key(): string {
    return `app:${this.options.app}`;
  }

  async #config(): Promise<Record<string, unknown>> {
    const api = await this.api();
    const app = await getApp(api, this.options.app);
    if (!app.custom_app)
      throw new TailbridgeError(
        `${this.label} is a catalog app: tailbridge deploys only custom apps (Apps → Discover → Install via YAML)`,
      );
    return appConfig(api, this.options.app);
  }

  #follow(onEvent: DeployListener) {
    return {
      onProgress: (p: JobProgress) =>
        onEvent({
          ...(p.percent !== null ? { percent: p.percent } : {}),
          message: `job ${p.jobId}: ${p.description}`,
        }),
      ...(this.options.jobPollMs !== undefined ? { pollMs: this.options.jobPollMs } : {}),
    };
  }

  #result(outcome: JobOutcome, replacedId: string | undefined): DeployResult {
    if (!outcome.ok)
      return {
        ok: false,
        message: `app.update job ${outcome.jobId} ${outcome.state.toLowerCase()}: ${outcome.error}`,
      };
    return {
      ok: true,
      detail: `app.update job ${outcome.jobId} (${this.label}, compose project ix-${this.options.app})`,
      ...(replacedId ? { replacedId } : {}),
    };
  }
}

/**
 * The app's compose as YAML text, for drift and history. Dumped as YAML 1.1 so a string such as
 * "yes" or "on" stays quoted (drift reads both sides as YAML 1.1, like PyYAML).
 */
export function configText(config: Record<string, unknown>): string {
  return stringify(config, { version: '1.1' });
}
