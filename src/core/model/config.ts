import { z } from 'zod';
import { LintSettings } from '../lint/settings.js';
import { CONTROL_KINDS, type ControlKind, controlKindOf, DEFAULT_CONTROL_SERVER } from './control-kind.js';
import { cidrContains, isIPv4Cidr, isIPv6Cidr, parseIPv4 } from './net.js';
import { Target } from './target.js';

export { CONTROL_KINDS, type ControlKind, controlKindOf, DEFAULT_CONTROL_SERVER };

const ipv4 = z
  .string()
  .refine((s) => parseIPv4(s) !== undefined, 'must be an IPv4 address like 192.168.20.10');
const cidr = z
  .string()
  .refine((s) => isIPv4Cidr(s) || isIPv6Cidr(s), 'must be a CIDR prefix like 192.168.20.0/24');
const ipv4Cidr = z.string().refine(isIPv4Cidr, 'must be an IPv4 CIDR prefix like 192.168.20.0/24');
const name = z
  .string()
  .regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/, 'must be a Docker-style name (letters, digits, _ . -)');
const pinnedImage = z
  .string()
  .refine(
    (s) =>
      /^[^\s]+(:[A-Za-z0-9_][A-Za-z0-9_.-]*|@sha256:[0-9a-f]{64})$/.test(s) &&
      !/:(latest|stable|unstable)$/.test(s),
    {
      message:
        'must be pinned to a version tag or digest (e.g. tailscale/tailscale:v1.102.3), not latest/stable or untagged',
    },
  );

const controlServerUrl = z.string().refine(
  (s) => {
    try {
      const u = new URL(s);
      return (u.protocol === 'https:' || u.protocol === 'http:') && !u.search && !u.hash && !u.username;
    } catch {
      return false;
    }
  },
  { message: 'must be an http(s) URL like https://headscale.example.com' },
);

export const Lan = z
  .object({
    subnet: ipv4Cidr.describe('The LAN subnet, e.g. 192.168.20.0/24.'),
    gateway: ipv4.describe('The LAN router.'),
    parentInterface: z
      .string()
      .min(1)
      .describe(
        'Host interface that carries the LAN (macvlan parent). On TrueNAS use br0/bond0/vlanN when present.',
      ),
    parentKind: z
      .enum(['ethernet', 'bridge', 'bond', 'vlan', 'veth', 'wifi', 'unknown'])
      .default('unknown')
      .describe('Kind of the parent interface; Wi-Fi cannot carry macvlan.'),
    macvlan: z
      .object({
        address: ipv4.describe('Fixed LAN address for the tailscale container.'),
        ipRange: ipv4Cidr.describe(
          'Slice of the LAN Docker may hand out to macvlan containers (outside the DHCP range).',
        ),
        shimAddress: ipv4.describe(
          'Host-side shim address (a /32 outside DHCP) so the host can reach the container.',
        ),
        usedAddresses: z
          .array(ipv4)
          .default([])
          .describe('Addresses already in use on the LAN (static hosts, other macvlan containers).'),
      })
      .optional()
      .describe('Addresses reserved for the macvlan option (C). Omit when no address is free.'),
    dhcpRange: z
      .object({ start: ipv4, end: ipv4 })
      .optional()
      .describe("The router's DHCP pool; macvlan addresses must stay out of it."),
  })
  .strict();

export const Auth = z.discriminatedUnion('method', [
  z
    .object({
      method: z.literal('env_file'),
      path: z.string().min(1).describe('env file holding TS_AUTHKEY=…'),
    })
    .strict(),
  z
    .object({
      method: z.literal('secret_file'),
      path: z.string().min(1).describe('host file holding only the auth key; mounted as a compose secret'),
    })
    .strict(),
  z
    .object({
      method: z.literal('oauth'),
      clientSecretFile: z
        .string()
        .min(1)
        .optional()
        .describe(
          'host file holding only the OAuth client secret (tskey-client-…, optionally ?ephemeral=false&preauthorized=true); mounted as a compose secret and passed as TS_CLIENT_SECRET=file:/run/secrets/ts_client_secret',
        ),
      clientIdEnvFile: z
        .string()
        .min(1)
        .optional()
        .describe('older form: env file holding TS_CLIENT_SECRET (and TS_CLIENT_ID)'),
    })
    .strict()
    .describe(
      "An OAuth client of Tailscale's control plane mints a tagged auth key at login (needs tailscale.tags); clientSecretFile or clientIdEnvFile.",
    ),
]);

