/**
 * The `target:` section `init --discover` drafts when it finds a TrueNAS middleware (midclt on this
 * host, or `--truenas-url`). Pure: the adapter passes what it found.
 */
export interface TrueNasFound {
  /** wss URL when reached over the network; absent = midclt on the NAS itself. */
  url?: string;
  apiKeyFile?: string;
  /** The certificate fingerprint seen at init time (to be compared with the NAS's UI). */
  fingerprint?: string;
  caFile?: string;
  /** Custom apps whose containers run a tailscale image. */
  tailscaleApps: string[];
  /** Every app, for the TODO when none runs tailscale. */
  apps: string[];
  /** Why the apps could not be listed (no key file given, login refused…). */
  error?: string;
}

const q = (s: string) => JSON.stringify(s);

export function truenasTargetLines(f: TrueNasFound): string[] {
  const L = ['target:', '  kind: truenas'];
  if (f.url) L.push(`  url: ${q(f.url)}`);
  const [app] = f.tailscaleApps;
  if (app)
    L.push(
      `  app: ${app}${f.tailscaleApps.length > 1 ? `   # check: apps running tailscale: ${f.tailscaleApps.join(', ')}` : '   # the custom app running tailscale'}`,
    );
  else
    L.push(
      `  app: tailscale   # TODO the custom app of the tailscale stack${f.error ? ` (apps not listed: ${f.error})` : f.apps.length ? ` (apps: ${f.apps.join(', ')})` : ''}`,
    );
  if (f.url) {
    L.push(
      `  apiKeyFile: ${q(f.apiKeyFile ?? 'truenas.key')}${f.apiKeyFile ? '' : '   # TODO a file holding only the API key (chmod 600)'}`,
    );
    if (f.caFile) L.push('  tls:', `    caFile: ${q(f.caFile)}`);
    else if (f.fingerprint)
      L.push(
        '  tls:',
        `    fingerprint: ${q(f.fingerprint)}   # check: the certificate seen by init; compare with System → Certificates on the NAS`,
      );
  }
  L.push(
    "# check: paths.compose is your copy of the app's compose (the source of truth tailbridge pushes to the app);",
    `#        start it from \`midclt call app.config ${app ?? '<app>'}\` if you have none.`,
  );
  return L;
}
