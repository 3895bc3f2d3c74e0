import { realpathSync } from 'node:fs';
import type { PreviousContainerState } from '../../core/apply/journal.js';
import type { ComposeProject } from '../../core/ports/compose.js';
import type { ContainerInfo, DockerEngine } from '../../core/ports/docker.js';

const SERVICE = 'com.docker.compose.service';
const PROJECT = 'com.docker.compose.project';
const WORKDIR = 'com.docker.compose.project.working_dir';
export const CONFIG_HASH = 'com.docker.compose.config-hash';

/**
 * The container compose runs for `service` in this project: matched by compose's labels (service,
 * and project name when given, else the project's working directory). Prefers a running one.
 */
export async function locateServiceContainer(
  engine: DockerEngine,
  project: ComposeProject,
  service: string,
): Promise<ContainerInfo | undefined> {
  const all = await engine.listContainers({ label: [`${SERVICE}=${service}`], all: true });
  const cwd = real(project.cwd);
  const mine = all.filter((c) =>
    project.projectName
      ? c.labels[PROJECT] === project.projectName
      : c.labels[WORKDIR] !== undefined && real(c.labels[WORKDIR]) === cwd,
  );
  mine.sort((a, b) => rank(b) - rank(a) || (b.startedAt ?? '').localeCompare(a.startedAt ?? ''));
  return mine[0];
}

function rank(c: ContainerInfo): number {
  return c.state === 'running' ? 2 : c.state === 'restarting' ? 1 : 0;
}

function real(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return p;
  }
}

export function containerState(c: ContainerInfo | undefined): PreviousContainerState | null {
  if (!c) return null;
  const hash = c.labels[CONFIG_HASH];
  return {
    id: c.id,
    name: c.name,
    image: c.image,
    state: c.state,
    running: c.state === 'running',
    ...(hash ? { configHash: hash } : {}),
  };
}