const envName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be the NAME of an environment variable (letters, digits, _)');

/** Where a secret is read from: a file or an environment variable, named here — never the secret itself. */
export const SecretRef = z
  .object({
    file: z
      .string()
      .min(1)
      .optional()
      .describe('file holding only the secret (relative to tailbridge.yaml); chmod 600'),
    env: envName.optional().describe('name of the environment variable holding the secret'),
  })
  .strict()
  .describe('Where the secret is read from: { file: path } or { env: NAME } (never the secret itself).');

export const ControlApi = z
  .object({
    url: controlServerUrl
      .optional()
      .describe(
        "API base URL. Default: controlServer for Headscale, https://api.tailscale.com for Tailscale's control plane.",
      ),
    tailnet: z
      .string()
      .min(1)
      .default('-')
      .describe("Tailscale only: the tailnet of the API paths; '-' is the credential's own tailnet."),
    caFile: z
      .string()
      .min(1)
      .optional()
      .describe(
        'PEM file of a private CA that signed the API server’s certificate (trusted in addition to the system CAs).',
      ),
    apiKey: SecretRef.optional().describe(
      'Headscale API key (headscale apikeys create) or Tailscale API access token (tskey-api-…).',
    ),
    oauth: z
      .object({
        clientId: z.string().min(1).describe('OAuth client ID (not secret).'),
        clientSecret: SecretRef.describe('Where the OAuth client secret is read from.'),
      })
      .strict()
      .optional()
      .describe(
        'Tailscale only: an OAuth client whose scopes allow reading and writing device routes (KB 1623).',
      ),
  })
  .strict();

export const Control = z
  .object({
    kind: z
      .enum(CONTROL_KINDS)
      .optional()
      .describe(
        'Which control server controlServer is. Default: tailscale for *.tailscale.com, headscale for any other URL.',
      ),
    baseDomain: z
      .string()
      .regex(
        /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]*[a-z0-9])?$/,
        'must be a DNS name without a trailing dot, like tail1234.ts.net or ts.example.com',
      )
      .optional()
      .describe(
        "MagicDNS suffix of the tailnet: Headscale's dns.base_domain, or the tailnet DNS name on Tailscale (tailXXXX.ts.net).",
      ),
    api: ControlApi.optional().describe(
      "Read routes from the control server's API and approve them (tailbridge routes, verify L3).",
    ),
  })
  .strict();

export const Tailscale = z
  .object({
    service: name.default('tailscale').describe('Compose service name of the tailscale container.'),
    containerName: name.default('tailscale'),
    hostname: z
      .string()
      .regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/, 'must be a DNS label (lowercase letters, digits, -)')
      .describe('Tailnet machine name.'),
    image: pinnedImage.default('tailscale/tailscale:v1.102.3'),
    stateDir: z
      .string()
      .startsWith('/', 'must be an absolute host path')
      .describe('Host directory for tailscaled state (persists the node identity).'),
    auth: Auth,
    advertiseRoutes: z.array(cidr).default([]),
    acceptRoutes: z.boolean().default(false),
    exitNode: z.boolean().default(false),
    tags: z.array(z.string().regex(/^tag:[a-z0-9-]+$/, 'must look like tag:name')).default([]),
    controlServer: controlServerUrl
      .default(DEFAULT_CONTROL_SERVER)
      .describe(
        "Control server URL; another one than Tailscale's (e.g. Headscale) is passed to `tailscale up` as --login-server.",
      ),
    control: Control.optional().describe(
      'What the control server is (Tailscale or Headscale), its MagicDNS domain and API access.',
    ),
  })
  .strict();

