import { z } from 'zod';
import { LintSettings } from '../lint/settings.js';
import { cidrContains, isIPv4Cidr, isIPv6Cidr, parseIPv4 } from './net.js';

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

/** Tailscale's own coordination server: what `tailscale up` uses without --login-server. */
export const DEFAULT_CONTROL_SERVER = 'https://controlplane.tailscale.com';

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
      clientIdEnvFile: z.string().min(1).describe('env file holding TS_CLIENT_ID and TS_CLIENT_SECRET'),
    })
    .strict(),
]);

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

export type ConfigInput = z.input<typeof Config>;
export type HomelabConfig = z.output<typeof Config>;
export type ServiceTarget = z.output<typeof Service>;
export type AuthConfig = z.output<typeof Auth>;
export type VerifyConfig = z.output<typeof Verify>;

export const serviceName = (s: ServiceTarget): string => s.service ?? s.name;
export const containerName = (s: ServiceTarget): string => s.container ?? serviceName(s);
