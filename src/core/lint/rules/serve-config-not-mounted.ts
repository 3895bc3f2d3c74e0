import { isRecord } from '../compose-model.js';
import { defineRule, type Report } from '../rule.js';
import { isInterpolated, isUnderPath, volumeTarget } from '../values.js';

const OFFICIAL_IMAGE =
  /^(?:(?:docker\.io|index\.docker\.io|registry-1\.docker\.io|ghcr\.io)\/)?tailscale\/tailscale(?:[:@]|$)/;

/** Container-side targets of `configs:` / `secrets:` entries (short form: /<name>, /run/secrets/<name>). */
function fileTargets(entries: unknown[], base: string): (string | undefined)[] {
  return entries.map((e) => {
    if (typeof e === 'string') return `${base}${e}`;
    if (isRecord(e)) {
      if (typeof e['target'] === 'string')
        return e['target'].startsWith('/') ? e['target'] : `${base}${e['target']}`;
      if (typeof e['source'] === 'string') return `${base}${e['source']}`;
    }
    return undefined;
  });
}

export const serveConfigNotMounted = defineRule({
  id: 'serve-config-not-mounted',
  severity: 'error',
  category: 'tailscale',
  description: 'TS_SERVE_CONFIG points at a path that no volumes:/configs: target provides in the container.',
  source: 'serve-config',
  check({ model }) {
    const out: Report[] = [];
    for (const s of model.tailscaleServices()) {
      const v = model.environment(s).get('TS_SERVE_CONFIG');
      const file = v?.value;
      if (!v || file === undefined || !file.startsWith('/')) continue;
      // A custom image (build:, other name) may ship the file itself.
      const image = model.image(s);
      if (s.value['build'] !== undefined || image === undefined || !OFFICIAL_IMAGE.test(image)) continue;
      const volumes = model.list(s, 'volumes').map(volumeTarget);
      const files = [
        ...fileTargets(model.list(s, 'configs'), '/'),
        ...fileTargets(model.list(s, 'secrets'), '/run/secrets/'),
      ];
      const targets = [...volumes, ...files];
      if (targets.some((t) => t === undefined || isInterpolated(t))) continue;
      const dir = file.slice(0, file.lastIndexOf('/')) || '/';
      if (volumes.some((t) => isUnderPath(dir, t!))) continue;
      if (targets.some((t) => t === file)) {
        out.push({
          path: v.path,
          severity: 'info',
          message: `service "${s.name}": TS_SERVE_CONFIG ${file} is mounted as a single file; containerboot watches the file's directory (${dir}), and editors that replace the file are not seen through a file bind mount — mount the directory to get live reloads`,
        });
        continue;
      }
      out.push({
        path: v.path,
        message: `service "${s.name}": TS_SERVE_CONFIG is ${file}, but no volumes:/configs: target provides ${file} or ${dir}; containerboot logs "no serve config … skipping" and serves nothing — mount the directory holding serve.json at ${dir}`,
      });
    }
    return out;
  },
});
