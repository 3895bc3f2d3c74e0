/**
 * TEST DOUBLE of the TrueNAS middleware: the apps methods tailbridge uses, for custom apps, after
 * truenas/middleware tag TS-25.10.6 src/middlewared/middlewared/plugins/apps/:
 *   crud.py query     entries (AppEntry) with `config` when options.extra.retrieve_config
 *   crud.py config    safe_yaml_load(user_config.yaml)
 *   crud.py do_create custom app: validate → 25 → write config → 60 → compose up → 100
 *   crud.py do_update job, lock `app_update_<app>`: get_instance (App <name> does not exist) →
 *                     validate_payload (custom_app_utils.py) → 25 'Initial Validation completed' →
 *                     update_app_config → 60 'Configuration updated' → unless STOPPED: 70 'Updating
 *                     docker resources' + compose_action up (down --remove-orphans, then up -d
 *                     --force-recreate --remove-orphans) → 100 "Update completed for '<app>'"
 *   compose_utils.py  a failed compose: CallError("Failed 'up' action for '<app>' app. Please check
 *                     /var/log/app_lifecycle.log for more details")
 */
import type { DoubleCompose } from './compose.js';
import { CUSTOM_APP_VERSION, type IxApps } from './ix-apps.js';
import type { JobHandle, Jobs } from './jobs.js';
import { pyDump, pyLoad } from './pyyaml.js';
import { CallError, ERRNO, type MethodSpec, ValidationErrors } from './rpc-server.js';
import { activeWorkloads, appState, projectContainers } from './workloads.js';

const SECRET = '********';

export interface AppsServiceOptions {
  store: IxApps;
  jobs: Jobs;
  /** Null: no compose v2 here (validation and deploy then fail like a NAS without docker would). */
  compose: DoubleCompose | null;
  /** Fault injection for tests: a message when the next compose up must fail (then cleared). */
  takeFault?: () => string | undefined;
}

