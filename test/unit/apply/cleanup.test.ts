import { describe, expect, it } from 'vitest';
import { createdSince, type DockerObject, defaultProjectName } from '../../../src/core/apply/cleanup.js';

const o = (name: string, project?: string): DockerObject => ({
  id: `id-${name}`,
  name,
  labels: project ? { 'com.docker.compose.project': project } : {},
});

describe('createdSince', () => {
  it('is the project’s networks and containers that did not exist before — nothing else', () => {
    const before = {
      networks: ['bridge', 'jellyfin_network', 'stack_default'],
      containers: ['tailscale', 'jellyfin'],
    };
    const now = {
      networks: [
        o('bridge'),
        o('jellyfin_network'),
        o('stack_default', 'stack'),
        o('stack_lan', 'stack'),
        o('other_net', 'other'),
      ],
      containers: [
        o('tailscale', 'stack'),
        o('jellyfin', 'apps'),
        o('ts-jellyfin', 'stack'),
        o('stray', 'other'),
      ],
    };
    const created = createdSince(before, now, 'stack');
    expect(created.networks.map((n) => n.name)).toEqual(['stack_lan']);
    expect(created.containers.map((c) => c.name)).toEqual(['ts-jellyfin']);
  });
});

describe('defaultProjectName', () => {
  it('follows compose: lower case, only letters, digits, - and _', () => {
    expect(defaultProjectName('/mnt/Fast/docker/My Stack.v2/')).toBe('mystackv2');
    expect(defaultProjectName('/srv/tailscale_stack')).toBe('tailscale_stack');
  });
});
