import { describe, expect, it } from 'vitest';
import { validateComposeText } from '../../../src/core/compose/validate.js';
import { generate } from '../../../src/core/generate/index.js';
import { MODES } from '../../../src/core/model/modes.js';
import { example, variant } from './helpers.js';

describe.each(MODES)('%s with the example homelab', (mode) => {
  const g = generate(example(), mode);

  it('matches the compose snapshot', async () => {
    await expect(g.compose).toMatchFileSnapshot(`__snapshots__/${mode}.compose.yaml`);
  });

  it('matches the side file snapshots', async () => {
    for (const file of g.files)
      await expect(file.content).toMatchFileSnapshot(`__snapshots__/${mode}/${file.path}`);
  });

  it('passes the Compose Specification schema', () => {
    expect(validateComposeText(`${mode}.compose.yaml`, g.compose)).toEqual([]);
  });
});

describe('userspace with a Headscale control server', () => {
  const g = generate(
    variant((c) => {
      c.tailscale.controlServer = 'https://headscale.example.com';
    }),
    'userspace',
  );

  it('matches the compose snapshot (--login-server in TS_EXTRA_ARGS)', async () => {
    await expect(g.compose).toMatchFileSnapshot('__snapshots__/userspace.headscale.compose.yaml');
  });
});
