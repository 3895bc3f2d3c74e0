/** Positions (line:col-endLine:endCol severity) the "serve-sidecar" rules report on their bad.yaml fixtures. */
export const EXPECTED_SERVE_SIDECAR: Record<string, string[]> = {
  'tailscaled-custom-command': ['4:17-4:30 error', '14:17-14:114 warning'],
  'serve-overwrite': ['10:9-17:1 error', '10:9-17:1 error'],
  'serve-config-not-mounted': ['6:24-6:42 error'],
  'serve-config-cert-domain-interpolated': ['14:14-17:1 error'],
  'serve-config-with-dest-ip': ['7:19-7:29 error'],
  'sidecar-ports': ['11:5-11:10 error'],
  'sidecar-not-waiting-healthy': ['13:19-13:33 warning', '18:9-18:15 warning'],
  'healthcheck-cannot-pass': ['9:13-9:69 error', '19:13-19:59 error', '31:20-31:35 error'],
  'sidecar-accept-dns': ['9:22-9:28 warning'],
};
