import { TailbridgeError } from '../../errors.js';
import type { JobOutcome, TrueNasApi } from './api.js';
import { type FollowOptions, runJob } from './jobs.js';

/**
 * The apps methods tailbridge uses, typed after TS-25.10.6
 * src/middlewared/middlewared/api/v25_10_0/app.py (AppEntry, AppConfigArgs, AppUpdateArgs) and
 * plugins/apps/crud.py (`config` returns the parsed user_config.yaml; `do_update` is a job:
 * 25 validated → 60 configuration updated → 70 docker resources → 100).
 */
export interface AppContainer {
  id: string;
  service_name: string;
  image: string;
  state: 'crashed' | 'created' | 'exited' | 'running' | 'starting';
}

export interface AppEntry {
  name: string;
  id: string;
  state: 'CRASHED' | 'DEPLOYING' | 'RUNNING' | 'STOPPED' | 'STOPPING';
  custom_app: boolean;
  version: string;
  active_workloads: {
    containers: number;
    container_details: AppContainer[];
    images: string[];
    networks: { Name: string; Id: string; Labels: Record<string, unknown> }[];
  };
  config?: Record<string, unknown> | null;
}

/** Compose project of an app: `ix-<app>` (plugins/apps/utils.py PROJECT_PREFIX). */
export function composeProject(app: string): string {
  return `ix-${app}`;
}

export async function queryApps(
  api: TrueNasApi,
  app?: string,
  options: { retrieveConfig?: boolean } = {},
): Promise<AppEntry[]> {
  const filters = app ? [['id', '=', app]] : [];
  const r = await api.call('app.query', [
    filters,
    options.retrieveConfig ? { extra: { retrieve_config: true } } : {},
  ]);
  if (!Array.isArray(r))
    throw new TailbridgeError(`TrueNAS API ${api.endpoint}: app.query did not return a list`);
  return r as AppEntry[];
}

/** The app, or a one-line error naming the apps that exist. */
export async function getApp(api: TrueNasApi, app: string): Promise<AppEntry> {
  const [entry] = await queryApps(api, app);
  if (entry) return entry;
  const names = (await queryApps(api)).map((a) => a.name);
  throw new TailbridgeError(
    `TrueNAS API ${api.endpoint}: no app named ${app} (apps: ${names.length ? names.join(', ') : 'none'}); set target.app`,
  );
}

export async function appConfig(api: TrueNasApi, app: string): Promise<Record<string, unknown>> {
  const r = await api.call('app.config', [app]);
  if (r === null || typeof r !== 'object' || Array.isArray(r))
    throw new TailbridgeError(`TrueNAS API ${api.endpoint}: app.config ${app} did not return a mapping`);
  return r as Record<string, unknown>;
}

/** `app.update <app> {custom_compose_config_string}` followed to the job's end. */
export function updateCustomApp(
  api: TrueNasApi,
  app: string,
  compose: string,
  follow: FollowOptions = {},
): Promise<JobOutcome> {
  return runJob(api, 'app.update', [app, { custom_compose_config_string: compose }], follow);
}

/** `app.update <app> {custom_compose_config}`: restores a saved `app.config` dict as it was. */
export function restoreCustomApp(
  api: TrueNasApi,
  app: string,
  config: Record<string, unknown>,
  follow: FollowOptions = {},
): Promise<JobOutcome> {
  return runJob(api, 'app.update', [app, { custom_compose_config: config }], follow);
}

/** Apps whose containers (or, stopped, whose compose services) run a tailscale image (discover). */
export function tailscaleApps(apps: AppEntry[]): AppEntry[] {
  return apps.filter((a) => appImages(a).some((image) => TAILSCALE_IMAGE.test(image)));
}

/** `tailscale/tailscale`, `ghcr.io/tailscale/tailscale`, any tag or digest. */
const TAILSCALE_IMAGE = /(^|\/)tailscale\/tailscale(:|@|$)/;

function appImages(a: AppEntry): string[] {
  const running = [
    ...(a.active_workloads?.images ?? []),
    ...(a.active_workloads?.container_details ?? []).map((c) => c.image),
  ];
  const services = (a.config as { services?: Record<string, { image?: unknown }> } | null | undefined)
    ?.services;
  const configured = Object.values(services ?? {})
    .map((s) => s?.image)
    .filter((i): i is string => typeof i === 'string');
  return [...running, ...configured];
}
