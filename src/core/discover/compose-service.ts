import path from 'node:path';
import { isMap, parseDocument } from 'yaml';
import { volumeSource, volumeTarget } from '../lint/values.js';

/** What the compose file that started a container says about its service (no values of env files). */
export interface ComposeServiceFacts {
  /** env_file entries, absolute (relative ones resolved against the project's working directory). */
  envFiles: string[];
  /** Host file of a compose secret the service reads TS_AUTHKEY from (`TS_AUTHKEY=file:/run/secrets/<name>`). */
  authSecretFile?: string;
  /** The auth key is written literally in `environment:` (never copied; the draft says so). */
  inlineAuthKey: boolean;
  /** Volumes as host source → container target, sources resolved. */
  volumes: { source: string; target: string }[];
}

const AUTH_VARS = ['TS_AUTHKEY', 'TS_AUTH_KEY'];

function envEntries(env: unknown): Record<string, string | undefined> {
  if (Array.isArray(env))
    return Object.fromEntries(
      env
        .filter((e): e is string => typeof e === 'string')
        .map((e) =>
          e.includes('=') ? [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)] : [e, undefined],
        ),
    );
  if (env && typeof env === 'object')
    return Object.fromEntries(
      Object.entries(env as Record<string, unknown>).map(([k, v]) => [k, v === null ? undefined : String(v)]),
    );
  return {};
}

function envFilePaths(value: unknown): string[] {
  const items = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return items
    .map((i) =>
      typeof i === 'string' ? i : i && typeof i === 'object' ? (i as { path?: unknown }).path : undefined,
    )
    .filter((p): p is string => typeof p === 'string' && p !== '');
}

const resolve = (workingDir: string | undefined, p: string) =>
  path.posix.isAbsolute(p) || !workingDir ? p : path.posix.resolve(workingDir, p);

/**
 * The facts of `service` in a compose file's text (pure; undefined when the file does not parse or
 * has no such service). Relative paths resolve against the project's working directory, as compose
 * resolves them (the `com.docker.compose.project.working_dir` label).
 */
export function composeServiceFacts(
  text: string,
  service: string,
  workingDir: string | undefined,
): ComposeServiceFacts | undefined {
  let root: unknown;
  try {
    const doc = parseDocument(text);
    if (doc.errors.length > 0 || !isMap(doc.contents)) return undefined;
    root = doc.toJS({ maxAliasCount: 10_000 });
  } catch {
    return undefined;
  }
  const services = (root as { services?: Record<string, unknown> }).services;
  const svc = services?.[service];
  if (!svc || typeof svc !== 'object') return undefined;
  const s = svc as Record<string, unknown>;
  const env = envEntries(s.environment);
  const auth = AUTH_VARS.map((v) => env[v]).find((v) => v !== undefined);
  const secretName = auth?.startsWith('file:/run/secrets/')
    ? auth.slice('file:/run/secrets/'.length)
    : undefined;
  const secrets = (root as { secrets?: Record<string, { file?: unknown }> }).secrets;
  const secretFile = secretName ? secrets?.[secretName]?.file : undefined;
  const volumes = (Array.isArray(s.volumes) ? s.volumes : [])
    .map((v) => ({ source: volumeSource(v), target: volumeTarget(v) }))
    .filter((v): v is { source: string; target: string } => Boolean(v.source && v.target))
    .map((v) => ({
      source: v.source.startsWith('.') || v.source.startsWith('/') ? resolve(workingDir, v.source) : v.source,
      target: v.target,
    }));
  return {
    envFiles: envFilePaths(s.env_file).map((p) => resolve(workingDir, p)),
    ...(typeof secretFile === 'string' ? { authSecretFile: resolve(workingDir, secretFile) } : {}),
    inlineAuthKey:
      (auth !== undefined && !auth.startsWith('file:') && !/^\$\{?[A-Za-z_]/.test(auth)) ||
      /(^|\s)--?(authkey|auth-key)(=|\s+)(?!\$)\S/.test(env.TS_EXTRA_ARGS ?? ''),
    volumes,
  };
}
