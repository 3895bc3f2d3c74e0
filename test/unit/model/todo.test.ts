import { describe, expect, it } from 'vitest';
import { todoProblems } from '../../../src/core/model/todo.js';

describe('TODO values in tailbridge.yaml', () => {
  it('reports each value still marked TODO at its position; a TODO on a comment line is advice', () => {
    const text = `version: 1
lan:
  subnet: 198.18.20.0/24        # from eth1
  gateway: 198.18.20.1   # TODO the LAN router: the routing table shows none on 198.18.20.0/24
  # dhcpRange: { start: x.x.x.100, end: x.x.x.199 }   # TODO copy the router's DHCP pool
  parentKind: veth   # check: macvlan needs the vSwitch to accept extra MACs
tailscale:
  auth: { method: env_file, path: /TODO/tailscale.env }   # TODO the env file holding TS_AUTHKEY
`;
    expect(todoProblems('tailbridge.yaml', text)).toEqual([
      {
        file: 'tailbridge.yaml',
        line: 4,
        column: 12,
        message:
          'TODO not filled in: the LAN router: the routing table shows none on 198.18.20.0/24 (set the value, then delete the TODO comment)',
      },
      {
        file: 'tailbridge.yaml',
        line: 8,
        column: 9,
        message:
          'TODO not filled in: the env file holding TS_AUTHKEY (set the value, then delete the TODO comment)',
      },
    ]);
  });
});
