import { z } from 'zod';
import { Config } from './config.js';

/** JSON Schema (draft-07, input side) of tailbridge.yaml for editor completion. */
export function configJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(Config, { target: 'draft-7', io: 'input', unrepresentable: 'any' }),
    $id: 'https://tailbridge.dev/schemas/tailbridge.schema.json',
    title: 'tailbridge homelab config',
  };
}
