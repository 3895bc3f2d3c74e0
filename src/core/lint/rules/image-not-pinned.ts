import { defineRule } from '../rule.js';
import { interpolationDefaults, isInterpolated } from '../values.js';

/** The tag of an image reference ('' when untagged), or undefined when pinned by digest. */
export function imageTag(image: string): string | undefined {
  if (image.includes('@')) return undefined;
  const last = image.slice(image.lastIndexOf('/') + 1);
  const colon = last.indexOf(':');
  return colon === -1 ? '' : last.slice(colon + 1);
}

const FLOATING = new Set(['', 'latest', 'stable', 'unstable']);

export const imageNotPinned = defineRule({
  id: 'image-not-pinned',
  severity: 'warning',
  category: 'reliability',
  description: 'A Tailscale image uses :latest, :stable, :unstable or no tag instead of a version.',
  source: 'ts-kb-1282',
  check({ model }) {
    const out = [];
    for (const s of model.tailscaleServices()) {
      const written = model.image(s);
      const interpolated = written !== undefined && isInterpolated(written);
      const image = interpolated ? interpolationDefaults(written) : written;
      if (image === undefined || !/tailscale\/tailscale/.test(image)) continue;
      const tag = imageTag(image);
      if (tag === undefined || !FLOATING.has(tag)) continue;
      const shown = interpolated ? `${written}, which is ${image} when the variable is unset` : image;
      out.push({
        path: [...s.path, 'image'],
        message: `service "${s.name}" uses ${shown}${tag === '' ? ' (untagged = latest)' : ''}: a pull or recreate can silently move to a new Tailscale release with different containerboot behaviour; pin a version such as tailscale/tailscale:v1.102.3 (or a digest)`,
      });
    }
    return out;
  },
});
