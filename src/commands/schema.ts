import type { Io } from '../cli/io.js';
import { configJsonSchema } from '../core/model/json-schema.js';
import { ExitCode } from '../errors.js';

/** `tailbridge schema`: the JSON Schema of tailbridge.yaml. */
export async function schema(io: Io): Promise<number> {
  io.stdout(`${JSON.stringify(configJsonSchema(), null, 2)}\n`);
  return ExitCode.ok;
}
