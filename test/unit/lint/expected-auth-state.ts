/** Positions (line:col-endLine:endCol severity) the "auth-state" rules report on their bad.yaml fixtures. */
export const EXPECTED_AUTH_STATE: Record<string, string[]> = {
  'state-not-persisted': ['4:5-4:16 error', '13:9-13:28 error'],
  'auth-key-inline': ['6:19-6:61 error', '7:22-7:99 error'],
  'auth-once-extra-args': ['7:9-7:69 warning'],
  'routes-in-extra-args': ['6:9-6:82 warning'],
  'routes-duplicated': ['7:22-7:68 error'],
  'accept-routes-loop': ['11:22-11:37 warning', '20:22-20:42 info'],
  'ts-bool-invalid': ['6:21-6:26 warning', '7:31-7:35 warning'],
  'hostname-collision': ['13:20-13:25 error'],
  'docker-socket-mounted': ['8:9-8:53 warning', '9:9-12:1 warning'],
};
