/** Positions (line:col-endLine:endCol severity) the rules the corpus called for report on their bad.yaml fixtures. */
export const EXPECTED_CORPUS: Record<string, string[]> = {
  'privileged-unneeded': ['4:17-4:21 warning'],
  'capabilities-unused': ['6:9-6:18 warning', '8:9-8:19 warning'],
  'system-dir-mounted': ['7:9-7:26 warning'],
  'healthcheck-addr-deprecated': ['6:9-6:48 warning', '17:33-17:47 error'],
  'addr-port-invalid': ['7:27-7:41 error'],
  'env-literal-quotes': ['6:9-6:26 error', '7:9-7:55 error'],
  'extra-args-invalid': ['7:9-7:72 error', '15:9-15:38 error'],
  'extra-args-reset': ['6:9-6:61 info'],
  'exit-node-self': ['6:9-6:96 error'],
  'serve-cli-with-serve-config': ['11:18-11:66 warning'],
  'auth-key-file-prefix-missing': ['6:19-6:42 error'],
  'magicdns-resolver-userspace': ['5:9-5:24 error'],
  'undefined-reference': ['8:9-10:1 error', '11:9-11:14 error', '13:9-13:36 error'],
};