export function appsMethods(o: AppsServiceOptions): Record<string, MethodSpec> {
  const entry = (app: string, withConfig = false) => {
    const containers = projectContainers(app);
    return {
      name: app,
      id: app,
      state: appState(containers),
      upgrade_available: false,
      latest_version: CUSTOM_APP_VERSION,
      image_updates_available: false,
      custom_app: true,
      migrated: false,
      human_version: CUSTOM_APP_VERSION,
      version: CUSTOM_APP_VERSION,
      metadata: { name: 'custom-app', title: 'Custom App', train: 'stable', version: CUSTOM_APP_VERSION },
      active_workloads: activeWorkloads(containers),
      notes: null,
      portals: {},
      version_details: null,
      ...(withConfig ? { config: o.store.config(app) } : {}),
    };
  };
  const instance = (app: string) => {
    if (!o.store.exists(app)) throw new ValidationErrors([[null, `App ${app} does not exist`, ERRNO.ENOENT]]);
    return entry(app);
  };

  const validatePayload = async (data: Record<string, unknown>, schema: string): Promise<unknown> => {
    const hasDict = isNonEmpty(data.custom_compose_config);
    const hasString = isNonEmpty(data.custom_compose_config_string);
    if (!hasDict && !hasString)
      throw new ValidationErrors([
        [`${schema}.custom_compose_config`, 'This field is required', ERRNO.EINVAL],
      ]);
    if (hasDict && hasString)
      throw new ValidationErrors([
        [
          `${schema}.custom_compose_config_string`,
          'Only one of these fields should be provided',
          ERRNO.EINVAL,
        ],
      ]);
    let config: unknown = data.custom_compose_config;
    let yamlText: string;
    if (hasString) {
      const parsed = pyLoad(String(data.custom_compose_config_string));
      if (!parsed.ok)
        throw new ValidationErrors([
          [`${schema}.custom_compose_config_string`, 'Invalid YAML provided', ERRNO.EINVAL],
        ]);
      config = parsed.data;
      yamlText = String(data.custom_compose_config_string);
    } else yamlText = pyDump(config);
    const field = hasString ? 'custom_compose_config_string' : 'custom_compose_config';
    if (!o.compose)
      throw new ValidationErrors([
        [
          `${schema}.${field}`,
          'Invalid compose configuration: docker compose is not available',
          ERRNO.EINVAL,
        ],
      ]);
    const valid = await o.compose.validate(yamlText);
    if (!valid.ok)
      throw new ValidationErrors([
        [`${schema}.${field}`, `Invalid compose configuration: ${valid.error}`, ERRNO.EINVAL],
      ]);
    return config;
  };

  const composeUp = async (app: string) => {
    const injected = o.takeFault?.();
    if (injected !== undefined) {
      process.stderr.write(`[truenas double] injected compose failure for ix-${app}: ${injected}\n`);
      throw new CallError(
        `Failed 'up' action for '${app}' app. Please check /var/log/app_lifecycle.log for more details`,
      );
    }
    const r = o.compose
      ? await o.compose.up(app, o.store.renderedComposePath(app))
      : { code: 1, stderr: 'no compose' };
    if (r.code !== 0) {
      process.stderr.write(`[truenas double] compose up ix-${app} failed: ${r.stderr}\n`);
      throw new CallError(
        `Failed 'up' action for '${app}' app. Please check /var/log/app_lifecycle.log for more details`,
      );
    }
  };

  const update = async (job: JobHandle, app: string, data: Record<string, unknown>) => {
    const current = instance(app);
    const values = await validatePayload(data, 'app_update');
    job.setProgress(25, 'Initial Validation completed');
    o.store.writeConfig(app, values);
    job.setProgress(60, 'Configuration updated');
    if (current.state !== 'STOPPED') {
      job.setProgress(70, 'Updating docker resources');
      await composeUp(app);
    }
    job.setProgress(100, `Update completed for '${app}'`);
    return entry(app);
  };

  const create = async (job: JobHandle, data: Record<string, unknown>) => {
    const app = String(data.app_name);
    if (o.store.exists(app)) throw new CallError(`Application with name ${app} already exists`, 17);
    if (data.custom_app !== true)
      throw new CallError('The test double implements custom apps only', ERRNO.EINVAL);
    const values = await validatePayload(data, 'app_create');
    job.setProgress(25, 'Initial Validation completed');
    o.store.writeConfig(app, values);
    o.store.writeMetadata(app);
    job.setProgress(60, 'App installation in progress, pulling images');
    await composeUp(app);
    job.setProgress(100, `'${app}' installed successfully`);
    return entry(app);
  };

  const remove = async (job: JobHandle, app: string) => {
    instance(app);
    job.setProgress(20, `Deleting '${app}' app`);
    if (o.compose) await o.compose.down(app, o.store.renderedComposePath(app));
    job.setProgress(80, 'Cleaning up resources');
    o.store.remove(app);
    job.setProgress(100, `Deleted '${app}' app`);
    return true;
  };

  return {
    'core.ping': { schema: 'none', noAuth: true, handler: () => 'pong' },
    'app.query': {
      schema: 'query-args',
      handler: ([filters = [], options = {}]) => {
        const retrieve = Boolean(
          (options as { extra?: { retrieve_config?: boolean } }).extra?.retrieve_config,
        );
        return o.store
          .apps()
          .map((a) => entry(a, retrieve))
          .filter((e) =>
            (filters as unknown[][]).every(
              ([f, op, v]) => op !== '=' || (e as Record<string, unknown>)[String(f)] === v,
            ),
          );
      },
    },
    'app.config': {
      schema: 'app.config',
      handler: ([app]) => {
        instance(String(app));
        return o.store.config(String(app));
      },
    },
    'app.update': {
      schema: 'app.update',
      handler: ([app, data = {}]) =>
        o.jobs.start(
          'app.update',
          [app, redact(data as Record<string, unknown>)],
          `app_update_${app}`,
          (job) => update(job, String(app), data as Record<string, unknown>),
        ),
    },
    'app.create': {
      schema: 'app.create',
      handler: ([data]) =>
        o.jobs.start('app.create', [redact(data as Record<string, unknown>)], `app_create`, (job) =>
          create(job, data as Record<string, unknown>),
        ),
    },
    'app.delete': {
      schema: 'app.delete',
      handler: ([app]) =>
        o.jobs.start('app.delete', [app], `app_delete_${app}`, (job) => remove(job, String(app))),
    },
    'core.get_jobs': {
      schema: 'query-args',
      handler: ([filters = []]) => o.jobs.query(filters as unknown[]),
    },
  };
}

function isNonEmpty(v: unknown): boolean {
  if (v === undefined || v === null || v === '') return false;
  if (typeof v === 'object') return Object.keys(v as object).length > 0;
  return true;
}

/** Secret[...] fields are dumped as `********` in core.get_jobs arguments (middleware dump_args). */
function redact(data: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...data };
  for (const k of ['values', 'custom_compose_config', 'custom_compose_config_string'])
    if (k in out) out[k] = SECRET;
  return out;
}