export const Service = z
  .object({
    name: name.describe('Display name.'),
    service: name.optional().describe('Compose service name (defaults to name).'),
    container: name.optional().describe('Container name (defaults to the service name).'),
    port: z.number().int().min(1).max(65535),
    protocol: z.enum(['http', 'https', 'tcp']).default('http'),
    network: name.describe('Docker network the service is on.'),
    publishedOnHost: z
      .boolean()
      .default(false)
      .describe('Whether the port is published on the Docker host (ports:).'),
  })
  .strict();

export const Requirements = z
  .object({
    subnetRouting: z
      .boolean()
      .default(true)
      .describe('Reach LAN devices from the tailnet via advertised routes.'),
    dockerServiceDiscovery: z
      .boolean()
      .default(true)
      .describe('Reach services by container name from the tailscale container.'),
    nonHttpServices: z.boolean().default(false),
    hostAccess: z
      .boolean()
      .default(true)
      .describe(
        "Tailnet devices reach the Docker host's own LAN address through the router (e.g. the NAS web UI).",
      ),
    hostToTailnet: z
      .boolean()
      .default(false)
      .describe(
        'Processes on the Docker host itself dial tailnet devices (only host mode gives the host a tailnet route).',
      ),
    exitNode: z.boolean().default(false),
    reachAtTailscaleIp: z.boolean().default(false).describe('Reach services at <tailscale-ip>:<port>.'),
    priority: z.enum(['isolation', 'balanced', 'performance']).default('balanced'),
  })
  .strict();

export const Paths = z
  .object({
    compose: z.string().min(1).default('compose.yaml'),
    notes: z.string().min(1).optional(),
    researchNote: z.string().min(1).optional(),
    decisions: z.string().min(1).default('docs/decisions'),
  })
  .strict();

export const Host = z
  .object({
    name: z.string().min(1),
    address: ipv4,
    platform: z.enum(['truenas', 'linux']).default('linux'),
    truenasVersion: z
      .string()
      .optional()
      .describe('e.g. 25.04.1 — decides which shim interface names TrueNAS leaves alone.'),
  })
  .strict();

export const VerifyLanTarget = z
  .object({
    name: z.string().min(1).describe('Display name, e.g. printer.'),
    address: ipv4.describe('LAN address of the target.'),
    port: z.number().int().min(1).max(65535).describe('TCP port that must accept a connection.'),
  })
  .strict();

export const VerifyProbe = z
  .object({
    image: z
      .string()
      .min(1)
      .optional()
      .describe('Image of the ephemeral probe container (default: tailscale.image).'),
    environment: z
      .record(z.string(), z.string())
      .default({})
      .describe(
        'Extra environment for the probe container (e.g. TS_EXTRA_ARGS=--login-server=https://headscale.example). Values are never printed.',
      ),
    volumes: z
      .array(z.string().min(1))
      .default([])
      .describe('Extra bind mounts for the probe container, compose short syntax (host:container[:ro]).'),
    timeoutSeconds: z
      .number()
      .int()
      .min(5)
      .max(600)
      .default(90)
      .describe('How long to wait for the probe to reach BackendState Running.'),
  })
  .strict();

export const Verify = z
  .object({
    lanTargets: z
      .array(VerifyLanTarget)
      .default([])
      .describe('LAN devices (besides the gateway and the host) that must be reachable through the router.'),
    probe: VerifyProbe.default(VerifyProbe.parse({})).describe(
      'The ephemeral tailnet probe container of `tailbridge verify --probe`.',
    ),
  })
  .strict();

