import {
  COMPOSE_PROJECT_LABEL,
  createdSince,
  type DockerSnapshot,
  defaultProjectName,
} from '../../core/apply/cleanup.js';
import type { ComposeProject } from '../../core/ports/compose.js';
import type { ContainerInfo, DockerEngine } from '../../core/ports/docker.js';

/** Names of every network and container right now (taken before an attempt deploys). */
export async function snapshotDocker(engine: DockerEngine): Promise<DockerSnapshot> {
  const { networks, containers } = await engine.listObjects();
  return { networks: networks.map((n) => n.name), containers: containers.map((c) => c.name) };
}

/** The compose project name: `-p`, else the label compose put on a container of it, else compose's default. */
export function composeProjectName(project: ComposeProject, ...known: (ContainerInfo | undefined)[]): string {
  if (project.projectName) return project.projectName;
  const labelled = known.find((c) => c?.labels[COMPOSE_PROJECT_LABEL]);
  return labelled?.labels[COMPOSE_PROJECT_LABEL] ?? defaultProjectName(project.cwd);
}

/**
 * Removes the containers and networks of `project` that did not exist in `before` (containers first,
 * so their networks are free). Returns one line per removal; a network still in use by a container
 * of the restored configuration is kept and reported.
 */
export async function removeCreated(
  engine: DockerEngine,
  before: DockerSnapshot,
  project: string,
): Promise<string[]> {
  const created = createdSince(before, await engine.listObjects(), project);
  const lines: string[] = [];
  for (const c of created.containers) {
    await engine.removeContainer(c.id);
    lines.push(`removed container ${c.name}`);
  }
  for (const n of created.networks) {
    try {
      await engine.removeNetwork(n.id);
      lines.push(`removed network ${n.name}`);
    } catch (e) {
      lines.push(`kept network ${n.name}: ${(e as Error).message.split('\n')[0]}`);
    }
  }
  return lines;
}

/** docker-compose v1 renames the container it recreates to `<12 hex of its id>_<name>` first. */
const RECREATE_TEMP = /^[0-9a-f]{12}_/;

/**
 * Containers of this compose service left half-recreated by a compose that was killed (or is still
 * running for a killed tailbridge): v1's temporary `<id>_<name>` copies. Removing them lets the next
 * `up --force-recreate` build the service from the restored file. Returns their names.
 */
export async function removeRecreateLeftovers(
  engine: DockerEngine,
  project: ComposeProject,
  service: string,
): Promise<string[]> {
  const all = await engine.listContainers({ label: [`com.docker.compose.service=${service}`], all: true });
  const name = composeProjectName(project, ...all);
  const leftovers = all.filter((c) => c.labels[COMPOSE_PROJECT_LABEL] === name && RECREATE_TEMP.test(c.name));
  for (const c of leftovers) await engine.removeContainer(c.id);
  return leftovers.map((c) => c.name);
}
