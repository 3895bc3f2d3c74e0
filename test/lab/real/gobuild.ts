/**
 * Builds pinned Go binaries from their modules into <cache>/bin/<key>/, once. A build.json manifest
 * next to the binaries records the inputs; a second call with the same inputs returns at once.
 *
 * `go install module/cmd/x@version` fails on some modules here (403 on the proxy's @v/list), so the
 * module is fetched with `go mod download -json module@version` and built inside the directory it
 * reports — the module's own go.mod and go.sum, exactly what `go install …@version` would use.
 * GOMODCACHE and GOCACHE keep their default locations (outside the work tree).
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { run, runVisible } from './sh.js';
import { cacheDir, type GoBuild } from './versions.js';

export interface BuiltBinaries {
  dir: string;
  /** Absolute path per binary name. */
  paths: Record<string, string>;
  /** false when the cache already held them. */
  built: boolean;
}

function goEnv(): NodeJS.ProcessEnv {
  return {
    ...process.env,
    CGO_ENABLED: '0',
    GOWORK: 'off',
    GOTOOLCHAIN: 'local',
    GOFLAGS: '-buildvcs=false',
  };
}

function manifestOf(spec: GoBuild, goVersion: string): string {
  return `${JSON.stringify({ ...spec, goVersion, cgo: false }, null, 2)}\n`;
}

export function binDir(spec: GoBuild): string {
  return path.join(cacheDir(), 'bin', spec.key);
}

function cachedPaths(spec: GoBuild): Record<string, string> {
  return Object.fromEntries(spec.binaries.map((b) => [b.name, path.join(binDir(spec), b.name)]));
}

function goVersion(): string {
  return run('go', ['env', 'GOVERSION'], { env: goEnv() }).trim();
}

/** true when <cache>/bin/<key> holds every binary built from exactly these inputs. */
export function isBuilt(spec: GoBuild): boolean {
  const manifest = path.join(binDir(spec), 'build.json');
  if (!existsSync(manifest)) return false;
  if (!Object.values(cachedPaths(spec)).every((p) => existsSync(p))) return false;
  try {
    return readFileSync(manifest, 'utf8') === manifestOf(spec, goVersion());
  } catch {
    return false;
  }
}

/** The module's source directory in GOMODCACHE (downloads it the first time). */
export function moduleDir(spec: GoBuild): string {
  const out = run('go', ['mod', 'download', '-json', `${spec.module}@${spec.version}`], {
    env: goEnv(),
    timeoutMs: 30 * 60_000,
  });
  const info = JSON.parse(out) as { Dir?: string; Error?: string };
  if (!info.Dir) throw new Error(`go mod download ${spec.module}@${spec.version}: ${info.Error ?? 'no Dir'}`);
  return info.Dir;
}

/** Builds the binaries unless the cache holds them already. */
export function ensureGoBuild(spec: GoBuild, log: (line: string) => void = () => {}): BuiltBinaries {
  const dir = binDir(spec);
  if (isBuilt(spec)) return { dir, paths: cachedPaths(spec), built: false };
  const src = moduleDir(spec);
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  try {
    for (const b of spec.binaries) {
      log(`go build ${spec.module}@${spec.version} ${b.pkg} → ${b.name}`);
      const args = ['build', '-o', path.join(tmp, b.name)];
      if (spec.trimpath) args.push('-trimpath');
      if (spec.tags.length) args.push('-tags', spec.tags.join(','));
      if (spec.ldflags.length) args.push('-ldflags', spec.ldflags.join(' '));
      runVisible('go', [...args, b.pkg], { cwd: src, env: goEnv() });
    }
    writeFileSync(path.join(tmp, 'build.json'), manifestOf(spec, goVersion()));
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(path.dirname(dir), { recursive: true });
    renameSync(tmp, dir);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return { dir, paths: cachedPaths(spec), built: true };
}