export const Config = z
  .object({
    $schema: z.string().optional(),
    version: z.literal(1).default(1),
    lan: Lan,
    host: Host,
    tailscale: Tailscale,
    services: z.array(Service).default([]),
    requirements: Requirements.default(Requirements.parse({})),
    paths: Paths.default(Paths.parse({})),
    target: Target.default(Target.parse({})).describe(
      'Where the stack is deployed (default: compose files on this host). The local compose file stays the source of truth.',
    ),
    verify: Verify.optional().describe(
      'Settings of `tailbridge verify` (extra LAN targets, the probe container).',
    ),
    lint: LintSettings.optional().describe(
      'Settings of `tailbridge lint`: rule id → off, info, warning or error, or { level, options }. A .tailbridgerc found upward from the working directory, and --rule on the command line, override it.',
    ),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (!cidrContains(c.lan.subnet, c.lan.gateway))
      ctx.addIssue({
        code: 'custom',
        path: ['lan', 'gateway'],
        message: `is outside lan.subnet ${c.lan.subnet}`,
      });
    if (!cidrContains(c.lan.subnet, c.host.address))
      ctx.addIssue({
        code: 'custom',
        path: ['host', 'address'],
        message: `is outside lan.subnet ${c.lan.subnet}`,
      });
    refineControl(c.tailscale, ctx);
    const names = new Set<string>();
    c.services.forEach((s, i) => {
      if (names.has(s.name))
        ctx.addIssue({
          code: 'custom',
          path: ['services', i, 'name'],
          message: `duplicate service name "${s.name}"`,
        });
      names.add(s.name);
    });
  });

type TailscaleOut = z.output<typeof Tailscale>;
type RefineCtx = z.RefinementCtx;

/** A value that is a key itself, not a path or a variable name. */
const LOOKS_LIKE_KEY = /^(tskey|hskey)-/;

function refineSecretRef(ref: z.output<typeof SecretRef>, path: (string | number)[], ctx: RefineCtx): void {
  const given = [ref.file, ref.env].filter((v) => v !== undefined).length;
  if (given !== 1)
    ctx.addIssue({
      code: 'custom',
      path,
      message: 'name exactly one of file (a path) or env (a variable name)',
    });
  for (const k of ['file', 'env'] as const) {
    const v = ref[k];
    if (v !== undefined && LOOKS_LIKE_KEY.test(v))
      ctx.addIssue({
        code: 'custom',
        path: [...path, k],
        message: 'is a key itself: put the key in a file or variable and name that here',
      });
  }
}

function refineControl(ts: TailscaleOut, ctx: RefineCtx): void {
  const kind = controlKindOf(ts);
  const auth = ts.auth;
  if (auth.method === 'oauth') {
    const forms = [auth.clientSecretFile, auth.clientIdEnvFile].filter((v) => v !== undefined).length;
    if (forms !== 1)
      ctx.addIssue({
        code: 'custom',
        path: ['tailscale', 'auth'],
        message: 'oauth needs exactly one of clientSecretFile or clientIdEnvFile',
      });
    if (kind === 'headscale')
      ctx.addIssue({
        code: 'custom',
        path: ['tailscale', 'auth', 'method'],
        message:
          'oauth mints keys at api.tailscale.com, which a Headscale tailnet does not use: use a pre-auth key (headscale preauthkeys create --tags …) with env_file or secret_file',
      });
  }
  const api = ts.control?.api;
  if (!api) return;
  const at = ['tailscale', 'control', 'api'];
  if (api.apiKey && api.oauth)
    ctx.addIssue({ code: 'custom', path: at, message: 'give apiKey or oauth, not both' });
  if (api.apiKey) refineSecretRef(api.apiKey, [...at, 'apiKey'], ctx);
  if (api.oauth) {
    refineSecretRef(api.oauth.clientSecret, [...at, 'oauth', 'clientSecret'], ctx);
    if (kind === 'headscale')
      ctx.addIssue({
        code: 'custom',
        path: [...at, 'oauth'],
        message: 'Headscale has no OAuth clients: use apiKey (headscale apikeys create)',
      });
  }
}

export type ConfigInput = z.input<typeof Config>;
export type HomelabConfig = z.output<typeof Config>;
export type ServiceTarget = z.output<typeof Service>;
export type AuthConfig = z.output<typeof Auth>;
export type VerifyConfig = z.output<typeof Verify>;
export type SecretRefConfig = z.output<typeof SecretRef>;
export type ControlApiConfig = z.output<typeof ControlApi>;

export const serviceName = (s: ServiceTarget): string => s.service ?? s.name;
export const containerName = (s: ServiceTarget): string => s.container ?? serviceName(s);
