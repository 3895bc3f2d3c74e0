import { writeFileSync } from 'node:fs';
import { configJsonSchema } from '../src/core/model/json-schema.js';

writeFileSync(
  new URL('../schemas/tailbridge.schema.json', import.meta.url),
  `${JSON.stringify(configJsonSchema(), null, 2)}\n`,
);
console.log('wrote schemas/tailbridge.schema.json');
