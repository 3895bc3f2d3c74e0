import { pathToFileURL } from 'node:url';

/**
 * The JSON Schema of tailbridge.yaml as shipped in this installation of the package (`schemas/` sits
 * two levels above both src/adapters and dist/adapters), as a file:// URL: it works for a global
 * install, `npm link` and a local node_modules alike, unlike a path relative to the config file.
 */
export function installedSchemaUrl(): string {
  return pathToFileURL(new URL('../../schemas/tailbridge.schema.json', import.meta.url).pathname).href;
}
