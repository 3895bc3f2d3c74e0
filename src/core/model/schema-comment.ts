/** The editor modeline (first line) that points yaml-language-server at the config's JSON Schema. */
export const SCHEMA_MODELINE = /^# yaml-language-server: \$schema=\S*[^\n]*\n?/;

/** The modeline for `schemaUrl`. */
export function schemaModeline(schemaUrl: string): string {
  return `# yaml-language-server: $schema=${schemaUrl}`;
}

/** `text` with its first-line modeline pointing at `schemaUrl` (added when it has none). */
export function withSchemaModeline(text: string, schemaUrl: string): string {
  const line = `${schemaModeline(schemaUrl)}\n`;
  return SCHEMA_MODELINE.test(text) ? text.replace(SCHEMA_MODELINE, line) : line + text;
}
