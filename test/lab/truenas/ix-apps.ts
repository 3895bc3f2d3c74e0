/**
 * TEST DOUBLE of the TrueNAS middleware: the `.ix-apps` tree of custom apps, laid out as in
 * truenas/middleware TS-25.10.6 src/middlewared/middlewared/plugins/apps/ix_apps/path.py:
 *   <root>/metadata.yaml                                    collective metadata (app name → metadata)
 *   <root>/app_configs/<app>/metadata.yaml                  the app's metadata
 *   <root>/app_configs/<app>/versions/1.0.0/user_config.yaml        the user's compose (dump_yaml)
 *   <root>/app_configs/<app>/versions/1.0.0/templates/rendered/docker-compose.yaml  the same for a custom app
 * Custom apps are always version 1.0.0; files are written 0600 and only when changed
 * (ix_apps/lifecycle.py update_app_config, write_if_changed).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pyDump, pyLoad } from './pyyaml.js';

export const CUSTOM_APP_VERSION = '1.0.0';

export class IxApps {
  constructor(readonly root: string) {
    mkdirSync(path.join(root, 'app_configs'), { recursive: true });
  }

  appDir(app: string): string {
    return path.join(this.root, 'app_configs', app);
  }
  versionDir(app: string): string {
    return path.join(this.appDir(app), 'versions', CUSTOM_APP_VERSION);
  }
  userConfigPath(app: string): string {
    return path.join(this.versionDir(app), 'user_config.yaml');
  }
  renderedComposePath(app: string): string {
    return path.join(this.versionDir(app), 'templates', 'rendered', 'docker-compose.yaml');
  }

  apps(): string[] {
    const dir = path.join(this.root, 'app_configs');
    return readdirSync(dir)
      .filter((a) => existsSync(path.join(dir, a, 'metadata.yaml')))
      .sort();
  }

  exists(app: string): boolean {
    return existsSync(path.join(this.appDir(app), 'metadata.yaml'));
  }

  /** `get_current_app_config`: safe_yaml_load(user_config.yaml) or {}. */
  config(app: string): Record<string, unknown> {
    const r = pyLoad(readFileSync(this.userConfigPath(app), 'utf8'));
    return r.ok && r.data && typeof r.data === 'object' ? (r.data as Record<string, unknown>) : {};
  }

  /** `update_app_config` for a custom app: user_config.yaml and the rendered compose, both dump_yaml(values). */
  writeConfig(app: string, values: unknown): void {
    const text = pyDump(values);
    writeIfChanged(this.userConfigPath(app), text);
    writeIfChanged(this.renderedComposePath(app), text);
  }

  writeMetadata(app: string): void {
    const metadata = {
      app_version: 'custom',
      description:
        'This is a custom app where user can use his/her own docker compose file for deploying services',
      name: 'custom-app',
      title: 'Custom App',
      train: 'stable',
      version: CUSTOM_APP_VERSION,
    };
    writeIfChanged(
      path.join(this.appDir(app), 'metadata.yaml'),
      pyDump({ custom_app: true, metadata, migrated: false, portals: {} }),
    );
    this.writeCollectiveMetadata();
  }

  writeCollectiveMetadata(): void {
    const all: Record<string, unknown> = {};
    for (const app of this.apps()) {
      const r = pyLoad(readFileSync(path.join(this.appDir(app), 'metadata.yaml'), 'utf8'));
      all[app] = r.ok ? r.data : {};
    }
    writeIfChanged(path.join(this.root, 'metadata.yaml'), pyDump(all));
  }

  remove(app: string): void {
    rmSync(this.appDir(app), { recursive: true, force: true });
    this.writeCollectiveMetadata();
  }
}

function writeIfChanged(file: string, text: string): void {
  if (existsSync(file) && readFileSync(file, 'utf8') === text) return;
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, text, { mode: 0o600 });
  renameSync(tmp, file);
}
