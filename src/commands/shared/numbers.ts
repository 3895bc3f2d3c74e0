import { TailbridgeError } from '../../errors.js';

/** A positive number of seconds from an option, or the default. */
export function positiveSeconds(value: number | undefined, def: number, flag: string): number {
  if (value === undefined) return def;
  if (!Number.isFinite(value) || value <= 0)
    throw new TailbridgeError(`${flag} must be a positive number of seconds`);
  return value;
}

/** A whole number ≥ 1 from an option, or the default. */
export function positiveCount(value: number | undefined, def: number, flag: string): number {
  if (value === undefined) return def;
  if (!Number.isInteger(value) || value < 1) throw new TailbridgeError(`${flag} must be a whole number ≥ 1`);
  return value;
}
