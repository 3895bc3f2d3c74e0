/**
 * What an attempt created in Docker, so a rollback can remove exactly that (pure). The snapshot is
 * taken before the attempt deploys anything; afterwards, a network or container of the same compose
 * project whose name was not in the snapshot was created by the attempt. Anything that existed
 * before — other projects, external networks, the user's own containers — is never a candidate.
 */

/** Names of every network and container before the attempt. */
export interface DockerSnapshot {
  networks: string[];
  containers: string[];
}

export interface DockerObject {
  id: string;
  name: string;
  labels: Record<string, string>;
}

export const COMPOSE_PROJECT_LABEL = 'com.docker.compose.project';

export interface CreatedObjects {
  containers: DockerObject[];
  networks: DockerObject[];
}

/** The project's networks and containers that are not in `before`. */
export function createdSince(
  before: DockerSnapshot,
  now: { networks: readonly DockerObject[]; containers: readonly DockerObject[] },
  project: string,
): CreatedObjects {
  const mine = (o: DockerObject) => o.labels[COMPOSE_PROJECT_LABEL] === project;
  const had = { networks: new Set(before.networks), containers: new Set(before.containers) };
  return {
    containers: now.containers.filter((c) => mine(c) && !had.containers.has(c.name)),
    networks: now.networks.filter((n) => mine(n) && !had.networks.has(n.name)),
  };
}

/**
 * Compose's default project name for a directory (what `-p` defaults to): the directory name in
 * lower case without characters other than letters, digits, `-` and `_` (compose v1 and v2).
 */
export function defaultProjectName(dir: string): string {
  const base = dir.replace(/\/+$/, '').split('/').pop() ?? '';
  return base.toLowerCase().replace(/[^-_a-z0-9]/g, '');
}
