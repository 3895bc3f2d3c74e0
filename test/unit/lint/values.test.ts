import { describe, expect, it } from 'vitest';
import {
  flagValue,
  isInterpolated,
  parseGoBool,
  splitArgs,
  unescapeDollars,
} from '../../../src/core/lint/values.js';

describe('values', () => {
  it.each([
    ['${VAR}', true],
    ['$VAR', true],
    ['${VAR:-x}', true],
    ['a${VAR?err}b', true],
    ['$$VAR', false],
    ['$${VAR}', false],
    ['$$$VAR', true],
    ['cost $5', false],
    ['plain', false],
    ['$', false],
  ])('isInterpolated(%s) = %s', (v, expected) => expect(isInterpolated(v)).toBe(expected));

  it('unescapes $$', () => expect(unescapeDollars('$${TS_CERT_DOMAIN}')).toBe('${TS_CERT_DOMAIN}'));

  it('parses booleans exactly like Go strconv.ParseBool', () => {
    for (const t of ['1', 't', 'T', 'TRUE', 'true', 'True']) expect(parseGoBool(t)).toBe(true);
    for (const f of ['0', 'f', 'F', 'FALSE', 'false', 'False']) expect(parseGoBool(f)).toBe(false);
    for (const x of ['yes', 'no', 'on', 'off', 'tRUE', '', ' true', 'y'])
      expect(parseGoBool(x)).toBeUndefined();
  });

  it('reads flags from TS_EXTRA_ARGS', () => {
    const args = splitArgs(
      '  --advertise-routes=10.0.0.0/8  --accept-routes --hostname box --advertise-exit-node=false ',
    );
    expect(flagValue(args, 'advertise-routes')).toBe('10.0.0.0/8');
    expect(flagValue(args, 'accept-routes')).toBe(true);
    expect(flagValue(args, 'hostname')).toBe('box');
    expect(flagValue(args, 'advertise-exit-node')).toBe('false');
    expect(flagValue(args, 'missing')).toBeUndefined();
  });
});
