import { docsPath, type RuleMeta } from '../rule.js';

/** Findings the engine reports itself (no `check`); listed so suppressions, docs and SARIF know them. */
export const yamlSyntax: RuleMeta = {
  id: 'yaml-syntax',
  severity: 'error',
  category: 'schema',
  description: 'The file is not valid YAML (tabs, duplicate keys, bad indentation, unknown anchors).',
  docs: docsPath('yaml-syntax'),
};

export const notCompose: RuleMeta = {
  id: 'not-compose',
  severity: 'error',
  category: 'schema',
  description: 'The file is empty or is YAML that is not a Compose file.',
  docs: docsPath('not-compose'),
};

export const unreadableFile: RuleMeta = {
  id: 'unreadable-file',
  severity: 'error',
  category: 'schema',
  description: 'The file could not be read as text (missing, binary, or too large).',
  docs: docsPath('unreadable-file'),
};

export const composeSchema: RuleMeta = {
  id: 'compose-schema',
  severity: 'error',
  category: 'schema',
  description: 'The file does not match the Compose Specification schema.',
  docs: docsPath('compose-schema'),
};

export const invalidSuppression: RuleMeta = {
  id: 'invalid-suppression',
  severity: 'warning',
  category: 'reliability',
  description:
    'A tailbridge-disable-next-line comment has no reason, names an unknown rule, or suppresses nothing.',
  docs: docsPath('invalid-suppression'),
};

export const META_RULES: readonly RuleMeta[] = [
  yamlSyntax,
  notCompose,
  unreadableFile,
  composeSchema,
  invalidSuppression,
];
