/**
 * TEST DOUBLE of the TrueNAS middleware: an app's state and active workloads read from the real
 * Docker engine by compose project `ix-<app>` (shape: TS-25.10.6 api/v25_10_0/app.py AppEntry,
 * AppActiveWorkloads, AppContainerDetails; states: plugins/apps/ix_apps/utils.py AppState/ContainerState).
 */
import { spawnSync } from 'node:child_process';

interface PsLine {
  ID: string;
  Image: string;
  State: string;
  Labels: string;
  Names: string;
}

export interface ContainerDetail {
  id: string;
  service_name: string;
  image: string;
  port_config: unknown[];
  state: 'crashed' | 'created' | 'exited' | 'running' | 'starting';
  volume_mounts: unknown[];
}

export function projectContainers(app: string): ContainerDetail[] {
  const r = spawnSync(
    'docker',
    ['ps', '-a', '--filter', `label=com.docker.compose.project=ix-${app}`, '--format', '{{json .}}'],
    { encoding: 'utf8' },
  );
  if (r.status !== 0) return [];
  return r.stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as PsLine)
    .map((c) => ({
      id: c.ID,
      service_name: /com\.docker\.compose\.service=([^,]+)/.exec(c.Labels)?.[1] ?? c.Names,
      image: c.Image,
      port_config: [],
      state: containerState(c.State),
      volume_mounts: [],
    }));
}

function containerState(s: string): ContainerDetail['state'] {
  if (s === 'running') return 'running';
  if (s === 'created') return 'created';
  if (s === 'restarting') return 'starting';
  if (s === 'dead') return 'crashed';
  return 'exited';
}

export function appState(containers: ContainerDetail[]): 'CRASHED' | 'DEPLOYING' | 'RUNNING' | 'STOPPED' {
  if (containers.length === 0) return 'STOPPED';
  if (containers.every((c) => c.state === 'running')) return 'RUNNING';
  if (containers.some((c) => c.state === 'starting' || c.state === 'created')) return 'DEPLOYING';
  if (containers.some((c) => c.state === 'crashed')) return 'CRASHED';
  return 'STOPPED';
}

export function activeWorkloads(containers: ContainerDetail[]) {
  return {
    containers: containers.length,
    used_ports: [],
    used_host_ips: [],
    container_details: containers,
    volumes: [],
    images: [...new Set(containers.map((c) => c.image))],
    networks: [],
  };
}
