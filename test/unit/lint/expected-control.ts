/** Positions (line:col-endLine:endCol severity) the control-server rules report on their bad.yaml fixtures. */
export const EXPECTED_CONTROL: Record<string, string[]> = {
  'login-server-not-https': ['6:9-6:71 warning'],
  // Needs the homelab config: see control.test.ts.
  'login-server-mismatch': [],
  'oauth-without-tags': ['6:25-6:59 error'],
  'auth-key-with-oauth': ['6:19-6:47 error'],
  'headscale-advertise-tags': ['7:22-7:91 error'],
  'oauth-with-headscale': ['6:25-6:59 error'],
};
