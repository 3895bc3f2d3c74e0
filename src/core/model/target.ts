import { z } from 'zod';
import { DEPLOY_TARGET_KINDS } from '../deploy/target.js';

const apiUrl = z.string().refine(
  (s) => {
    try {
      const u = new URL(s);
      return (u.protocol === 'wss:' || u.protocol === 'https:') && !u.search && !u.hash && !u.username;
    } catch {
      return false;
    }
  },
  { message: 'must be a wss:// or https:// URL like wss://nas.lan/api/current (TLS only)' },
);

const sha256Fingerprint = z
  .string()
  .regex(
    /^(sha256:)?([0-9A-Fa-f]{2}:){31}[0-9A-Fa-f]{2}$|^(sha256:)?[0-9A-Fa-f]{64}$/,
    'must be a SHA-256 certificate fingerprint: 64 hex digits, colon-separated pairs allowed',
  );

export const TargetTls = z
  .object({
    fingerprint: sha256Fingerprint
      .optional()
      .describe("SHA-256 fingerprint of the NAS's certificate (pinned: a self-signed certificate is fine)."),
    caFile: z
      .string()
      .min(1)
      .optional()
      .describe('PEM file of the CA that signed the NAS certificate (relative to tailbridge.yaml).'),
  })
  .strict();

export const Target = z
  .object({
    kind: z
      .enum(DEPLOY_TARGET_KINDS)
      .default('compose')
      .describe(
        'Where the stack is deployed: compose (files + docker compose on this host) or truenas (a TrueNAS custom app through its apps API).',
      ),
    url: apiUrl
      .optional()
      .describe(
        "truenas: the middleware's API, e.g. wss://nas.lan/api/current. Without it, tailbridge uses midclt on the NAS itself.",
      ),
    app: z
      .string()
      .regex(/^[a-z]([-a-z0-9]*[a-z0-9])?$/, 'must be a TrueNAS app name (lowercase letters, digits, -)')
      .max(40)
      .optional()
      .describe('truenas: the custom app that runs the tailscale stack.'),
    apiKeyFile: z
      .string()
      .min(1)
      .optional()
      .describe(
        'truenas: file holding only the API key (relative to tailbridge.yaml; chmod 600). The key is never stored in tailbridge.yaml.',
      ),
    tls: TargetTls.optional().describe(
      'truenas: how the NAS certificate is trusted: a pinned fingerprint or a CA file (never unverified).',
    ),
  })
  .strict()
  .superRefine((t, ctx) => {
    if (t.kind !== 'truenas') {
      for (const key of ['url', 'app', 'apiKeyFile', 'tls'] as const)
        if (t[key] !== undefined)
          ctx.addIssue({ code: 'custom', path: [key], message: 'applies only to target.kind truenas' });
      return;
    }
    if (!t.app)
      ctx.addIssue({ code: 'custom', path: ['app'], message: 'is required for target.kind truenas' });
    if (t.url && !t.apiKeyFile)
      ctx.addIssue({
        code: 'custom',
        path: ['apiKeyFile'],
        message: 'is required with target.url (the API key is read from this file)',
      });
    if (t.tls && !t.tls.fingerprint && !t.tls.caFile)
      ctx.addIssue({ code: 'custom', path: ['tls'], message: 'needs fingerprint or caFile' });
    if (t.tls?.fingerprint && t.tls.caFile)
      ctx.addIssue({ code: 'custom', path: ['tls'], message: 'takes fingerprint or caFile, not both' });
  });

export type TargetConfig = z.infer<typeof Target>;
