import { isMap, isScalar } from 'yaml';
import type { ComposeEdit } from './edits.js';
import type { YamlSource } from './yaml-source.js';

/**
 * Services that `edits` change key by key (`set`/`delete` under `services.<name>`) but that neither
 * the file defines nor an edit puts whole. Merging such an edit would create a stub service with
 * only that key — no image, no build — which compose rejects (sidecar mode edits the app services,
 * so it needs the compose file that holds them). Pure.
 */
export function undefinedEditedServices(source: YamlSource, edits: readonly ComposeEdit[]): string[] {
  const services = source.doc.get('services', true);
  const defined = new Set<string>();
  if (isMap(services))
    for (const pair of services.items) if (isScalar(pair.key)) defined.add(String(pair.key.value));
  for (const e of edits) if (e.op === 'put' && e.path[0] === 'services') defined.add(e.path[1]);
  const missing: string[] = [];
  for (const e of edits) {
    if (e.op === 'put' || e.path[0] !== 'services' || e.path.length < 3) continue;
    const name = e.path[1]!;
    if (!defined.has(name) && !missing.includes(name)) missing.push(name);
  }
  return missing;
}
